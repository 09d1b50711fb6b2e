/**
 * GET /api/v4/posts/{post_id}/reactions and POST /api/v4/posts/ids/reactions (a JSON array of at
 * most 200 post ids → `{post_id: [Reaction]}`). Every post must be readable by the caller, or the
 * whole request is refused; a deleted post answers with no reactions.
 */
import type { RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { loadReadableChannel } from '../channels/access.js';
import { badRequest, forbidden, invalidBody } from '../http/chat-error.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import { loadReadablePost } from '../posts/read-post.js';
import type { ChatServices } from '../services.js';
import { isId } from '../store/ids.js';
import { findPosts } from '../store/posts.js';
import type { PostRow } from '../store/schema.js';
import { groupByPost, type ReactionJson } from './reaction-json.js';
import { listReactionsForPosts } from './reaction-store.js';

export const MAX_BULK_POST_IDS = 200;

export function getReactionsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const { post } = await loadReadablePost(services, claimsOf(res), idParam(req, 'post_id'));
    const reactions = groupByPost(await listReactionsForPosts(services.db, [post.id])).get(post.id) ?? [];
    sendJson(res, 200, reactions);
  };
}

/** Mattermost's SortedArrayFromJSON: an array of strings, de-duplicated; then our id rules. */
function parsePostIds(body: unknown): string[] {
  if (!Array.isArray(body) || body.some((id) => typeof id !== 'string')) {
    throw badRequest('api.payload.parse.error', 'The body must be a JSON array of post ids.');
  }
  const ids = [...new Set(body as string[])].sort();
  if (ids.length > MAX_BULK_POST_IDS) throw invalidBody(`post_ids (at most ${MAX_BULK_POST_IDS})`);
  if (!ids.every(isId)) throw invalidBody('post_ids');
  return ids;
}

/** Refuses unless every post exists and its channel is readable; each channel is checked once. */
async function requireReadablePosts(services: ChatServices, claims: AssertionClaims, ids: readonly string[]): Promise<PostRow[]> {
  const posts = await findPosts(services.db, ids);
  if (posts.length !== ids.length) throw forbidden('bulk reactions name a post that does not exist');
  for (const channelId of new Set(posts.map((post) => post.channel_id))) await loadReadableChannel(services, claims, channelId);
  return posts;
}

export function getBulkReactionsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const ids = parsePostIds(req.body);
    const posts = await requireReadablePosts(services, claimsOf(res), ids);
    const live = posts.filter((post) => post.delete_at === 0).map((post) => post.id);
    const grouped = groupByPost(await listReactionsForPosts(services.db, live));
    const out: Record<string, ReactionJson[]> = {};
    for (const id of ids) out[id] = grouped.get(id) ?? [];
    sendJson(res, 200, out);
  };
}
