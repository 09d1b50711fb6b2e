/** The reactions a post's metadata carries. (Seam; the reactions work fills it in.) */
import type { ChatDatabase } from '../store/database.js';

/** Mattermost Reaction JSON for each post that has reactions. */
export async function reactionsForPosts(_db: ChatDatabase, _postIds: readonly string[]): Promise<Map<string, Record<string, unknown>[]>> {
  return new Map();
}
