/**
 * Post rows. Channel timelines are ordered by (create_at, id) so posts created in the same
 * millisecond still page deterministically.
 */
import type { ExpressionBuilder } from 'kysely';
import type { ChatDatabase } from './database.js';
import type { ChatSchema, PostRow } from './schema.js';
import type { Page } from './channels.js';

export interface Cursor {
  create_at: number;
  id: string;
}
export type Direction = 'older' | 'newer';

/** The post's attached file ids (its `file_ids` JSON text); anything unreadable counts as none. */
export function fileIdsOf(row: PostRow): string[] {
  try {
    const value: unknown = JSON.parse(row.file_ids);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export function findPost(db: ChatDatabase, id: string): Promise<PostRow | undefined> {
  return db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPosts(db: ChatDatabase, ids: readonly string[]): Promise<PostRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('posts').selectAll().where('id', 'in', ids).execute();
}

export async function insertPost(db: ChatDatabase, row: PostRow): Promise<void> {
  await db.insertInto('posts').values(row).execute();
}

export type PostChanges = Partial<Pick<PostRow, 'message' | 'props' | 'is_pinned' | 'edit_at' | 'has_reactions'>> & { update_at: number };

export async function updatePost(db: ChatDatabase, id: string, changes: PostChanges): Promise<void> {
  await db.updateTable('posts').set(changes).where('id', '=', id).where('delete_at', '=', 0).execute();
}

/** Soft-deletes a post and, for a root, its whole thread (as Mattermost does). */
export async function softDeletePost(db: ChatDatabase, post: PostRow, at: number): Promise<void> {
  await db.updateTable('posts').set({ delete_at: at, update_at: at })
    .where((eb) => eb.or([eb('id', '=', post.id), ...(post.root_id === '' ? [eb('root_id', '=', post.id)] : [])]))
    .where('delete_at', '=', 0)
    .execute();
}

function beyond(eb: ExpressionBuilder<ChatSchema, 'posts'>, cursor: Cursor, direction: Direction) {
  const op = direction === 'older' ? '<' : '>';
  return eb.or([
    eb('create_at', op, cursor.create_at),
    eb.and([eb('create_at', '=', cursor.create_at), eb('id', op, cursor.id)]),
  ]);
}

/**
 * Live posts of a channel walking away from `cursor` (or from the newest post when absent), nearest
 * first. `older` walks back in time, `newer` forward.
 */
export function listPostsFrom(
  db: ChatDatabase, channelId: string, cursor: Cursor | undefined, direction: Direction, page: Page,
): Promise<PostRow[]> {
  let query = db.selectFrom('posts').selectAll().where('channel_id', '=', channelId).where('delete_at', '=', 0);
  if (cursor) query = query.where((eb) => beyond(eb, cursor, direction));
  const order = direction === 'older' ? 'desc' : 'asc';
  return query.orderBy('create_at', order).orderBy('id', order).limit(page.limit).offset(page.offset).execute();
}

/** Posts created, edited or deleted after `since` (deleted ones included, so clients can drop them). */
export function listPostsChangedSince(db: ChatDatabase, channelId: string, since: number, limit: number): Promise<PostRow[]> {
  return db.selectFrom('posts').selectAll()
    .where('channel_id', '=', channelId).where('update_at', '>', since)
    .orderBy('create_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Number of live replies per thread root. */
export async function countReplies(db: ChatDatabase, rootIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (rootIds.length === 0) return counts;
  const rows = await db.selectFrom('posts')
    .select((eb) => ['root_id', eb.fn.countAll<number>().as('replies')])
    .where('root_id', 'in', rootIds).where('delete_at', '=', 0)
    .groupBy('root_id').execute();
  for (const row of rows) counts.set(row.root_id, Number(row.replies));
  return counts;
}

/** Live replies of a thread, newest first. */
export function listThread(db: ChatDatabase, rootId: string, limit: number): Promise<PostRow[]> {
  return db.selectFrom('posts').selectAll().where('root_id', '=', rootId).where('delete_at', '=', 0)
    .orderBy('create_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export function listPinnedPosts(db: ChatDatabase, channelId: string, limit: number): Promise<PostRow[]> {
  return db.selectFrom('posts').selectAll().where('channel_id', '=', channelId).where('is_pinned', '=', 1).where('delete_at', '=', 0)
    .orderBy('create_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
