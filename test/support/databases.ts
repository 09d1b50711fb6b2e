/**
 * Real database servers for tests. PostgreSQL and Redis must be reachable (`.ci/run` starts them);
 * each test file gets a database / key prefix of its own so runs never collide.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Admin connection used to create and drop per-test databases. */
export const POSTGRES_ADMIN_URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestPostgres {
  url: string;
  drop(): Promise<void>;
}

/** Create a fresh, empty PostgreSQL database and return its URL. */
export async function createTestPostgres(prefix = 'gh'): Promise<TestPostgres> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A key prefix unique to this test run, for Redis-backed tests. */
export function uniqueRedisPrefix(label = 'test'): string {
  return `gh:${label}:${randomBytes(6).toString('hex')}:`;
}
