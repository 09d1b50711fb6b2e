/**
 * PUT /api/v4/posts/{post_id} (update) and PUT /api/v4/posts/{post_id}/patch. Your own post needs
 * `edit_post`; anyone else's needs `edit_others_posts` (team admins by default).
 */
import type { RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { requirePermission } from '../channels/access.js';
import { invalidBody } from '../http/chat-error.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import { isPlainObject } from '../http/validation.js';
import type { ChatServices } from '../services.js';
import { findPost, updatePost, type PostChanges } from '../store/posts.js';
import { broadcastToChannel } from '../websocket/broadcast.js';
import { decoratedPost } from './post-json.js';
import { loadReadablePost, type PostAccess } from './read-post.js';
import { parseMessage, parseProps } from './validate-post.js';

type Mode = 'update' | 'patch';

export function editPostHandler(services: ChatServices, mode: Mode): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const postId = idParam(req, 'post_id');
    const changes = parseChanges(req.body, postId, mode, services);
    const access = await loadReadablePost(services, claims, postId);
    requireEditRight(services, claims, access);
    if (changes.message !== undefined && changes.message !== access.post.message) changes.edit_at = changes.update_at;
    await updatePost(services.db, postId, changes);
    const row = await findPost(services.db, postId);
    if (!row) throw new Error('post vanished during edit');
    const body = await decoratedPost(services.db, row);
    sendJson(res, 200, body);
    broadcastToChannel(services, row.channel_id, 'post_edited', { post: JSON.stringify(body) });
  };
}

export function requireEditRight(services: ChatServices, claims: AssertionClaims, access: PostAccess): void {
  const own = access.post.user_id === claims.sub;
  requirePermission(services.authz, access.roles, own ? 'edit_post' : 'edit_others_posts');
}

/** An update must carry the message (and, if it names one, the same id); a patch carries what changes. */
function parseChanges(body: unknown, postId: string, mode: Mode, services: ChatServices): PostChanges {
  if (!isPlainObject(body)) throw invalidBody('post');
  if (mode === 'update' && body.id !== undefined && body.id !== postId) throw invalidBody('id');
  const changes: PostChanges = { update_at: services.now() };
  if (mode === 'update' || body.message !== undefined) changes.message = parseMessage(body.message, services.config.maxPostLength);
  if (body.props !== undefined) changes.props = parseProps(body.props);
  if (body.is_pinned !== undefined) {
    if (typeof body.is_pinned !== 'boolean') throw invalidBody('is_pinned');
    changes.is_pinned = body.is_pinned ? 1 : 0;
  }
  return changes;
}
