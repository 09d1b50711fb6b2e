/**
 * Who may change a post's reactions: whoever may read its channel and holds the permission there
 * after the channel's moderation (`create_reactions` governs add_reaction and remove_reaction);
 * the post must be live and its channel not archived.
 */
import type { AssertionClaims } from '../../contract.js';
import { requireChannelPermission } from '../channels/access.js';
import { ChatError } from '../http/chat-error.js';
import { loadReadablePost, type PostAccess } from '../posts/read-post.js';
import type { ChatServices } from '../services.js';

export type ReactionPermission = 'add_reaction' | 'remove_reaction';

const ARCHIVED_ERROR_IDS: Record<ReactionPermission, string> = {
  add_reaction: 'api.reaction.save.archived_channel.app_error',
  remove_reaction: 'api.reaction.delete.archived_channel.app_error',
};

export async function loadReactablePost(
  services: ChatServices, claims: AssertionClaims, postId: string, permission: ReactionPermission,
): Promise<PostAccess> {
  const access = await loadReadablePost(services, claims, postId);
  requireChannelPermission(services.authz, access, permission);
  if (access.channel.delete_at > 0) {
    throw new ChatError(403, ARCHIVED_ERROR_IDS[permission], 'The channel is archived: its reactions can no longer change.');
  }
  return access;
}
