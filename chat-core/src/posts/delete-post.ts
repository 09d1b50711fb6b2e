/**
 * DELETE /api/v4/posts/{post_id} — a soft delete (a root takes its thread with it). Your own post
 * needs `delete_post`; anyone else's needs `delete_others_posts`.
 */
import type { RequestHandler } from 'express';
import { requirePermission } from '../channels/access.js';
import { deleteFilesOfPost } from '../files/attach-files.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendOk } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { softDeletePost } from '../store/posts.js';
import { broadcastToChannel } from '../websocket/broadcast.js';
import { postJson } from './post-json.js';
import { loadReadablePost } from './read-post.js';

export function deletePostHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const access = await loadReadablePost(services, claims, idParam(req, 'post_id'));
    const own = access.post.user_id === claims.sub;
    requirePermission(services.authz, access.roles, own ? 'delete_post' : 'delete_others_posts');
    const at = services.now();
    await services.db.transaction().execute(async (trx) => {
      await softDeletePost(trx, access.post, at);
      await deleteFilesOfPost(trx, access.post.id, at);
    });
    sendOk(res);
    const deleted = postJson({ ...access.post, delete_at: at, update_at: at });
    broadcastToChannel(services, access.post.channel_id, 'post_deleted', { post: JSON.stringify(deleted), delete_by: claims.sub });
  };
}
