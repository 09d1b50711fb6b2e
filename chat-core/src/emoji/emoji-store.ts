/**
 * Custom emoji rows. A deleted emoji keeps its row (delete_at > 0) and frees its name: the unique
 * index is on (name, delete_at), so only one live emoji holds a name at a time.
 */
import { sql } from 'kysely';
import type { Page } from '../store/channels.js';
import type { ChatDatabase } from '../store/database.js';
import type { EmojiRow } from '../store/schema.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { removeReactionsNamed } from '../reactions/reaction-store.js';

export function findLiveEmoji(db: ChatDatabase, id: string): Promise<EmojiRow | undefined> {
  return db.selectFrom('emoji').selectAll().where('id', '=', id).where('delete_at', '=', 0).executeTakeFirst();
}

export function findLiveEmojiByName(db: ChatDatabase, name: string): Promise<EmojiRow | undefined> {
  return db.selectFrom('emoji').selectAll().where('name', '=', name).where('delete_at', '=', 0).executeTakeFirst();
}

export async function findLiveEmojiByNames(db: ChatDatabase, names: readonly string[]): Promise<EmojiRow[]> {
  if (names.length === 0) return [];
  return db.selectFrom('emoji').selectAll().where('name', 'in', names).where('delete_at', '=', 0).orderBy('name').execute();
}

/** Live emoji by name, or in creation order (Mattermost leaves that order unspecified; this pins it). */
export function listLiveEmoji(db: ChatDatabase, page: Page, byName: boolean): Promise<EmojiRow[]> {
  const query = db.selectFrom('emoji').selectAll().where('delete_at', '=', 0);
  const ordered = byName ? query.orderBy('name') : query.orderBy('create_at').orderBy('id');
  return ordered.limit(page.limit).offset(page.offset).execute();
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Live emoji whose name starts with (or contains) `term`, case-insensitively on both dialects. */
export function searchLiveEmoji(db: ChatDatabase, term: string, prefixOnly: boolean, limit: number): Promise<EmojiRow[]> {
  const pattern = `${prefixOnly ? '' : '%'}${escapeLike(term.toLowerCase())}%`;
  return db.selectFrom('emoji').selectAll().where('delete_at', '=', 0)
    .where(sql<boolean>`lower(name) like ${pattern} escape '\\'`)
    .orderBy('name').limit(limit).execute();
}

/** Inserts the emoji; false when a live emoji already holds the name (the unique index decides races). */
export async function insertEmoji(db: ChatDatabase, row: EmojiRow): Promise<boolean> {
  try {
    await db.insertInto('emoji').values(row).execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/**
 * Soft-deletes a live emoji and, as Mattermost does, takes every reaction using its name off
 * their posts, in one transaction. False when it was not live any more.
 */
export async function softDeleteEmoji(db: ChatDatabase, emoji: EmojiRow, at: number): Promise<boolean> {
  // Two deletions of one name in the same millisecond would collide on (name, delete_at).
  for (let deleteAt = at; deleteAt < at + 5; deleteAt += 1) {
    try {
      return await db.transaction().execute(async (trx) => {
        const result = await trx.updateTable('emoji').set({ delete_at: deleteAt, update_at: deleteAt })
          .where('id', '=', emoji.id).where('delete_at', '=', 0).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await removeReactionsNamed(trx, emoji.name, deleteAt);
        return true;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error(`could not find a free delete_at for emoji ${emoji.id}`);
}
