/** The reactions a post's metadata carries (the seam posts/post-json.ts calls). */
import type { ChatDatabase } from '../store/database.js';
import { groupByPost } from './reaction-json.js';
import { listReactionsForPosts } from './reaction-store.js';

/**
 * Mattermost Reaction JSON for each of these posts that has reactions, oldest first; posts
 * without any are absent from the map. The caller decides which posts it may show.
 */
export async function reactionsForPosts(db: ChatDatabase, postIds: readonly string[]): Promise<Map<string, Record<string, unknown>[]>> {
  if (postIds.length === 0) return new Map();
  const grouped = groupByPost(await listReactionsForPosts(db, [...new Set(postIds)]));
  return grouped;
}
