/**
 * Reaction rows and the post flags that follow them. Every change first locks the post row (an
 * UPDATE takes PostgreSQL's row lock; SQLite serializes writers anyway), so concurrent reactions on
 * one post are counted and flagged one after another: `has_reactions` is set by the first reaction
 * and cleared by the last, `update_at` moves with each change, all in the reaction's transaction.
 */
import type { ChatDatabase } from '../store/database.js';
import type { ReactionRow } from '../store/schema.js';

/** Mattermost's ServiceSettings.UniqueEmojiReactionLimitPerPost default. */
export const UNIQUE_EMOJI_REACTION_LIMIT_PER_POST = 50;

export type AddOutcome =
  | { kind: 'added'; row: ReactionRow }
  | { kind: 'exists'; row: ReactionRow }
  | { kind: 'post_gone' }
  | { kind: 'too_many' };

const CHUNK = 500;

async function lockLivePost(db: ChatDatabase, postId: string): Promise<boolean> {
  const result = await db.updateTable('posts').set((eb) => ({ has_reactions: eb.ref('has_reactions') }))
    .where('id', '=', postId).where('delete_at', '=', 0).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function findReaction(db: ChatDatabase, postId: string, userId: string, emojiName: string): Promise<ReactionRow | undefined> {
  return db.selectFrom('reactions').selectAll()
    .where('post_id', '=', postId).where('user_id', '=', userId).where('emoji_name', '=', emojiName)
    .executeTakeFirst();
}

/** True when one more distinct emoji would pass the per-post limit. */
async function wouldPassLimit(db: ChatDatabase, postId: string, emojiName: string, limit: number): Promise<boolean> {
  const present = await db.selectFrom('reactions').select('emoji_name')
    .where('post_id', '=', postId).where('emoji_name', '=', emojiName).limit(1).executeTakeFirst();
  if (present) return false;
  const counted = await db.selectFrom('reactions')
    .select((eb) => eb.fn.count<number | string>('emoji_name').distinct().as('unique_emoji'))
    .where('post_id', '=', postId).executeTakeFirstOrThrow();
  return Number(counted.unique_emoji) >= limit;
}

/** Adds the reaction unless it is there already (adding twice changes nothing). */
export function addReaction(db: ChatDatabase, row: ReactionRow, limit = UNIQUE_EMOJI_REACTION_LIMIT_PER_POST): Promise<AddOutcome> {
  return db.transaction().execute(async (trx): Promise<AddOutcome> => {
    if (!(await lockLivePost(trx, row.post_id))) return { kind: 'post_gone' };
    const existing = await findReaction(trx, row.post_id, row.user_id, row.emoji_name);
    if (existing) return { kind: 'exists', row: existing };
    if (await wouldPassLimit(trx, row.post_id, row.emoji_name, limit)) return { kind: 'too_many' };
    await trx.insertInto('reactions').values(row).execute();
    await trx.updateTable('posts').set({ has_reactions: 1, update_at: row.create_at }).where('id', '=', row.post_id).execute();
    return { kind: 'added', row };
  });
}

async function refreshPostFlag(db: ChatDatabase, postId: string, at: number): Promise<void> {
  const remaining = await db.selectFrom('reactions').select('post_id').where('post_id', '=', postId).limit(1).executeTakeFirst();
  await db.updateTable('posts').set({ has_reactions: remaining ? 1 : 0, update_at: at }).where('id', '=', postId).execute();
}

/** Removes the reaction; undefined when there was none (or the post is gone). */
export function removeReaction(
  db: ChatDatabase, postId: string, userId: string, emojiName: string, at: number,
): Promise<ReactionRow | undefined> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockLivePost(trx, postId))) return undefined;
    const existing = await findReaction(trx, postId, userId, emojiName);
    if (!existing) return undefined;
    await trx.deleteFrom('reactions')
      .where('post_id', '=', postId).where('user_id', '=', userId).where('emoji_name', '=', emojiName).execute();
    await refreshPostFlag(trx, postId, at);
    return existing;
  });
}

/**
 * Removes every reaction with this emoji name (its custom emoji was deleted) and refreshes the
 * flags of the posts they were on. Runs inside the caller's transaction.
 */
export async function removeReactionsNamed(trx: ChatDatabase, emojiName: string, at: number): Promise<void> {
  const posts = await trx.selectFrom('reactions').select('post_id').distinct().where('emoji_name', '=', emojiName).execute();
  if (posts.length === 0) return;
  await trx.deleteFrom('reactions').where('emoji_name', '=', emojiName).execute();
  for (const { post_id } of posts) await refreshPostFlag(trx, post_id, at);
}

/** Reactions of these posts, oldest first. */
export async function listReactionsForPosts(db: ChatDatabase, postIds: readonly string[]): Promise<ReactionRow[]> {
  const rows: ReactionRow[] = [];
  for (let i = 0; i < postIds.length; i += CHUNK) {
    const chunk = postIds.slice(i, i + CHUNK);
    rows.push(...await db.selectFrom('reactions').selectAll().where('post_id', 'in', chunk)
      .orderBy('create_at').orderBy('user_id').orderBy('emoji_name').execute());
  }
  return rows;
}
