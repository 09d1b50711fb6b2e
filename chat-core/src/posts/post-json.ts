/** Mattermost API v4 Post and PostList shapes. A deleted post keeps its ids and times, never its content. */
import type { ChatDatabase } from '../store/database.js';
import { countReplies } from '../store/posts.js';
import type { PostRow } from '../store/schema.js';

export type PostJson = ReturnType<typeof postJson>;

function parseProps(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function postJson(row: PostRow, replyCount = 0, pendingPostId = '') {
  const deleted = row.delete_at > 0;
  return {
    id: row.id,
    create_at: row.create_at,
    update_at: row.update_at,
    edit_at: row.edit_at,
    delete_at: row.delete_at,
    is_pinned: row.is_pinned === 1,
    user_id: row.user_id,
    channel_id: row.channel_id,
    root_id: row.root_id,
    original_id: '',
    message: deleted ? '' : row.message,
    type: row.type,
    props: deleted ? {} : parseProps(row.props),
    hashtags: '',
    pending_post_id: pendingPostId,
    reply_count: replyCount,
    metadata: {},
  };
}

/** Thread sizes for a set of posts: a root and each of its replies carry the thread's reply count. */
export async function replyCountsFor(db: ChatDatabase, rows: readonly PostRow[]): Promise<Map<string, number>> {
  const roots = [...new Set(rows.map((row) => row.root_id || row.id))];
  return countReplies(db, roots);
}

export async function postJsonWithReplies(db: ChatDatabase, row: PostRow, pendingPostId = ''): Promise<PostJson> {
  const counts = await replyCountsFor(db, [row]);
  return postJson(row, counts.get(row.root_id || row.id) ?? 0, pendingPostId);
}
