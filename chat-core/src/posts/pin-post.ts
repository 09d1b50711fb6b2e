/**
 * POST /api/v4/posts/{post_id}/pin and /unpin. Members of a live channel may pin what they can
 * read, as in Mattermost; `post_edited` tells the channel.
 */
import type { RequestHandler } from 'express';
import { badRequest, forbidden } from '../http/chat-error.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendOk } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { findPost, updatePost } from '../store/posts.js';
import { broadcastToChannel } from '../websocket/broadcast.js';
import { decoratedPost } from './post-json.js';
import { loadReadablePost } from './read-post.js';

export function pinPostHandler(services: ChatServices, pinned: boolean): RequestHandler {
  return async (req, res) => {
    const access = await loadReadablePost(services, claimsOf(res), idParam(req, 'post_id'));
    if (!access.member) throw forbidden('pinning requires channel membership');
    if (access.channel.delete_at > 0) throw badRequest('api.post.pin_post.archived.app_error', 'The channel is archived.');
    await updatePost(services.db, access.post.id, { is_pinned: pinned ? 1 : 0, update_at: services.now() });
    sendOk(res);
    const row = await findPost(services.db, access.post.id);
    if (row) broadcastToChannel(services, row.channel_id, 'post_edited', { post: JSON.stringify(await decoratedPost(services.db, row)) });
  };
}
