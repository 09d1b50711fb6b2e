/** Bodies of POST and PUT /api/v4/hooks/incoming[/{id}]. */
import { invalidBody, invalidUrlParam } from '../http/chat-error.js';
import { isPlainObject } from '../http/validation.js';
import { isExternalId, isId } from '../store/ids.js';
import type { IncomingWebhookRow } from '../store/schema.js';
import { boolField, iconUrlField, textField, usernameField } from './hook-fields.js';

export interface IncomingInput {
  channel_id: string;
  display_name: string;
  description: string;
  username: string;
  icon_url: string;
  channel_locked: boolean;
}

type Defaults = Omit<IncomingInput, 'channel_id'> & { channel_id?: string };

function fields(body: Record<string, unknown>, defaults: Defaults): IncomingInput {
  const channelId = body.channel_id === undefined || body.channel_id === '' ? defaults.channel_id : body.channel_id;
  if (!isId(channelId)) throw invalidBody('channel_id');
  return {
    channel_id: channelId,
    display_name: textField(body, 'display_name', 64, defaults.display_name),
    description: textField(body, 'description', 500, defaults.description),
    username: usernameField(body, defaults.username),
    icon_url: iconUrlField(body, defaults.icon_url),
    channel_locked: boolField(body, 'channel_locked', defaults.channel_locked),
  };
}

/** A new hook; `user_id` names another owner (needs manage_others_incoming_webhooks). */
export function parseIncomingCreate(body: unknown): IncomingInput & { user_id?: string } {
  if (!isPlainObject(body)) throw invalidBody('incoming_webhook');
  const input = fields(body, { display_name: '', description: '', username: '', icon_url: '', channel_locked: false });
  const userId = body.user_id;
  if (userId === undefined || userId === '') return input;
  if (!isExternalId(userId)) throw invalidBody('user_id');
  return { ...input, user_id: userId };
}

/**
 * The whole hook as Client4 sends it; the body's `id` must be the URL's (Mattermost). Fields left
 * out keep their stored value; `team_id`, when given, must be the hook's.
 */
export function parseIncomingUpdate(body: unknown, old: IncomingWebhookRow): IncomingInput {
  if (!isPlainObject(body)) throw invalidBody('incoming_webhook');
  if (body.id !== old.id) throw invalidUrlParam('hook_id');
  return fields(body, {
    channel_id: old.channel_id, display_name: old.display_name, description: old.description,
    username: old.username, icon_url: old.icon_url, channel_locked: old.channel_locked === 1,
  });
}
