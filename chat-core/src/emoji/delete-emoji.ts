/**
 * DELETE /api/v4/emoji/{emoji_id} — your own with `delete_emojis`, anyone's with
 * `delete_others_emojis` as well. A soft delete (the name becomes free again); the image leaves
 * the store once the row is committed, and reactions using the name go with it (as in Mattermost).
 */
import type { RequestHandler } from 'express';
import { notFound } from '../http/chat-error.js';
import { contextOf, claimsOf } from '../http/request-context.js';
import { sendOk } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { requireEmojiPermission } from './emoji-access.js';
import { softDeleteEmoji } from './emoji-store.js';
import { requireLiveEmoji } from './read-emoji.js';

export function deleteEmojiHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const emoji = await requireLiveEmoji(services, req);
    requireEmojiPermission(services, claims, 'delete_emojis');
    if (emoji.creator_id !== claims.sub) requireEmojiPermission(services, claims, 'delete_others_emojis');
    if (!(await softDeleteEmoji(services.db, emoji, services.now()))) {
      throw notFound('app.emoji.delete.no_results', 'The emoji was already deleted.');
    }
    try {
      await services.files.remove(emoji.path);
    } catch (error) {
      // The row is gone, so the image is unreachable; an orphaned file is left for the operator.
      contextOf(res).log.warn({ err: error, emoji_id: emoji.id }, 'emoji image could not be removed');
    }
    sendOk(res);
  };
}
