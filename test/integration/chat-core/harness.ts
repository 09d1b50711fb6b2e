/**
 * chat-core on port 0 for a test, on SQLite (in memory) or a fresh PostgreSQL database, with a
 * test issuer for its JWKS, an injected clock and the log lines captured for assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { startChatCore, type RunningChatCore } from '../../../chat-core/src/main.js';
import { openDatabase, type ChatDatabase, type DatabaseConfig } from '../../../chat-core/src/store/database.js';
import type { AssertionAlgorithm } from '../../../chat-core/contract.js';
import { createTestIssuer, randomUserId, type Overrides, type TestIssuer } from '../../support/assertions.js';
import { createTestPostgres, type TestPostgres } from '../../support/databases.js';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export interface TestUser {
  id: string;
  token: string;
  claims: Overrides;
}

export interface ChatCoreHarness {
  dialect: Dialect;
  running: RunningChatCore;
  url: string;
  issuer: TestIssuer;
  clock: TestClock;
  logs: Record<string, unknown>[];
  /** A signed-in user: a fresh id and a valid assertion carrying `claims`. */
  user(claims?: Overrides): Promise<TestUser>;
  /** A supertest agent bound to the running server. */
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  algorithm?: AssertionAlgorithm;
  maxPostLength?: number;
  jwksCooldownMs?: number;
}

/** chat-core on a store the test opens too (see startStoredHarness). */
export interface StoredHarness extends ChatCoreHarness {
  /** The test's own connection to chat-core's database. */
  db: ChatDatabase;
  /** chat-core's files directory. */
  filesDir: string;
}

export function createTestClock(start = Date.UTC(2025, 0, 15, 12, 0, 0)): TestClock {
  let current = start;
  return { now: () => current, advance: (ms) => { current += ms; } };
}

export function startHarness(dialect: Dialect, options: HarnessOptions = {}): Promise<ChatCoreHarness> {
  return start(dialect, options, false);
}

/**
 * chat-core on a store the test can open too — a SQLite file instead of `:memory:`, or the
 * PostgreSQL database — with a files directory on disk, so a test can write rows its routes do not
 * and check what was (not) written.
 */
export async function startStoredHarness(dialect: Dialect, options: HarnessOptions = {}): Promise<StoredHarness> {
  return (await start(dialect, options, true)) as StoredHarness;
}

async function start(dialect: Dialect, options: HarnessOptions, stored: boolean): Promise<ChatCoreHarness | StoredHarness> {
  const clock = createTestClock();
  const issuer = await createTestIssuer({ algorithm: options.algorithm ?? 'EdDSA', now: clock.now });
  const postgres: TestPostgres | undefined = dialect === 'postgres' ? await createTestPostgres('gh_chat') : undefined;
  const dir = stored ? mkdtempSync(join(tmpdir(), 'gh-chat-')) : undefined;
  const store: DatabaseConfig = postgres ? { databaseUrl: postgres.url } : { sqlitePath: dir ? join(dir, 'chat.db') : ':memory:' };
  const filesDir = dir ? join(dir, 'files') : '';
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const running = await startChatCore({
    config: {
      ...store, ...(dir ? { filesDirectory: filesDir } : {}),
      issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, algorithm: issuer.algorithm, clockSkewSeconds: 30,
      jwksCooldownMs: options.jwksCooldownMs ?? 30_000, maxPostLength: options.maxPostLength ?? 16_383,
    },
    logger, now: clock.now, host: '127.0.0.1', port: 0,
  });
  const db = stored ? openDatabase(store).db : undefined;
  const url = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
  return {
    dialect, running, url, issuer, clock, logs, ...(db ? { db, filesDir } : {}),
    async user(claims = {}) {
      const id = typeof claims.sub === 'string' ? claims.sub : randomUserId();
      const full = { username: `u${id.slice(0, 10)}`, name: `User ${id.slice(0, 4)}`, ...claims, sub: id };
      return { id, token: await issuer.mint(full), claims: full };
    },
    http: () => request(running.server),
    async close() {
      await db?.destroy();
      await running.close();
      await issuer.close();
      await postgres?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Team claims granting `team_user` in each team. */
export function memberOf(...teamIds: string[]): Record<string, string[]> {
  return Object.fromEntries(teamIds.map((id) => [id, ['team_user']]));
}

export function bearer(user: TestUser | string): [string, string] {
  return ['Authorization', `Bearer ${typeof user === 'string' ? user : user.token}`];
}

export function newTeamId(): string {
  return randomUserId();
}
