/**
 * Opens chat-core's database: PostgreSQL when a postgres:// URL is configured, otherwise an
 * embedded SQLite file (or ':memory:').
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, type MigrationOutcome } from './migrations.js';
import type { ChatSchema } from './schema.js';

export type ChatDatabase = Kysely<ChatSchema>;
export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseConfig {
  databaseUrl?: string | undefined;
  sqlitePath?: string | undefined;
}

export interface OpenedDatabase {
  db: ChatDatabase;
  dialect: Dialect;
}

const INT8_OID = 20;

export function openDatabase(config: DatabaseConfig): OpenedDatabase {
  const url = config.databaseUrl;
  if (url && /^postgres(?:ql)?:\/\//.test(url)) return { db: openPostgres(url), dialect: 'postgres' };
  return { db: openSqlite(config.sqlitePath ?? ':memory:'), dialect: 'sqlite' };
}

function openPostgres(connectionString: string): ChatDatabase {
  // bigint columns hold ms timestamps and counters, all well inside Number's safe range; the
  // parser is per pool, so no global pg state is touched.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString, types, max: 10 });
  // An idle client dropped by the server (restart, failover) must not crash the process: the pool
  // replaces it, and a query in flight fails on its own promise.
  pool.on('error', () => {});
  return new Kysely<ChatSchema>({ dialect: new PostgresDialect({ pool }) });
}

function openSqlite(path: string): ChatDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  if (path !== ':memory:') database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new Kysely<ChatSchema>({ dialect: new SqliteDialect({ database }) });
}

/** Resolves when the database answers a trivial query (readiness). */
export async function pingDatabase(db: ChatDatabase): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Opens the database, applies pending migrations and closes it again (the `migrate` command). */
export async function migrateChatCore(config: DatabaseConfig): Promise<MigrationOutcome> {
  const { db } = openDatabase(config);
  try {
    return await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}
