/** Loading a post for the caller: 404 when missing or deleted, then the channel's read rule. */
import type { AssertionClaims } from '../../contract.js';
import { loadReadableChannel, type ChannelAccess } from '../channels/access.js';
import { postNotFound } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { findPost } from '../store/posts.js';
import type { PostRow } from '../store/schema.js';

export interface PostAccess extends ChannelAccess {
  post: PostRow;
}

export async function loadReadablePost(services: ChatServices, claims: AssertionClaims, postId: string): Promise<PostAccess> {
  const post = await findPost(services.db, postId);
  if (!post || post.delete_at > 0) throw postNotFound();
  const access = await loadReadableChannel(services, claims, post.channel_id);
  return { ...access, post };
}
