/**
 * Files on posts: attaching uploads to a new post, and the file infos a post's metadata carries.
 * (Seam; the files work fills these in.)
 */
import type { ChatDatabase } from '../store/database.js';

export interface AttachRequest {
  postId: string;
  channelId: string;
  userId: string;
  fileIds: readonly string[];
  at: number;
}

/** Attaches the caller's own unattached uploads for this channel to the post; anything else is a 400. */
export async function attachFiles(_db: ChatDatabase, request: AttachRequest): Promise<void> {
  if (request.fileIds.length > 0) throw new Error('file attachments are not implemented yet');
}

/** Mattermost FileInfo JSON for each post that has files. */
export async function fileInfosForPosts(_db: ChatDatabase, _postIds: readonly string[]): Promise<Map<string, Record<string, unknown>[]>> {
  return new Map();
}
