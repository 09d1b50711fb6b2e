/** Mattermost API v4 FileInfo JSON. */
import type { FileInfoRow } from '../store/schema.js';
import { isInlineImage } from './sniff.js';

export type FileInfoJson = ReturnType<typeof fileInfoJson>;

/** Inline images are their own preview and thumbnail (chat-core renders no scaled copies). */
export function hasPreview(row: Pick<FileInfoRow, 'mime_type'>): boolean {
  return isInlineImage(row.mime_type);
}

export function fileInfoJson(row: FileInfoRow) {
  return {
    id: row.id,
    user_id: row.creator_id,
    post_id: row.post_id,
    channel_id: row.channel_id,
    create_at: row.create_at,
    update_at: row.update_at,
    delete_at: row.delete_at,
    name: row.name,
    extension: row.extension,
    size: row.size,
    mime_type: row.mime_type,
    width: row.width,
    height: row.height,
    has_preview_image: hasPreview(row),
    mini_preview: null,
    archived: false,
  };
}
