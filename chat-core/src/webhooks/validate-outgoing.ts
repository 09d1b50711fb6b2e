/** Bodies of POST and PUT /api/v4/hooks/outgoing[/{id}], with Mattermost's error ids. */
import { badRequest, invalidBody, invalidUrlParam } from '../http/chat-error.js';
import { isPlainObject, isStorableText } from '../http/validation.js';
import { isExternalId, isId } from '../store/ids.js';
import type { OutgoingWebhookRow } from '../store/schema.js';
import { iconUrlField, isHttpUrl, textField, usernameField } from './hook-fields.js';
import { stringArray } from './webhook-json.js';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
export const JSON_CONTENT_TYPE = 'application/json';
/** Each callback is one request per matching post: keep the fan-out small. */
const MAX_CALLBACKS = 10;
/** Column sizes (migration 0003). */
const MAX_TRIGGER_WORDS_JSON = 1024;
const MAX_CALLBACK_URLS_JSON = 4096;

export interface OutgoingInput {
  channel_id: string;
  trigger_words: string[];
  trigger_when: 0 | 1;
  callback_urls: string[];
  display_name: string;
  description: string;
  content_type: string;
  username: string;
  icon_url: string;
}

function triggerWords(value: unknown, fallback: string[]): string[] {
  if (value === undefined || value === null) return fallback;
  if (!Array.isArray(value)) throw invalidBody('trigger_words');
  for (const word of value) {
    if (typeof word !== 'string' || word === '' || /\s/.test(word) || !isStorableText(word)) {
      throw badRequest('model.outgoing_hook.is_valid.trigger_words.app_error', 'Each trigger word must be one non-empty word, without spaces.');
    }
  }
  const words = [...new Set(value as string[])];
  if (JSON.stringify(words).length > MAX_TRIGGER_WORDS_JSON) throw badRequest('model.outgoing_hook.is_valid.words.app_error', 'Too many or too long trigger words.');
  return words;
}

function callbackUrls(value: unknown, fallback: string[]): string[] {
  if (value === undefined || value === null) return fallback;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CALLBACKS || JSON.stringify(value).length > MAX_CALLBACK_URLS_JSON) {
    throw badRequest('model.outgoing_hook.is_valid.callback.app_error', `Give 1 to ${MAX_CALLBACKS} callback URLs.`);
  }
  for (const url of value) {
    if (typeof url !== 'string' || !isHttpUrl(url)) {
      throw badRequest('model.outgoing_hook.is_valid.url.app_error', 'Callback URLs must be http:// or https:// URLs, without a user name or password.');
    }
  }
  return [...new Set(value as string[])];
}

function triggerWhen(value: unknown, fallback: 0 | 1): 0 | 1 {
  if (value === undefined || value === null) return fallback;
  if (value !== 0 && value !== 1) throw badRequest('model.outgoing_hook.is_valid.trigger_when.app_error', 'trigger_when must be 0 (first word is a trigger word) or 1 (first word starts with one).');
  return value;
}

function contentType(body: Record<string, unknown>, fallback: string): string {
  const value = textField(body, 'content_type', 128, fallback) || FORM_CONTENT_TYPE;
  if (value !== FORM_CONTENT_TYPE && value !== JSON_CONTENT_TYPE) {
    throw badRequest('model.outgoing_hook.is_valid.content_type.app_error', `content_type must be ${JSON_CONTENT_TYPE} or ${FORM_CONTENT_TYPE}.`);
  }
  return value;
}

function fields(body: Record<string, unknown>, old: OutgoingInput): OutgoingInput {
  const channelId = body.channel_id === undefined || body.channel_id === null ? old.channel_id : body.channel_id;
  if (channelId !== '' && !isId(channelId)) throw invalidBody('channel_id');
  return {
    channel_id: channelId as string,
    trigger_words: triggerWords(body.trigger_words, old.trigger_words),
    trigger_when: triggerWhen(body.trigger_when, old.trigger_when),
    callback_urls: callbackUrls(body.callback_urls, old.callback_urls),
    display_name: textField(body, 'display_name', 64, old.display_name),
    description: textField(body, 'description', 500, old.description),
    content_type: contentType(body, old.content_type),
    username: usernameField(body, old.username),
    icon_url: iconUrlField(body, old.icon_url),
  };
}

const EMPTY: OutgoingInput = {
  channel_id: '', trigger_words: [], trigger_when: 0, callback_urls: [], display_name: '', description: '',
  content_type: FORM_CONTENT_TYPE, username: '', icon_url: '',
};

export function parseOutgoingCreate(body: unknown): OutgoingInput & { team_id: string; creator_id?: string } {
  if (!isPlainObject(body)) throw invalidBody('outgoing_webhook');
  if (!isExternalId(body.team_id)) throw invalidBody('team_id');
  const input = fields(body, EMPTY);
  if (input.callback_urls.length === 0) throw badRequest('model.outgoing_hook.is_valid.callback.app_error', `Give 1 to ${MAX_CALLBACKS} callback URLs.`);
  const creatorId = body.creator_id;
  if (creatorId === undefined || creatorId === '') return { ...input, team_id: body.team_id };
  if (!isExternalId(creatorId)) throw invalidBody('creator_id');
  return { ...input, team_id: body.team_id, creator_id: creatorId };
}

export function storedOutgoing(row: OutgoingWebhookRow): OutgoingInput {
  return {
    channel_id: row.channel_id, trigger_words: stringArray(row.trigger_words), trigger_when: row.trigger_when === 1 ? 1 : 0,
    callback_urls: stringArray(row.callback_urls), display_name: row.display_name, description: row.description,
    content_type: row.content_type, username: row.username, icon_url: row.icon_url,
  };
}

/** The whole hook as Client4 sends it; `id` must be the URL's, fields left out keep their value. */
export function parseOutgoingUpdate(body: unknown, old: OutgoingWebhookRow): OutgoingInput {
  if (!isPlainObject(body)) throw invalidBody('outgoing_webhook');
  if (body.id !== old.id) throw invalidUrlParam('hook_id');
  if (body.team_id !== undefined && body.team_id !== '' && body.team_id !== old.team_id) {
    throw badRequest('api.webhook.team_mismatch.app_error', 'The webhook cannot move to another team.');
  }
  return fields(body, storedOutgoing(old));
}
