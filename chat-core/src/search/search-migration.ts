/**
 * The post search index, the one dialect-specific migration.
 *
 * SQLite: a contentless FTS5 table (`unicode61 remove_diacritics 2`: Unicode word boundaries, case
 * and diacritics folded) keyed by a small rowid table, kept in step with `posts` by triggers.
 * Only live posts are indexed: a soft delete (delete_at > 0) takes the post out, an edit replaces
 * the old text with the new. Posts already stored are indexed when the migration runs.
 *
 * PostgreSQL: a GIN index on an immutable function of `message` — the `simple` configuration
 * (no stemming, no stop words, so every language is treated alike) after NFD decomposition with
 * the combining diacritical marks removed, matching what SQLite folds. The index follows every
 * write by itself; CREATE INDEX covers the posts already stored (it locks writes to `posts` while
 * it builds).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import {
  PG_FOLD_FUNCTION, PG_INDEX, PG_VECTOR_FUNCTION, SQLITE_DOCS_TABLE, SQLITE_FTS_TABLE, searchDialectOf,
} from './search-dialect.js';

const DOCS = SQLITE_DOCS_TABLE;
const FTS = SQLITE_FTS_TABLE;

/** Removes `post_id` from the index (a no-op when it is not indexed). */
const unindex = (postId: string) => `
  DELETE FROM ${FTS} WHERE rowid = (SELECT doc FROM ${DOCS} WHERE post_id = ${postId});
  DELETE FROM ${DOCS} WHERE post_id = ${postId};`;

/** Indexes the row `ref` (new) when it is live. */
const index = (ref: string) => `
  INSERT INTO ${DOCS} (post_id) SELECT ${ref}.id WHERE ${ref}.delete_at = 0;
  INSERT INTO ${FTS} (rowid, message) SELECT doc, ${ref}.message FROM ${DOCS} WHERE post_id = ${ref}.id AND ${ref}.delete_at = 0;`;

const SQLITE_UP = [
  `CREATE TABLE ${DOCS} (doc INTEGER PRIMARY KEY AUTOINCREMENT, post_id TEXT NOT NULL UNIQUE)`,
  `CREATE VIRTUAL TABLE ${FTS} USING fts5(message, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`,
  `CREATE TRIGGER post_search_after_insert AFTER INSERT ON posts BEGIN ${index('new')} END`,
  `CREATE TRIGGER post_search_after_update AFTER UPDATE OF id, message, delete_at ON posts BEGIN ${unindex('old.id')} ${index('new')} END`,
  `CREATE TRIGGER post_search_after_delete AFTER DELETE ON posts BEGIN ${unindex('old.id')} END`,
  `INSERT INTO ${DOCS} (post_id) SELECT id FROM posts WHERE delete_at = 0 ORDER BY create_at, id`,
  `INSERT INTO ${FTS} (rowid, message) SELECT d.doc, p.message FROM ${DOCS} d JOIN posts p ON p.id = d.post_id`,
];

const SQLITE_DOWN = [
  'DROP TRIGGER IF EXISTS post_search_after_delete',
  'DROP TRIGGER IF EXISTS post_search_after_update',
  'DROP TRIGGER IF EXISTS post_search_after_insert',
  `DROP TABLE IF EXISTS ${FTS}`,
  `DROP TABLE IF EXISTS ${DOCS}`,
];

/** SQLite runs migrations outside a transaction (Kysely's choice); a half-built index must not stay. */
async function runSqlite(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const statement of statements) await sql.raw(statement).execute(trx);
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** normalize() exists only on UTF8 databases; elsewhere the fold is the identity (case still folds). */
function foldBody(utf8: boolean): string {
  return utf8
    ? String.raw`SELECT pg_catalog.regexp_replace(pg_catalog.normalize($1, 'NFD'), E'[\\u0300-\\u036f]', '', 'g')`
    : 'SELECT $1';
}

async function postgresUp(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ schema: string; encoding: string }>`
    SELECT current_schema() AS schema, pg_catalog.current_setting('server_encoding') AS encoding`.execute(db);
  const schema = quoteIdentifier(rows[0]!.schema);
  const fold = `${schema}.${PG_FOLD_FUNCTION}`;
  const vector = `${schema}.${PG_VECTOR_FUNCTION}`;
  // Qualified names inside the bodies: an index expression must not depend on the search_path
  // of whoever writes a post (or restores a dump).
  await sql.raw(`CREATE FUNCTION ${fold}(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $fold$ ${foldBody(rows[0]!.encoding.toUpperCase() === 'UTF8')} $fold$`).execute(db);
  await sql.raw(`CREATE FUNCTION ${vector}(text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $vector$ SELECT pg_catalog.to_tsvector('pg_catalog.simple'::pg_catalog.regconfig, ${fold}($1)) $vector$`).execute(db);
  await sql.raw(`CREATE INDEX ${PG_INDEX} ON posts USING gin (${vector}(message))`).execute(db);
}

async function postgresDown(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP INDEX IF EXISTS ${PG_INDEX}`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS ${PG_VECTOR_FUNCTION}(text)`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS ${PG_FOLD_FUNCTION}(text)`).execute(db);
}

export const postSearch: Migration = {
  async up(db) {
    if (searchDialectOf(db) === 'postgres') await postgresUp(db);
    else await runSqlite(db, SQLITE_UP);
  },
  async down(db) {
    if (searchDialectOf(db) === 'postgres') await postgresDown(db);
    else await runSqlite(db, SQLITE_DOWN);
  },
};
