/** Field checks shared by incoming and outgoing webhook bodies, with Mattermost's limits. */
import { badRequest, invalidBody } from '../http/chat-error.js';
import { fitsRunes, isStorableText } from '../http/validation.js';

/** Mattermost's IsValidUsername: lower case, starts with a letter, at most 64, not a reserved name. */
const USERNAME = /^[a-z][a-z0-9.\-_]{0,63}$/;
const RESERVED_USERNAMES = new Set(['all', 'channel', 'here', 'matterbot', 'system']);

/** An optional string field: `fallback` when absent, 400 naming the field when too long or not text. */
export function textField(body: Record<string, unknown>, name: string, max: number, fallback = ''): string {
  const value = body[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !isStorableText(value)) throw invalidBody(name);
  if (!fitsRunes(value, max)) throw badRequest('api.webhook.field_too_long.app_error', `${name} is too long: at most ${max} characters.`);
  return value;
}

export function boolField(body: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const value = body[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalidBody(name);
  return value;
}

export function usernameField(body: Record<string, unknown>, fallback = ''): string {
  const value = textField(body, 'username', 64, fallback);
  if (value !== '' && (!USERNAME.test(value) || RESERVED_USERNAMES.has(value))) {
    throw badRequest('api.incoming_webhook.invalid_username.app_error',
      'Invalid username: use 1-64 lower-case letters, digits, ".", "-" or "_", starting with a letter.');
  }
  return value;
}

/** True for an absolute http(s) URL without user name or password. */
export function isHttpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.hostname !== '';
}

/** Clients render the icon as an image source: only http(s) URLs, never `javascript:` or `data:`. */
export function iconUrlField(body: Record<string, unknown>, fallback = ''): string {
  const value = textField(body, 'icon_url', 1024, fallback);
  if (value !== '' && !isHttpUrl(value)) throw badRequest('api.webhook.icon_url.app_error', 'icon_url must be an http:// or https:// URL.');
  return value;
}
