/**
 * Files on posts: attaching uploads to a new post, the file infos a post's metadata carries, and
 * the soft delete that goes with a post's.
 */
import type { ChatDatabase } from '../store/database.js';
import { fileIdsOf } from '../store/posts.js';
import type { FileInfoRow, PostRow } from '../store/schema.js';
import { cannotAttach } from './file-errors.js';
import { fileInfoJson } from './file-info-json.js';
import { claimUploads, listFilesOfPosts, softDeleteFilesOfThread } from './file-rows.js';

export interface AttachRequest {
  postId: string;
  channelId: string;
  userId: string;
  fileIds: readonly string[];
  at: number;
}

/**
 * Attaches the caller's own unattached uploads for this channel to the post; anything else (an
 * unknown or deleted id, someone else's upload, another channel's, one already on a post) is a
 * 400. Runs inside the post's transaction, so a refusal writes nothing at all.
 */
export async function attachFiles(db: ChatDatabase, request: AttachRequest): Promise<void> {
  const fileIds = [...new Set(request.fileIds)];
  if (fileIds.length === 0) return;
  const claimed = await claimUploads(db, { ...request, fileIds });
  if (claimed !== fileIds.length) {
    throw cannotAttach(`post ${request.postId}: ${claimed} of ${fileIds.length} file ids are attachable uploads of ${request.userId} in ${request.channelId}`);
  }
}

/** Rows in the order of the post's `file_ids` (the order the author attached them in). */
export function inPostOrder(rows: readonly FileInfoRow[], fileIds: readonly string[]): FileInfoRow[] {
  const rank = new Map(fileIds.map((id, index) => [id, index]));
  return [...rows].sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity));
}

/** Mattermost FileInfo JSON for each of these posts that has live files, in the post's `file_ids` order. */
export async function fileInfosForPosts(db: ChatDatabase, posts: readonly PostRow[]): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  const rows = await listFilesOfPosts(db, posts.map((post) => post.id));
  if (rows.length === 0) return out;
  const byPost = new Map<string, FileInfoRow[]>();
  for (const row of rows) {
    const list = byPost.get(row.post_id);
    if (list) list.push(row);
    else byPost.set(row.post_id, [row]);
  }
  for (const post of posts) {
    const files = (byPost.get(post.id) ?? []).filter((row) => row.channel_id === post.channel_id);
    if (files.length > 0) out.set(post.id, inPostOrder(files, fileIdsOf(post)).map(fileInfoJson));
  }
  return out;
}

/**
 * Soft-deletes the files of a post being deleted, and of its replies when it is a thread root
 * (as the post's own soft delete takes the thread). Call it in the same transaction as the post's
 * delete. The contents stay in the store (as Mattermost keeps them) but are never served again.
 */
export async function deleteFilesOfPost(db: ChatDatabase, postId: string, at: number): Promise<void> {
  await softDeleteFilesOfThread(db, postId, at);
}
