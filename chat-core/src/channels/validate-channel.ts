/** Validation of a new channel and of a channel patch, with Mattermost's error ids (model.channel.is_valid.*). */
import { badRequest, invalidBody } from '../http/chat-error.js';
import { fitsRunes, isPlainObject, isStorableText } from '../http/validation.js';
import { isExternalId } from '../store/ids.js';
import type { ChannelType } from '../store/schema.js';

export interface NewChannel {
  team_id: string;
  name: string;
  display_name: string;
  type: ChannelType;
  purpose: string;
  header: string;
}

/** Mattermost's ChannelPatch: an absent (or null) field leaves the channel's value as it is. */
export interface ChannelPatch {
  display_name?: string;
  purpose?: string;
  header?: string;
  group_constrained?: boolean;
}

export const CHANNEL_NAME_PATTERN = /^[a-z0-9_-]{1,64}$/;
const DISPLAY_NAME_MAX = 64;
const PURPOSE_MAX = 250;
const HEADER_MAX = 1024;
const TEXT_MAX = { purpose: PURPOSE_MAX, header: HEADER_MAX } as const;

function checkText(value: unknown, field: 'purpose' | 'header'): string {
  const max = TEXT_MAX[field];
  if (typeof value !== 'string' || !fitsRunes(value, max) || !isStorableText(value)) {
    throw badRequest(`model.channel.is_valid.${field}.app_error`, `Invalid ${field}: at most ${max} characters.`);
  }
  return value;
}

function checkDisplayName(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || !fitsRunes(value, DISPLAY_NAME_MAX) || !isStorableText(value)) {
    throw badRequest('model.channel.is_valid.display_name.app_error', `Invalid display name: 1 to ${DISPLAY_NAME_MAX} characters.`);
  }
  return value;
}

export function parseNewChannel(body: unknown): NewChannel {
  if (!isPlainObject(body)) throw invalidBody('channel');
  const { team_id, name, display_name, type } = body;
  if (!isExternalId(team_id)) throw invalidBody('team_id');
  if (type !== 'O' && type !== 'P') throw badRequest('model.channel.is_valid.type.app_error', 'Invalid type: must be "O" or "P".');
  if (typeof name !== 'string' || !CHANNEL_NAME_PATTERN.test(name)) {
    throw badRequest('model.channel.is_valid.name.app_error', 'Invalid channel name: use 1 to 64 lowercase letters, digits, "-" or "_".');
  }
  return {
    team_id, name, type,
    display_name: checkDisplayName(display_name),
    purpose: checkText(body.purpose ?? '', 'purpose'),
    header: checkText(body.header ?? '', 'header'),
  };
}

/** Fields other than these are ignored, as Mattermost ignores what a patch cannot change. */
export function parseChannelPatch(body: unknown): ChannelPatch {
  if (!isPlainObject(body)) throw invalidBody('patch');
  const patch: ChannelPatch = {};
  if (body.display_name != null) patch.display_name = checkDisplayName(body.display_name);
  if (body.purpose != null) patch.purpose = checkText(body.purpose, 'purpose');
  if (body.header != null) patch.header = checkText(body.header, 'header');
  if (body.group_constrained != null) {
    if (typeof body.group_constrained !== 'boolean') throw invalidBody('group_constrained');
    patch.group_constrained = body.group_constrained;
  }
  return patch;
}
