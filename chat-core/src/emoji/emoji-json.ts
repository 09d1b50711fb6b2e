/** Mattermost API v4 Emoji JSON. */
import type { EmojiRow } from '../store/schema.js';

export type EmojiJson = {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  creator_id: string;
  name: string;
};

export function emojiJson(row: EmojiRow): EmojiJson {
  return {
    id: row.id, create_at: row.create_at, update_at: row.update_at, delete_at: row.delete_at,
    creator_id: row.creator_id, name: row.name,
  };
}
