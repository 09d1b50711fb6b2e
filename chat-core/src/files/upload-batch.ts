/**
 * The files of one upload request: each content is written to the store as it arrives (so only
 * one file is held in memory at a time), and the rows are inserted together at the end. A request
 * that fails anywhere removes every content it wrote: all of its files exist, or none.
 */
import type { ChatServices } from '../services.js';
import { newId } from '../store/ids.js';
import type { FileInfoRow } from '../store/schema.js';
import { extensionOf, sanitizeFileName } from './file-name.js';
import { insertFileInfos } from './file-rows.js';
import { sniffContent } from './sniff.js';

type StoredFile = Omit<FileInfoRow, 'channel_id'>;

export interface UploadBatch {
  readonly count: number;
  /** Cleans the name, sniffs the content and writes it under a key of chat-core's own. */
  store(rawName: string, content: Buffer): Promise<void>;
  /** Inserts every row for `channelId`; the batch is then final. */
  commit(channelId: string): Promise<FileInfoRow[]>;
  /** Removes the stored contents of an uncommitted batch. */
  discard(): Promise<void>;
}

/** `files/{yyyymmdd}/{id}` in UTC: never derived from anything the client sent. */
export function fileStoreKey(id: string, at: number): string {
  return `files/${new Date(at).toISOString().slice(0, 10).replaceAll('-', '')}/${id}`;
}

export function createUploadBatch(services: ChatServices, userId: string, at: number): UploadBatch {
  const stored: StoredFile[] = [];
  let committed = false;
  return {
    get count() {
      return stored.length;
    },
    async store(rawName, content) {
      const id = newId();
      const name = sanitizeFileName(rawName);
      const { mimeType, width, height } = sniffContent(content);
      const path = fileStoreKey(id, at);
      await services.files.write(path, content);
      stored.push({
        id, creator_id: userId, post_id: '', name, extension: extensionOf(name), size: content.length,
        mime_type: mimeType, width, height, path, create_at: at, update_at: at, delete_at: 0,
      });
    },
    async commit(channelId) {
      const rows = stored.map((file) => ({ ...file, channel_id: channelId }));
      await insertFileInfos(services.db, rows);
      committed = true;
      return rows;
    },
    async discard() {
      if (committed) return;
      const removals = await Promise.allSettled(stored.map((file) => services.files.remove(file.path)));
      for (const removal of removals) {
        if (removal.status === 'rejected') services.logger.warn({ err: removal.reason }, 'could not remove the content of a refused upload');
      }
      stored.length = 0;
    },
  };
}
