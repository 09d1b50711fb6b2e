/**
 * DELETE /api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}. Removing your own needs
 * `remove_reaction` in the channel; removing someone else's also needs the system permission
 * `remove_others_reactions` (Mattermost's default grants it to system admins only). Removing a
 * reaction that is not there is not an error.
 */
import type { Request, RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { requirePermission } from '../channels/access.js';
import { isEmojiName } from '../emoji/emoji-name.js';
import { invalidUrlParam } from '../http/chat-error.js';
import { externalIdParam, idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendOk } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { broadcastToChannel } from '../websocket/broadcast.js';
import { loadReactablePost } from './reaction-access.js';
import { reactionJson } from './reaction-json.js';
import { removeReaction } from './reaction-store.js';

function emojiNameParam(req: Request): string {
  const value = req.params.emoji_name;
  if (!isEmojiName(value)) throw invalidUrlParam('emoji_name');
  return value;
}

function userIdParam(req: Request, claims: AssertionClaims): string {
  return req.params.user_id === 'me' ? claims.sub : externalIdParam(req, 'user_id');
}

export function deleteReactionHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const userId = userIdParam(req, claims);
    const postId = idParam(req, 'post_id');
    const emojiName = emojiNameParam(req);
    const { post } = await loadReactablePost(services, claims, postId, 'remove_reaction');
    if (userId !== claims.sub) requirePermission(services.authz, claims.roles, 'remove_others_reactions');
    const at = services.now();
    const removed = await removeReaction(services.db, postId, userId, emojiName, at);
    sendOk(res);
    if (removed) broadcastToChannel(services, post.channel_id, 'reaction_removed', { reaction: JSON.stringify(reactionJson(removed, at)) });
  };
}
