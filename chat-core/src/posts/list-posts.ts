/**
 * GET /api/v4/channels/{channel_id}/posts — Mattermost's PostList. Precedence as Mattermost:
 * `after`, then `before`, then `since`, then plain pages from the newest post. `order` is newest
 * first; `prev_post_id` is the post just older than the page, `next_post_id` the one just newer;
 * `has_next` says whether more posts lie beyond the page in the direction walked.
 */
import type { Request, RequestHandler } from 'express';
import { loadReadableChannel } from '../channels/access.js';
import { invalidUrlParam } from '../http/chat-error.js';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, idParam, idQuery, intQuery } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import type { ChatDatabase } from '../store/database.js';
import { findPost, findPosts, listPostsChangedSince, listPostsFrom, type Direction } from '../store/posts.js';
import type { PostRow } from '../store/schema.js';
import { decoratedPosts, type PostJson } from './post-json.js';

interface ListQuery {
  page: number;
  perPage: number;
  since: number;
  before: string | undefined;
  after: string | undefined;
}

interface Slice {
  order: PostRow[];
  next: string;
  prev: string;
  hasNext: boolean;
}

/** Mattermost caps a `since` answer. */
const SINCE_LIMIT = 1000;

export function listPostsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const access = await loadReadableChannel(services, claimsOf(res), idParam(req, 'channel_id'));
    const query = parseQuery(req);
    const slice = await sliceFor(services.db, access.channel.id, query);
    sendJson(res, 200, await postList(services.db, slice));
  };
}

function parseQuery(req: Request): ListQuery {
  return {
    page: intQuery(req, 'page', 0, 100_000),
    perPage: Math.min(Math.max(intQuery(req, 'per_page', DEFAULT_PER_PAGE), 1), MAX_PER_PAGE),
    since: intQuery(req, 'since', 0),
    before: idQuery(req, 'before'),
    after: idQuery(req, 'after'),
  };
}

async function sliceFor(db: ChatDatabase, channelId: string, query: ListQuery): Promise<Slice> {
  if (query.after) return walk(db, channelId, await cursorPost(db, channelId, query.after, 'after'), 'newer', query);
  if (query.before) return walk(db, channelId, await cursorPost(db, channelId, query.before, 'before'), 'older', query);
  if (query.since > 0) {
    const order = await listPostsChangedSince(db, channelId, query.since, SINCE_LIMIT);
    return { order, next: '', prev: '', hasNext: order.length >= SINCE_LIMIT };
  }
  return walk(db, channelId, undefined, 'older', query);
}

/** A cursor must be a post of this channel (deleted ones included, so paging survives a delete). */
async function cursorPost(db: ChatDatabase, channelId: string, id: string, name: string): Promise<PostRow> {
  const post = await findPost(db, id);
  if (!post || post.channel_id !== channelId) throw invalidUrlParam(name);
  return post;
}

async function walk(db: ChatDatabase, channelId: string, cursor: PostRow | undefined, direction: Direction, query: ListQuery): Promise<Slice> {
  const rows = await listPostsFrom(db, channelId, cursor, direction, { offset: query.page * query.perPage, limit: query.perPage + 1 });
  const page = rows.slice(0, query.perPage);
  const beyond = rows[query.perPage]?.id ?? '';
  const hasNext = rows.length > query.perPage;
  const back: Direction = direction === 'older' ? 'newer' : 'older';
  // The post on the near side of the page: the cursor itself on page 0, else the next one over.
  const nearest = page[0];
  const near = query.page === 0 && cursor ? cursor.id : nearest ? await neighbour(db, channelId, nearest, back) : '';
  if (direction === 'older') return { order: page, prev: beyond, next: near, hasNext };
  return { order: page.reverse(), next: beyond, prev: near, hasNext };
}

async function neighbour(db: ChatDatabase, channelId: string, row: PostRow, direction: Direction): Promise<string> {
  const [next] = await listPostsFrom(db, channelId, row, direction, { offset: 0, limit: 1 });
  return next?.id ?? '';
}

/** Roots of listed replies ride along in `posts` (not `order`), as Mattermost sends them. */
async function postList(db: ChatDatabase, slice: Slice) {
  const listed = new Set(slice.order.map((row) => row.id));
  const missingRoots = [...new Set(slice.order.map((row) => row.root_id).filter((id) => id !== '' && !listed.has(id)))];
  const all = [...slice.order, ...(await findPosts(db, missingRoots))];
  const posts: Record<string, PostJson> = Object.fromEntries(await decoratedPosts(db, all));
  return {
    order: slice.order.map((row) => row.id),
    posts,
    next_post_id: slice.next,
    prev_post_id: slice.prev,
    has_next: slice.hasNext,
    first_inaccessible_post_time: 0,
  };
}
