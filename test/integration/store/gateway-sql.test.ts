import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSql, type SqlHandle } from '../../../src/store/sql/connect.js';
import { migrateGateway } from '../../../src/store/sql/migrations.js';
import type { GatewayDatabase } from '../../../src/store/sql/schema.js';
import { createUserRepository } from '../../../src/directory/users.js';
import { createTeamRepository } from '../../../src/directory/teams.js';
import { createAccessTokenRepository } from '../../../src/tokens/access-tokens.js';
import { createSigningKeys, KeyRotationTooSoonError } from '../../../src/keys/signing-keys.js';
import { createSealer } from '../../../src/keys/seal.js';
import { isGatewayError } from '../../../src/errors/gateway-error.js';
import { createTestPostgres, type TestPostgres } from '../../support/databases.js';

const DIALECTS = ['sqlite', 'postgres'] as const;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (err) { return isGatewayError(err) ? err.code : String((err as Error).message); }
  return 'no error';
}

describe.each(DIALECTS)('gateway SQL storage on %s', (dialect) => {
  let sql: SqlHandle<GatewayDatabase>;
  let pgdb: TestPostgres | undefined;
  let dir: string;
  let clock = 1_700_000_000_000;
  const now = () => clock;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-sql-'));
    if (dialect === 'postgres') pgdb = await createTestPostgres('gh_store');
    sql = openSql<GatewayDatabase>({ url: pgdb?.url, sqlitePath: join(dir, 'gateway.sqlite') });
    expect(sql.dialect).toBe(dialect);
    const first = await migrateGateway(sql.db as never, sql.dialect);
    expect(first.applied).toContain('0001_initial');
  });
  afterAll(async () => {
    await sql?.close();
    await pgdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies migrations once: a second run changes nothing', async () => {
    expect((await migrateGateway(sql.db as never, sql.dialect)).applied).toEqual([]);
  });

  it('stores users with normalized names and refuses duplicates by username or e-mail', async () => {
    const users = createUserRepository(sql.db, now);
    const u = await users.create({ username: 'Carol', email: 'Carol@Example.com' });
    expect(u).toMatchObject({ username: 'carol', email: 'carol@example.com', roles: 'system_user', delete_at: 0 });
    expect(u.id).toMatch(/^[a-z0-9]{26}$/);
    expect(await codeOf(users.create({ username: 'carol', email: 'other@example.com' }))).toBe('USER_EXISTS');
    expect(await codeOf(users.create({ username: 'carol2', email: 'CAROL@example.com' }))).toBe('USER_EXISTS');
    expect((await users.findByLoginId('CAROL@EXAMPLE.COM'))?.id).toBe(u.id);
    expect((await users.findByLoginId(' carol '))?.id).toBe(u.id);
    const again = await users.get(u.id);
    expect(typeof again!.create_at).toBe('number');
    expect(again!.create_at).toBe(clock);
  });

  it('refuses invalid users before writing anything', async () => {
    const users = createUserRepository(sql.db, now);
    expect(await codeOf(users.create({ username: 'x', email: 'x@example.com' }))).toBe('USER_INVALID');
    expect(await codeOf(users.create({ username: 'valid-name', email: 'not-an-email' }))).toBe('USER_INVALID');
    expect(await codeOf(users.create({ username: 'channel', email: 'c@example.com' }))).toBe('USER_INVALID');
    expect(await users.findByLoginId('valid-name')).toBeUndefined();
  });

  it('creates a team and its first admin in one transaction, and leaves nothing behind on a duplicate', async () => {
    const users = createUserRepository(sql.db, now);
    const teams = createTeamRepository(sql.db, now);
    const owner = await users.create({ username: 'owner', email: 'owner@example.com' });
    const other = await users.create({ username: 'other', email: 'other2@example.com' });
    const team = await teams.create({ name: 'platform', displayName: 'Platform' }, owner.id);
    expect(await teams.rolesByTeam(owner.id)).toEqual({ [team.id]: ['team_user', 'team_admin'] });
    expect(await codeOf(teams.create({ name: 'platform', displayName: 'Again' }, other.id))).toBe('TEAM_EXISTS');
    expect(await teams.rolesByTeam(other.id)).toEqual({});
    expect((await teams.getByName('platform'))?.id).toBe(team.id);
  });

  it('adds, re-adds, re-roles and removes team members', async () => {
    const users = createUserRepository(sql.db, now);
    const teams = createTeamRepository(sql.db, now);
    const owner = await users.create({ username: 'owner3', email: 'owner3@example.com' });
    const member = await users.create({ username: 'member3', email: 'member3@example.com' });
    const team = await teams.create({ name: 'team-three', displayName: 'Three' }, owner.id);
    await teams.addMember(team.id, member.id);
    expect(await teams.setMemberRoles(team.id, member.id, ['team_user', 'team_admin'])).toBe(true);
    expect((await teams.getMember(team.id, member.id))?.roles).toBe('team_user team_admin');
    expect(await teams.removeMember(team.id, member.id)).toBe(true);
    expect(await teams.removeMember(team.id, member.id)).toBe(false);
    expect(await teams.rolesByTeam(member.id)).toEqual({});
    await teams.addMember(team.id, member.id);
    expect(await teams.rolesByTeam(member.id)).toEqual({ [team.id]: ['team_user'] });
    expect((await teams.listMembers(team.id, 0, 10)).map((m) => m.user_id).sort()).toEqual([owner.id, member.id].sort());
  });

  it('stores personal access tokens only as hashes', async () => {
    const users = createUserRepository(sql.db, now);
    const tokens = createAccessTokenRepository(sql.db, now);
    const u = await users.create({ username: 'bot-owner', email: 'bot@example.com' });
    const { row, token } = await tokens.create(u.id, 'ci bot');
    const stored = await sql.db.selectFrom('access_tokens').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect((await tokens.findActiveByToken(token))?.id).toBe(row.id);
    expect(await tokens.revoke(row.id)).toBe(true);
    expect(await tokens.findActiveByToken(token)).toBeUndefined();
  });

  it('keeps signing keys sealed at rest, publishes the next key before it signs, and rotates', async () => {
    const sealer = createSealer(randomBytes(32));
    const keys = createSigningKeys({ db: sql.db, sealer, now, algorithm: 'EdDSA', retireAfterMs: 400_000 });
    await keys.ensure();
    await keys.ensure();
    const first = await keys.load();
    expect(first.published).toHaveLength(2);
    const rows = await sql.db.selectFrom('signing_keys').selectAll().execute();
    for (const r of rows) {
      expect(r.private_jwk_sealed).toMatch(/^v1\./);
      expect(r.private_jwk_sealed).not.toContain('"d"');
      expect(JSON.parse(r.public_jwk)).not.toHaveProperty('d');
    }
    const next = rows.find((r) => r.state === 'next')!;
    expect(first.published.map((k) => k.kid)).toContain(next.kid);
    await expect(keys.rotate({ minPublishedMs: 300_000 })).rejects.toBeInstanceOf(KeyRotationTooSoonError);
    clock += 300_000;
    const kid = await keys.rotate({ minPublishedMs: 300_000 });
    expect(kid).toBe(next.kid);
    const second = await keys.load();
    expect(second.active.kid).toBe(next.kid);
    // The old key stays published while its assertions can live; a new next key appears.
    expect(second.published.map((k) => k.kid)).toContain(first.active.kid);
    expect(second.published).toHaveLength(3);
    clock += 400_001;
    const third = await keys.load();
    expect(third.published.map((k) => k.kid)).not.toContain(first.active.kid);
  });

  it('refuses to unseal a key with the wrong secret key (fail closed)', async () => {
    const keys = createSigningKeys({ db: sql.db, sealer: createSealer(randomBytes(32)), now, algorithm: 'EdDSA', retireAfterMs: 1 });
    await expect(keys.load()).rejects.toThrow();
  });
});
