/** Mattermost API v4 Post and PostList shapes. A deleted post keeps its ids and times, never its content. */
import { fileInfosForPosts } from '../files/attach-files.js';
import { reactionsForPosts } from '../reactions/post-reactions.js';
import type { ChatDatabase } from '../store/database.js';
import { countReplies, fileIdsOf } from '../store/posts.js';
import type { PostRow } from '../store/schema.js';

export interface PostMetadata {
  files?: Record<string, unknown>[];
  reactions?: Record<string, unknown>[];
}

export type PostJson = ReturnType<typeof postJson>;

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}


export function postJson(row: PostRow, replyCount = 0, pendingPostId = '', metadata: PostMetadata = {}) {
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
    props: deleted ? {} : parseObject(row.props),
    hashtags: '',
    pending_post_id: pendingPostId,
    reply_count: replyCount,
    file_ids: deleted ? [] : fileIdsOf(row),
    has_reactions: !deleted && row.has_reactions === 1,
    metadata: deleted ? {} : metadata,
  };
}

/** Thread sizes for a set of posts: a root and each of its replies carry the thread's reply count. */
export async function replyCountsFor(db: ChatDatabase, rows: readonly PostRow[]): Promise<Map<string, number>> {
  const roots = [...new Set(rows.map((row) => row.root_id || row.id))];
  return countReplies(db, roots);
}

/** Posts as clients see them: reply counts, and the files and reactions in `metadata`. */
export async function decoratedPosts(db: ChatDatabase, rows: readonly PostRow[]): Promise<Map<string, PostJson>> {
  const live = rows.filter((row) => row.delete_at === 0);
  const [counts, files, reactions] = await Promise.all([
    replyCountsFor(db, rows),
    fileInfosForPosts(db, live.filter((row) => row.file_ids !== '[]')),
    reactionsForPosts(db, live.filter((row) => row.has_reactions === 1).map((row) => row.id)),
  ]);
  const out = new Map<string, PostJson>();
  for (const row of rows) {
    const metadata: PostMetadata = {};
    const rowFiles = files.get(row.id);
    const rowReactions = reactions.get(row.id);
    if (rowFiles) metadata.files = rowFiles;
    if (rowReactions) metadata.reactions = rowReactions;
    out.set(row.id, postJson(row, counts.get(row.root_id || row.id) ?? 0, '', metadata));
  }
  return out;
}

export async function decoratedPost(db: ChatDatabase, row: PostRow, pendingPostId = ''): Promise<PostJson> {
  const post = (await decoratedPosts(db, [row])).get(row.id)!;
  return { ...post, pending_post_id: pendingPostId };
}
