/**
 * Opening an SQL database through Kysely: better-sqlite3 (embedded default) or pg (production).
 * Both dialects see the same schema; BIGINT columns come back as numbers on both.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';

export type SqlDialectName = 'sqlite' | 'postgres';

export interface SqlTarget {
  /** postgres:// URL; when absent, SQLite at `sqlitePath`. */
  url?: string | undefined;
  sqlitePath: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

export interface SqlHandle<DB> {
  db: Kysely<DB>;
  dialect: SqlDialectName;
  close(): Promise<void>;
}

/** int8 → number: ids are text, and every BIGINT here is a millisecond timestamp or a counter. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function openSql<DB>(target: SqlTarget): SqlHandle<DB> {
  if (target.url) {
    const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10, types: pgTypes as pg.CustomTypesConfig });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  if (target.sqlitePath !== ':memory:') mkdirSync(dirname(target.sqlitePath), { recursive: true });
  const sqlite = new Database(target.sqlitePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** True when the error is a unique-constraint violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
