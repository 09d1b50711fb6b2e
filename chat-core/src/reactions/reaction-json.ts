/**
 * Mattermost API v4 Reaction JSON. Reactions are removed outright here (no tombstone row), so a
 * stored reaction's update_at is its create_at and its delete_at is 0.
 */
import type { ReactionRow } from '../store/schema.js';

export type ReactionJson = {
  user_id: string;
  post_id: string;
  emoji_name: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  remote_id: string;
  channel_id: string;
};

export function reactionJson(row: ReactionRow, deletedAt = 0): ReactionJson {
  return {
    user_id: row.user_id,
    post_id: row.post_id,
    emoji_name: row.emoji_name,
    create_at: row.create_at,
    update_at: deletedAt || row.create_at,
    delete_at: deletedAt,
    remote_id: '',
    channel_id: row.channel_id,
  };
}

/** Reaction JSON grouped by post, in the order the rows came. */
export function groupByPost(rows: readonly ReactionRow[]): Map<string, ReactionJson[]> {
  const byPost = new Map<string, ReactionJson[]>();
  for (const row of rows) {
    let list = byPost.get(row.post_id);
    if (!list) byPost.set(row.post_id, (list = []));
    list.push(reactionJson(row));
  }
  return byPost;
}
