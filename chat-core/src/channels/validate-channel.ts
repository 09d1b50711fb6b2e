/** Validation of a new channel, with Mattermost's error ids (model.channel.is_valid.*). */
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

export const CHANNEL_NAME_PATTERN = /^[a-z0-9_-]{1,64}$/;
const DISPLAY_NAME_MAX = 64;
const PURPOSE_MAX = 250;
const HEADER_MAX = 1024;

function optionalText(body: Record<string, unknown>, field: 'purpose' | 'header', max: number): string {
  const value = body[field] ?? '';
  if (typeof value !== 'string' || !fitsRunes(value, max) || !isStorableText(value)) {
    throw badRequest(`model.channel.is_valid.${field}.app_error`, `Invalid ${field}: at most ${max} characters.`);
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
  if (typeof display_name !== 'string' || display_name.trim() === '' || !fitsRunes(display_name, DISPLAY_NAME_MAX) || !isStorableText(display_name)) {
    throw badRequest('model.channel.is_valid.display_name.app_error', `Invalid display name: 1 to ${DISPLAY_NAME_MAX} characters.`);
  }
  return {
    team_id, name, display_name, type,
    purpose: optionalText(body, 'purpose', PURPOSE_MAX),
    header: optionalText(body, 'header', HEADER_MAX),
  };
}
