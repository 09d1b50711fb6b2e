/**
 * group_constrained at the storage edge: the 0002 migration on a database that already holds
 * channels, and archived channels (chat-core has no archive route yet, so the test archives one
 * through a second connection to the same database, as a later archive route would write it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Migrator, sql } from 'kysely';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVISION_CHANNEL_PATH, PROVISION_PATH } from '../../../chat-core/contract.js';
import { startChatCore, type RunningChatCore } from '../../../chat-core/src/main.js';
import { findChannel } from '../../../chat-core/src/store/channels.js';
import { openDatabase, type ChatDatabase, type DatabaseConfig } from '../../../chat-core/src/store/database.js';
import { CHAT_CORE_MIGRATIONS, migrateToLatest } from '../../../chat-core/src/store/migrations.js';
import { createTestIssuer, type TestIssuer } from '../../support/assertions.js';
import { createTestPostgres, type TestPostgres } from '../../support/databases.js';
import { DIALECTS, bearer, createTestClock, memberOf, newTeamId, type Dialect } from './harness.js';

interface Store {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** A database both chat-core and the test can open: a SQLite file (WAL) or a fresh PostgreSQL database. */
async function createStore(dialect: Dialect): Promise<Store> {
  if (dialect === 'postgres') {
    const postgres: TestPostgres = await createTestPostgres('gh_chat_gc');
    return { config: { databaseUrl: postgres.url }, drop: () => postgres.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'gh-chat-gc-'));
  return { config: { sqlitePath: join(dir, 'chat.db') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

describe.each(DIALECTS)('chat-core group_constrained storage on %s', (dialect) => {
  it('adds group_constrained = 0 to the channels that exist when 0002 runs', async () => {
    const store = await createStore(dialect);
    const { db } = openDatabase(store.config);
    try {
      const initialOnly = { getMigrations: async () => ({ '0001_initial': CHAT_CORE_MIGRATIONS['0001_initial']! }) };
      const migrator = new Migrator({ db, provider: initialOnly, migrationTableName: 'chat_core_migration', migrationLockTableName: 'chat_core_migration_lock' });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      await sql`insert into channels (id, team_id, type, name, display_name, creator_id, create_at, update_at)
        values ('aaaaaaaaaaaaaaaaaaaaaaaaaa', 'team1', 'P', 'old', 'Old', 'u1', 1, 1)`.execute(db);
      expect((await migrateToLatest(db)).applied).toEqual(Object.keys(CHAT_CORE_MIGRATIONS).slice(1));
      expect(await findChannel(db, 'aaaaaaaaaaaaaaaaaaaaaaaaaa')).toMatchObject({ name: 'old', group_constrained: 0, moderations: '{}' });
      expect((await migrateToLatest(db)).applied).toEqual([]);
    } finally {
      await db.destroy();
      await store.drop();
    }
  });

  describe('an archived channel', () => {
    let store: Store;
    let issuer: TestIssuer;
    let running: RunningChatCore;
    let db: ChatDatabase;
    const clock = createTestClock();
    beforeAll(async () => {
      store = await createStore(dialect);
      issuer = await createTestIssuer({ now: clock.now });
      running = await startChatCore({
        config: { ...store.config, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, algorithm: issuer.algorithm, clockSkewSeconds: 30, jwksCooldownMs: 30_000, maxPostLength: 16_383 },
        logger: pino({ level: 'silent' }), now: clock.now, host: '127.0.0.1', port: 0,
      });
      expect((running.server.address() as AddressInfo).port).toBeGreaterThan(0);
      db = openDatabase(store.config).db;
    });
    afterAll(async () => {
      await db?.destroy();
      await running?.close();
      await issuer?.close();
      await store?.drop();
    });

    it('is unknown to group sync and refuses a patch', async () => {
      const team = newTeamId();
      const owner = await issuer.mint({ teams: memberOf(team) });
      const admin = await issuer.mint({ roles: ['system_admin', 'system_user'], teams: memberOf(team) });
      const http = () => request(running.server);
      const created = await http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name: 'gone', display_name: 'Gone', type: 'P' });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const provisioner = await issuer.mintProvision();
      expect((await http().get(`${PROVISION_CHANNEL_PATH}/${id}`).set(...bearer(provisioner))).status).toBe(200);

      await db.updateTable('channels').set({ delete_at: clock.now() }).where('id', '=', id).execute();

      const read = await http().get(`${PROVISION_CHANNEL_PATH}/${id}`).set(...bearer(provisioner));
      expect(read.status).toBe(404);
      expect(read.body.id).toBe('provision.channel_not_found');
      const constrained = await http().post(PROVISION_PATH).set(...bearer(provisioner))
        .send({ events: [{ type: 'channel.constrained', channel_id: id, group_constrained: true }] });
      expect(constrained.status).toBe(400);
      expect(constrained.body).toMatchObject({ id: 'provision.channel_not_found', detailed_error: expect.stringContaining('events[0]') });
      const patched = await http().put(`/api/v4/channels/${id}/patch`).set(...bearer(admin)).send({ display_name: 'Back', group_constrained: true });
      expect(patched.status).toBe(400);
      expect(patched.body.id).toBe('api.channel.update_channel.deleted.app_error');
      expect(await findChannel(db, id)).toMatchObject({ display_name: 'Gone', group_constrained: 0 });
    });
  });
});
