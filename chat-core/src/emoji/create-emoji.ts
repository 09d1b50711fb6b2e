/**
 * POST /api/v4/emoji — multipart `image` (file) and `emoji` (JSON `{creator_id, name}`, the
 * creator being the caller). Checked in Mattermost's order — permission, name, creator, duplicate,
 * image — and only then stored: the image first, then the row; if the row cannot be written the
 * image is removed again, so a refused upload leaves nothing behind.
 */
import type { RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { ChatError, badRequest, invalidBody } from '../http/chat-error.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import { isPlainObject } from '../http/validation.js';
import type { ChatServices } from '../services.js';
import { newId } from '../store/ids.js';
import type { EmojiRow } from '../store/schema.js';
import { requireEmojiPermission } from './emoji-access.js';
import { discardBody, readEmojiForm, type EmojiForm } from './emoji-form.js';
import { sniffEmojiImage, type EmojiImageInfo } from './emoji-image.js';
import { emojiJson } from './emoji-json.js';
import { requireCustomEmojiName } from './emoji-name.js';
import { findLiveEmojiByName, insertEmoji } from './emoji-store.js';

/** Mattermost's MaxEmojiOriginalWidth/Height: larger originals are refused (it resizes the rest; chat-core stores them as sent). */
export const MAX_EMOJI_ORIGINAL_SIDE = 1028;

const duplicate = () => badRequest('api.emoji.create.duplicate.app_error', 'A custom emoji with that name already exists: choose another name.');

function parseEmojiField(text: string | undefined): { creatorId: unknown; name: unknown } {
  if (text === undefined) throw invalidBody('emoji');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidBody('emoji');
  }
  if (!isPlainObject(value)) throw invalidBody('emoji');
  return { creatorId: value.creator_id, name: value.name };
}

function requireImage(image: Buffer | undefined): { image: Buffer; info: EmojiImageInfo } {
  if (!image) throw invalidBody('image');
  const info = sniffEmojiImage(image);
  if (!info) throw badRequest('api.emoji.upload.image.app_error', 'The image must be a PNG, GIF, JPEG or WebP file.');
  if (info.width > MAX_EMOJI_ORIGINAL_SIDE || info.height > MAX_EMOJI_ORIGINAL_SIDE) {
    throw badRequest('api.emoji.upload.large_image.too_large.app_error',
      `The image must be at most ${MAX_EMOJI_ORIGINAL_SIDE}×${MAX_EMOJI_ORIGINAL_SIDE} pixels.`);
  }
  return { image, info };
}

async function checkedRow(services: ChatServices, claims: AssertionClaims, form: EmojiForm): Promise<{ row: EmojiRow; image: Buffer }> {
  const { creatorId, name: rawName } = parseEmojiField(form.emoji);
  const name = requireCustomEmojiName(rawName);
  if (creatorId !== claims.sub) throw new ChatError(403, 'api.emoji.create.other_user.app_error', 'You can only create emoji as yourself.');
  if (await findLiveEmojiByName(services.db, name)) throw duplicate();
  const { image, info } = requireImage(form.image);
  const id = newId();
  const at = services.now();
  const row = { id, creator_id: claims.sub, name, path: `emoji/${id}`, mime_type: info.mimeType, create_at: at, update_at: at, delete_at: 0 };
  return { row, image };
}

/** Image, then row; the image goes again when the row is refused or fails. */
async function store(services: ChatServices, row: EmojiRow, image: Buffer): Promise<void> {
  await services.files.write(row.path, image);
  let inserted = false;
  try {
    inserted = await insertEmoji(services.db, row);
  } finally {
    if (!inserted) await services.files.remove(row.path);
  }
  if (!inserted) throw duplicate();
}

export function createEmojiHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    try {
      requireEmojiPermission(services, claims, 'create_emojis');
      const form = await readEmojiForm(req);
      const { row, image } = await checkedRow(services, claims, form);
      await store(services, row, image);
      sendJson(res, 200, emojiJson(row));
    } catch (error) {
      discardBody(req);
      throw error;
    }
  };
}
