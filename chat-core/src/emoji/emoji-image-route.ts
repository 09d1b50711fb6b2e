/**
 * GET /api/v4/emoji/{emoji_id}/image — the stored bytes with the type they were sniffed as at
 * upload, never sniffed again by the browser (nosniff) and sandboxed should one be opened as a page.
 */
import type { RequestHandler } from 'express';
import { notFound } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { EMOJI_IMAGE_TYPES } from './emoji-image.js';
import { requireLiveEmoji } from './read-emoji.js';

const imageMissing = () => notFound('api.emoji.get_image.read.app_error', 'The emoji image could not be found.');

export function getEmojiImageHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const emoji = await requireLiveEmoji(services, req);
    if (!EMOJI_IMAGE_TYPES.has(emoji.mime_type)) throw imageMissing();
    const image = await services.files.read(emoji.path);
    if (!image) throw imageMissing();
    res.statusCode = 200;
    res.setHeader('Content-Type', emoji.mime_type);
    res.setHeader('Content-Length', image.length);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
    res.setHeader('Cache-Control', 'max-age=2592000, private');
    res.end(image);
  };
}
