/**
 * The body of POST /hooks/{hook_id}, in any of the shapes integrations send (Mattermost's
 * web/webhook.go): JSON (whatever the Content-Type says), `application/x-www-form-urlencoded` with
 * `payload=<json>` (Slack), or plain form fields — urlencoded or multipart — named like the JSON keys.
 */
import type { IncomingHttpHeaders } from 'node:http';
import busboy from 'busboy';
import { badRequest } from '../http/chat-error.js';
import { fitsRunes, isPlainObject, isStorableText } from '../http/validation.js';
import { isId } from '../store/ids.js';
import { isHttpUrl } from './hook-fields.js';

export interface IncomingPayload {
  text: string;
  /** '' (the hook's channel), a channel name (optionally with '#'), or '@username'. */
  channel: string;
  username: string;
  icon_url: string;
  props: Record<string, unknown>;
  attachments: unknown[] | undefined;
  type: string;
  root_id: string;
}

const FORM_FIELDS = ['text', 'channel', 'username', 'icon_url', 'type', 'root_id'] as const;
const JSON_FORM_FIELDS = ['props', 'attachments'] as const;
const CUSTOM_TYPE = /^custom_[a-z0-9_]{1,57}$/;
const MAX_ATTACHMENTS = 100;

const unparsable = (detail: string) =>
  badRequest('model.incoming_hook.parse_data.app_error', 'The webhook payload could not be read: send JSON, or a form with a JSON "payload" field.', detail);
const invalidField = (name: string, why: string) => badRequest('web.incoming_webhook.parse.app_error', `Invalid "${name}" in the webhook payload: ${why}.`);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw unparsable((error as Error).message);
  }
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function fromFields(fields: Map<string, string>): unknown {
  const payload = fields.get('payload');
  if (payload !== undefined) return parseJson(payload);
  const out: Record<string, unknown> = {};
  for (const name of FORM_FIELDS) if (fields.has(name)) out[name] = fields.get(name);
  for (const name of JSON_FORM_FIELDS) if (fields.has(name)) out[name] = parseJson(fields.get(name)!);
  return out;
}

function multipartFields(body: Buffer, headers: IncomingHttpHeaders): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { files: 0, fields: 32, fieldSize: body.length + 1 } });
    } catch (error) {
      reject(unparsable((error as Error).message));
      return;
    }
    parser.on('field', (name, value) => void fields.set(name, value));
    parser.on('filesLimit', () => reject(unparsable('files are not accepted')));
    parser.on('error', (error: Error) => reject(unparsable(error.message)));
    parser.on('close', () => resolve(fields));
    parser.end(body);
  });
}

function stringField(body: Record<string, unknown>, name: string, max: number): string {
  const value = body[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || !isStorableText(value)) throw invalidField(name, 'it must be text');
  if (!fitsRunes(value, max)) throw invalidField(name, `at most ${max} characters`);
  return value;
}

function shape(value: unknown): IncomingPayload {
  if (!isPlainObject(value)) throw unparsable('the payload is not a JSON object');
  const text = value.text === undefined || value.text === null ? '' : value.text;
  if (typeof text !== 'string' || !isStorableText(text)) throw invalidField('text', 'it must be text');
  const { props, attachments } = value;
  if (props !== undefined && props !== null && !isPlainObject(props)) throw invalidField('props', 'it must be an object');
  if (attachments !== undefined && attachments !== null
    && (!Array.isArray(attachments) || attachments.length > MAX_ATTACHMENTS || !attachments.every(isPlainObject))) {
    throw invalidField('attachments', `it must be a list of at most ${MAX_ATTACHMENTS} objects`);
  }
  const iconUrl = stringField(value, 'icon_url', 1024);
  if (iconUrl !== '' && !isHttpUrl(iconUrl)) throw invalidField('icon_url', 'it must be an http:// or https:// URL');
  const type = stringField(value, 'type', 64);
  if (type !== '' && !CUSTOM_TYPE.test(type)) throw invalidField('type', 'only custom_… post types may be set');
  const rootId = stringField(value, 'root_id', 26);
  if (rootId !== '' && !isId(rootId)) throw invalidField('root_id', 'it must be a post id');
  const payload: IncomingPayload = {
    text, channel: stringField(value, 'channel', 65), username: stringField(value, 'username', 64), icon_url: iconUrl,
    props: (props ?? {}) as Record<string, unknown>, attachments: (attachments ?? undefined) as unknown[] | undefined, type, root_id: rootId,
  };
  if (payload.text === '' && !payload.attachments?.length) {
    throw badRequest('web.incoming_webhook.text.app_error', 'The webhook payload needs "text" or "attachments".');
  }
  return payload;
}

export async function parseIncomingPayload(body: Buffer, headers: IncomingHttpHeaders): Promise<IncomingPayload> {
  const type = mediaType(headers['content-type']);
  if (type === 'application/x-www-form-urlencoded') {
    return shape(fromFields(new Map(new URLSearchParams(body.toString('utf8')))));
  }
  if (type === 'multipart/form-data') return shape(fromFields(await multipartFields(body, headers)));
  if (body.length === 0) throw unparsable('empty body');
  return shape(parseJson(body.toString('utf8')));
}
