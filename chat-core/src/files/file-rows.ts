/** file_infos rows: uploads, and their attachment to posts. */
import type { ChatDatabase } from '../store/database.js';
import type { FileInfoRow } from '../store/schema.js';

export function findFileInfo(db: ChatDatabase, id: string): Promise<FileInfoRow | undefined> {
  return db.selectFrom('file_infos').selectAll().where('id', '=', id).executeTakeFirst();
}

/** All rows of one upload request in one statement: all of them, or none. */
export async function insertFileInfos(db: ChatDatabase, rows: readonly FileInfoRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('file_infos').values([...rows]).execute();
}

/** Live files of these posts, oldest upload first (Mattermost's order). */
export async function listFilesOfPosts(db: ChatDatabase, postIds: readonly string[]): Promise<FileInfoRow[]> {
  if (postIds.length === 0) return [];
  return db.selectFrom('file_infos').selectAll()
    .where('post_id', 'in', [...postIds]).where('delete_at', '=', 0)
    .orderBy('create_at', 'asc').orderBy('id', 'asc').execute();
}

export interface AttachScope {
  postId: string;
  channelId: string;
  userId: string;
  fileIds: readonly string[];
  at: number;
}

/**
 * Points the caller's own, live, unattached uploads for the channel at the post; returns how many
 * rows changed. The conditions sit in the UPDATE itself, so two posts racing for one file cannot
 * both win (the loser's row no longer has post_id '').
 */
export async function claimUploads(db: ChatDatabase, scope: AttachScope): Promise<number> {
  const result = await db.updateTable('file_infos').set({ post_id: scope.postId, update_at: scope.at })
    .where('id', 'in', [...scope.fileIds]).where('creator_id', '=', scope.userId).where('channel_id', '=', scope.channelId)
    .where('post_id', '=', '').where('delete_at', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Soft-deletes the live files of a post and, when it is a thread root, of its replies. */
export async function softDeleteFilesOfThread(db: ChatDatabase, postId: string, at: number): Promise<number> {
  const thread = db.selectFrom('posts').select('id').where((eb) => eb.or([eb('id', '=', postId), eb('root_id', '=', postId)]));
  const result = await db.updateTable('file_infos').set({ delete_at: at, update_at: at })
    .where('post_id', 'in', thread).where('delete_at', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
