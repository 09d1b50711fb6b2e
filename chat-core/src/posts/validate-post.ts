/** Validation of post bodies, with Mattermost's error ids where Mattermost has one. */
import { badRequest, invalidBody } from '../http/chat-error.js';
import { fitsRunes, isPlainObject, isStorableText, nestsWithin } from '../http/validation.js';
import { isId } from '../store/ids.js';

export interface NewPost {
  channel_id: string;
  message: string;
  root_id: string;
  /** JSON text. */
  props: string;
  type: string;
  pending_post_id: string;
  file_ids: string[];
}

/** Mattermost's limit of files on one post. */
export const MAX_FILES_PER_POST = 10;

/** Mattermost's PostPropsMaxRunes. */
const MAX_PROPS_LENGTH = 800_000;
const MAX_PROPS_DEPTH = 32;
/** Fits the 64-character type column. */
const CUSTOM_TYPE = /^custom_[a-z0-9_]{1,57}$/;

export function parseMessage(value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || !isStorableText(value)) throw invalidBody('message');
  if (!fitsRunes(value, maxLength)) throw badRequest('model.post.is_valid.msg.app_error', `Message is too long: at most ${maxLength} characters.`);
  return value;
}

export function parseProps(value: unknown): string {
  if (value === undefined || value === null) return '{}';
  if (!isPlainObject(value)) throw invalidBody('props');
  // Deep nesting would overflow JSON.stringify (here or in the response): a 400, never a 500.
  if (!nestsWithin(value, MAX_PROPS_DEPTH)) throw badRequest('model.post.is_valid.props.app_error', 'Post props are nested too deeply.');
  const text = JSON.stringify(value);
  if (text.length > MAX_PROPS_LENGTH) throw badRequest('model.post.is_valid.props.app_error', 'Post props are too large.');
  return text;
}

function parseType(value: unknown): string {
  if (value === undefined || value === '') return '';
  // System post types (joins, header changes…) are the server's to write, not a client's.
  if (typeof value !== 'string' || !CUSTOM_TYPE.test(value)) throw badRequest('model.post.is_valid.type.app_error', 'Invalid post type.');
  return value;
}

function parseFileIds(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every(isId)) throw invalidBody('file_ids');
  const ids = [...new Set(value)];
  if (ids.length > MAX_FILES_PER_POST) {
    throw badRequest('model.post.is_valid.file_ids.app_error', `A post can have at most ${MAX_FILES_PER_POST} files.`);
  }
  return ids;
}

export function parseNewPost(body: unknown, maxLength: number): NewPost {
  if (!isPlainObject(body)) throw invalidBody('post');
  const { channel_id, root_id = '', pending_post_id = '', file_ids } = body;
  if (!isId(channel_id)) throw invalidBody('channel_id');
  if (root_id !== '' && !isId(root_id)) throw invalidBody('root_id');
  if (typeof pending_post_id !== 'string' || pending_post_id.length > 128) throw invalidBody('pending_post_id');
  return {
    channel_id, root_id, pending_post_id,
    file_ids: parseFileIds(file_ids),
    message: parseMessage(body.message, maxLength),
    props: parseProps(body.props),
    type: parseType(body.type),
  };
}
