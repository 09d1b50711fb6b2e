/**
 * Who may see a file (default deny): an upload not yet on a post only its uploader, and only while
 * they can still read the channel; an attached file whoever can read the channel of its live post.
 * A deleted file, or one whose post is gone, is a 404 for everyone.
 */
import type { AssertionClaims } from '../../contract.js';
import { loadReadableChannel } from '../channels/access.js';
import { forbidden } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { findPost } from '../store/posts.js';
import type { FileInfoRow } from '../store/schema.js';
import { fileNotFound } from './file-errors.js';
import { findFileInfo } from './file-rows.js';

export async function loadReadableFile(services: ChatServices, claims: AssertionClaims, fileId: string): Promise<FileInfoRow> {
  const row = await findFileInfo(services.db, fileId);
  if (!row || row.delete_at > 0) throw fileNotFound(`file ${fileId}`);
  if (row.post_id === '') {
    if (row.creator_id !== claims.sub) throw forbidden(`file ${fileId} is an unattached upload of someone else`);
  } else {
    const post = await findPost(services.db, row.post_id);
    if (!post || post.delete_at > 0 || post.channel_id !== row.channel_id) throw fileNotFound(`post of file ${fileId} is gone`);
  }
  await loadReadableChannel(services, claims, row.channel_id);
  return row;
}
