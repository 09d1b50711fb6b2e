/**
 * GET /api/v4/posts/{post_id}/thread — the root and its live replies as a PostList (newest first),
 * from any post of the thread; GET /api/v4/channels/{channel_id}/pinned — the channel's pinned posts.
 */
import type { RequestHandler } from 'express';
import { loadReadableChannel } from '../channels/access.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import type { ChatDatabase } from '../store/database.js';
import { findPost, listPinnedPosts, listThread } from '../store/posts.js';
import type { PostRow } from '../store/schema.js';
import { decoratedPosts } from './post-json.js';
import { loadReadablePost } from './read-post.js';

/** A thread answers at most this many replies (Mattermost pages beyond; clients rarely need it). */
const MAX_THREAD = 1000;

export function threadHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const { post } = await loadReadablePost(services, claimsOf(res), idParam(req, 'post_id'));
    const root = post.root_id === '' ? post : await findPost(services.db, post.root_id);
    const replies = await listThread(services.db, post.root_id || post.id, MAX_THREAD + 1);
    const rows = [...replies.slice(0, MAX_THREAD), ...(root && root.delete_at === 0 ? [root] : [])];
    sendJson(res, 200, await postList(services.db, rows, replies.length > MAX_THREAD));
  };
}

export function pinnedPostsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const access = await loadReadableChannel(services, claimsOf(res), idParam(req, 'channel_id'));
    sendJson(res, 200, await postList(services.db, await listPinnedPosts(services.db, access.channel.id, MAX_THREAD), false));
  };
}

async function postList(db: ChatDatabase, rows: PostRow[], hasNext: boolean) {
  const ordered = [...rows].sort((a, b) => b.create_at - a.create_at || (a.id < b.id ? 1 : -1));
  return {
    order: ordered.map((row) => row.id),
    posts: Object.fromEntries(await decoratedPosts(db, ordered)),
    next_post_id: '', prev_post_id: '', has_next: hasNext, first_inaccessible_post_time: 0,
  };
}
