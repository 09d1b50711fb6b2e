/**
 * chat-core for the webhook tests: harness.ts's setup plus config overrides (secretKey,
 * webhookAllowedHosts, the enable switches) and a second connection to chat-core's own database,
 * so a test can read rows (sealed tokens) and stage states the API does not offer (an archived channel).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import { startChatCore } from '../../../chat-core/src/main.js';
import type { ChatCoreConfigInput } from '../../../chat-core/src/config.js';
import { openDatabase, type ChatDatabase } from '../../../chat-core/src/store/database.js';
import { createTestIssuer, randomUserId } from '../../support/assertions.js';
import { createTestPostgres, type TestPostgres } from '../../support/databases.js';
import { bearer, createTestClock, memberOf, newTeamId, type ChatCoreHarness, type Dialect, type TestUser } from './harness.js';

export interface WebhookHarness extends ChatCoreHarness {
  db: ChatDatabase;
  /** Posts of a channel as stored, oldest first. */
  posts(channelId: string): Promise<{ id: string; user_id: string; message: string; root_id: string; props: Record<string, unknown>; type: string }[]>;
  /** A team with an admin, and a channel the admin created (admin = team_admin). */
  team(type?: 'O' | 'P'): Promise<{ team: string; admin: TestUser; channel: { id: string; name: string } }>;
  /** Archives a channel in the database (chat-core has no archive API yet). */
  archive(channelId: string): Promise<void>;
  /** Resolves when a log line matching `test` has been written; rejects after `timeoutMs`. */
  waitForLog(test: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export const TEST_SECRET_KEY = randomBytes(32).toString('base64');

export async function startWebhookHarness(dialect: Dialect, config: Partial<ChatCoreConfigInput> = {}): Promise<WebhookHarness> {
  const clock = createTestClock();
  const issuer = await createTestIssuer({ algorithm: 'EdDSA', now: clock.now });
  const postgres: TestPostgres | undefined = dialect === 'postgres' ? await createTestPostgres('gh_hooks') : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-hooks-'));
  const storage = postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(dir, 'chat.sqlite') };
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const running = await startChatCore({
    config: {
      ...storage, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, algorithm: issuer.algorithm, clockSkewSeconds: 30,
      jwksCooldownMs: 30_000, maxPostLength: 1000, ...config,
    },
    logger, now: clock.now, host: '127.0.0.1', port: 0,
  });
  const { db } = openDatabase(storage);
  const url = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
  const user = async (claims: Record<string, unknown> = {}): Promise<TestUser> => {
    const id = typeof claims.sub === 'string' ? claims.sub : randomUserId();
    const full = { username: `u${id.slice(0, 10)}`, name: `User ${id.slice(0, 4)}`, ...claims, sub: id };
    return { id, token: await issuer.mint(full), claims: full };
  };
  const http = () => request(running.server);
  return {
    dialect, running, url, issuer, clock, logs, db, user, http,
    async posts(channelId) {
      const rows = await db.selectFrom('posts').selectAll().where('channel_id', '=', channelId).orderBy('create_at').orderBy('id').execute();
      return rows.map((row) => ({ ...row, props: JSON.parse(row.props) as Record<string, unknown> }));
    },
    async team(type = 'O') {
      const team = newTeamId();
      const admin = await user({ teams: { [team]: ['team_user', 'team_admin'] } });
      const name = `room-${randomBytes(3).toString('hex')}`;
      const res = await http().post('/api/v4/channels').set(...bearer(admin)).send({ team_id: team, name, display_name: 'Room', type });
      if (res.status !== 201) throw new Error(`channel not created: ${res.status} ${res.text}`);
      return { team, admin, channel: res.body as { id: string; name: string } };
    },
    async archive(channelId) {
      await db.updateTable('channels').set({ delete_at: clock.now() }).where('id', '=', channelId).execute();
    },
    waitForLog(test, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = () => {
          const line = logs.find(test);
          if (line) return resolve(line);
          if (Date.now() - started > timeoutMs) return reject(new Error('expected log line not written in time'));
          setTimeout(poll, 10);
        };
        poll();
      });
    },
    async close() {
      await running.close();
      await db.destroy();
      await issuer.close();
      await postgres?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { bearer, memberOf, newTeamId };
