/**
 * The one place post search asks which database it runs on: the index and the match are the
 * only dialect-specific SQL in chat-core. Names are shared by the migration and the queries.
 */
import { PostgresAdapter, SqliteAdapter, type Kysely } from 'kysely';

export type SearchDialect = 'sqlite' | 'postgres';

export function searchDialectOf<DB>(db: Kysely<DB>): SearchDialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error('post search supports SQLite and PostgreSQL only');
}

/** SQLite: one row per indexed post; `doc` is the FTS5 rowid (an INTEGER PRIMARY KEY, so VACUUM keeps it). */
export const SQLITE_DOCS_TABLE = 'post_search_docs';
/** SQLite: the contentless FTS5 table over posts.message. */
export const SQLITE_FTS_TABLE = 'post_search_fts';
/** PostgreSQL: immutable text → tsvector function the GIN index is built on. */
export const PG_VECTOR_FUNCTION = 'chat_post_search_vector';
/** PostgreSQL: the folding (diacritics off) both the index and the queries apply. */
export const PG_FOLD_FUNCTION = 'chat_post_search_fold';
export const PG_INDEX = 'posts_search_idx';
