import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssertionClaims } from '../../../chat-core/contract.js';
import { migrateChatCore, openDatabase, type ChatDatabase } from '../../../chat-core/src/store/database.js';
import { CHAT_CORE_MIGRATIONS, migrateToLatest } from '../../../chat-core/src/store/migrations.js';
import { findUser, listUserTeams } from '../../../chat-core/src/store/users.js';
import { createUserMirror, type UserMirror } from '../../../chat-core/src/users/user-mirror.js';
import { createTestPostgres, type TestPostgres } from '../../support/databases.js';

const claimsFor = (overrides: Partial<AssertionClaims>): AssertionClaims => ({
  iss: 'https://gw', aud: 'chat-core', sub: 'u1', sid: 's', iat: 1, exp: 2, jti: 'j', username: 'alice', name: 'Alice',
  roles: ['system_user'], teams: { t1: ['team_user'] }, guest: false, amr: ['pwd'], auth_time: 1, ...overrides,
});

describe.each(['sqlite', 'postgres'] as const)('chat-core storage on %s', (dialect) => {
  let postgres: TestPostgres | undefined;
  let db: ChatDatabase;
  let now = 1_000;
  let mirror: UserMirror;
  const config = () => (postgres ? { databaseUrl: postgres.url } : { sqlitePath: ':memory:' });
  beforeAll(async () => {
    if (dialect === 'postgres') postgres = await createTestPostgres('gh_chat_store');
    db = openDatabase(config()).db;
    await migrateToLatest(db);
    mirror = createUserMirror({ db, now: () => now });
  });
  afterAll(async () => {
    await db.destroy();
    await postgres?.drop();
  });

  it('applies its migrations once and is up to date after', async () => {
    if (!postgres) {
      expect((await migrateToLatest(db)).applied).toEqual([]);
      return;
    }
    const fresh = await createTestPostgres('gh_chat_mig');
    try {
      expect((await migrateChatCore({ databaseUrl: fresh.url })).applied).toEqual(Object.keys(CHAT_CORE_MIGRATIONS));
      expect((await migrateChatCore({ databaseUrl: fresh.url })).applied).toEqual([]);
    } finally {
      await fresh.drop();
    }
  });

  it('mirrors a user on first sight and writes again only when the assertion says something new', async () => {
    await mirror.admit(claimsFor({}));
    expect(await findUser(db, 'u1')).toMatchObject({ username: 'alice', display_name: 'Alice', guest: 0, deactivated: 0, update_at: 1_000 });
    expect(typeof (await findUser(db, 'u1'))?.update_at).toBe('number');
    now = 2_000;
    await mirror.admit(claimsFor({}));
    expect((await findUser(db, 'u1'))?.update_at).toBe(1_000);
    await mirror.admit(claimsFor({ username: 'alice2', teams: { t2: ['team_user'], t3: ['team_admin'] } }));
    expect(await findUser(db, 'u1')).toMatchObject({ username: 'alice2', update_at: 2_000 });
    expect((await listUserTeams(db, 'u1')).sort()).toEqual(['t2', 't3']);
  });

  it('refuses a user the mirror holds as deactivated, after the node forgets its cached copy', async () => {
    await mirror.admit(claimsFor({ sub: 'u2' }));
    await db.updateTable('users').set({ deactivated: 1 }).where('id', '=', 'u2').execute();
    await mirror.admit(claimsFor({ sub: 'u2' }));
    mirror.forget('u2');
    await expect(mirror.admit(claimsFor({ sub: 'u2' }))).rejects.toMatchObject({ reason: 'ASSERTION_USER_DEACTIVATED' });
  });
});
