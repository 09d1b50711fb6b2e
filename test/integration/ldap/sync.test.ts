/**
 * Directory sign-in and sync through a running gateway (both backends), against real slapds:
 * several directories at once, a directory down during login (503, nothing counted), attribute
 * updates, deactivation that kills sessions and tokens at once, reactivation, the safety valve,
 * and faults mid-sync that change nothing.
 */
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapConnector } from '../../../src/connectors/ldap/create-ldap-connector.js';
import type { LdapConnectorInput } from '../../../src/connectors/ldap/config-schema.js';
import { runLdapSync } from '../../../src/directory/ldap-sync.js';
import { createLockout } from '../../../src/login/lockout.js';
import { FIXTURE, bulkUser, seedStandardDirectory } from '../../support/ldap-fixture.js';
import { startTestSlapd, type TestSlapd } from '../../support/ldap-server.js';
import { ADMIN, BACKENDS, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';
import { createLogSink } from '../../support/log-sink.js';
import { ldapConfig } from './harness.js';

const LEFT_FILTER = '(&(objectClass=inetOrgPerson)(!(employeeType=left)))';

async function setLeft(slapd: TestSlapd, dns: string[], left: boolean): Promise<void> {
  const client = await slapd.adminClient();
  try {
    for (const dn of dns) {
      await client.modify(dn, new Change({ operation: left ? 'add' : 'delete', modification: new Attribute({ type: 'employeeType', values: left ? ['left'] : [] }) }));
    }
  } finally {
    await client.unbind();
  }
}

describe.each(BACKENDS)('directory sign-in and sync (%s)', (backend) => {
  let corp: TestSlapd;
  let branch: TestSlapd;
  let h: Harness;
  let admin: ReturnType<typeof apiClient>;
  let corpConfig: LdapConnectorInput;
  const ctx = () => h.gw.gateway.ctx;
  const connector = (overrides: Partial<LdapConnectorInput> = {}) => createLdapConnector({ ...corpConfig, ...overrides }, { logger: createLogSink().logger });
  const userByName = (username: string) => ctx().db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow();

  beforeAll(async () => {
    [corp, branch] = await Promise.all([startTestSlapd(), startTestSlapd()]);
    await Promise.all([seedStandardDirectory(corp), seedStandardDirectory(branch)]);
    // user2099 exists only in the branch directory.
    const c = await corp.adminClient();
    await c.del(bulkUser(2099).dn);
    await c.unbind();
    corpConfig = ldapConfig(corp, { userFilter: LEFT_FILTER });
    h = await startHarness(backend, {
      config: {
        connectors: [
          corpConfig,
          ldapConfig(branch, { id: 'branch-ldap', displayName: 'Branch directory' }),
        ],
      },
    });
    admin = apiClient(h.url);
    expect((await admin.login(ADMIN.email, ADMIN.password)).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([corp?.stop(), branch?.stop()]);
  });

  it('signs a directory user in through /api/v4/users/login, creating the account once', async () => {
    const alice = apiClient(h.url);
    const res = await alice.login('alice', FIXTURE.users.alice.password);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ username: 'alice', email: FIXTURE.users.alice.mail, first_name: 'Alice', last_name: 'Archer', auth_service: 'corp-ldap' });
    expect((await apiClient(h.url).login('alice', FIXTURE.users.alice.password)).json.id).toBe(res.json.id);
    expect((await apiClient(h.url).login('alice', 'not-her-password')).status).toBe(401);
    // ldap_only skips local accounts: the local admin cannot sign in that way.
    const r = await apiClient(h.url).request('POST', '/api/v4/users/login', { body: { login_id: ADMIN.email, password: ADMIN.password, ldap_only: true } });
    expect(r.status).toBe(401);
  });

  it('asks the second directory when the first does not know the user', async () => {
    const res = await apiClient(h.url).login(bulkUser(2099).uid, bulkUser(2099).password);
    expect(res.status).toBe(200);
    expect(res.json.auth_service).toBe('branch-ldap');
  });

  it('answers 503 when a directory is down, and never counts that against the user', async () => {
    const down = await startTestSlapd();
    await seedStandardDirectory(down);
    const local = await startHarness(backend, { config: { login: { maxAttempts: 3 }, connectors: [ldapConfig(down)] } });
    try {
      await down.stop();
      for (let i = 0; i < 5; i += 1) {
        const res = await apiClient(local.url).login('alice', FIXTURE.users.alice.password);
        expect(res.status).toBe(503);
        expect(res.json).toMatchObject({ id: 'ent.ldap.do_login.unable_to_connect.app_error', status_code: 503 });
        expect(res.json.message).toMatch(/directory cannot be reached/);
      }
      const lockout = createLockout(local.gw.gateway.ctx.store, { maxAttempts: 3, lockoutMs: 60_000 });
      expect(await lockout.isLocked('alice')).toBe(false);
      const failed = await local.gw.gateway.ctx.db.selectFrom('audit_log').select('event').where('event', 'in', ['login.failed', 'login.locked']).execute();
      expect(failed).toEqual([]);
    } finally {
      await local.close();
    }
  });

  it('pre-creates directory users when configured, paging past the size limit', async () => {
    const report = await runLdapSync(ctx(), connector({ sync: { enabled: false, createUsers: true } }));
    expect(report.status).toBe('succeeded');
    // 2,100 bulk users minus the one only the branch has, alice, bob, erin, frank, gina; carol is ppolicy-locked.
    expect(report.counts.directoryUsers).toBe(FIXTURE.bulkUserCount - 1 + 5);
    expect(report.counts.created).toBe(FIXTURE.bulkUserCount - 1 + 5 - 1);
    expect(report.counts.skipped).toBe(1);
    expect((await userByName('user1999')).auth_service).toBe('corp-ldap');
    const locked = await ctx().db.selectFrom('users').select('id').where('username', '=', 'carol').executeTakeFirst();
    expect(locked).toBeUndefined();
  });

  it('updates mapped attributes of known users', async () => {
    const c = await corp.adminClient();
    await c.modify(FIXTURE.users.bob.dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'sn', values: ['Baker-Smith'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Head of Sales'] }) }),
    ]);
    await c.unbind();
    const res = await admin.request('POST', '/api/v4/ldap/sync?wait=true', { body: { connector_id: 'corp-ldap' } });
    expect(res.status).toBe(200);
    expect(res.json.runs[0]).toMatchObject({ status: 'succeeded', connector_id: 'corp-ldap' });
    expect(res.json.runs[0].counts.updated).toBe(1);
    expect(await userByName('bob')).toMatchObject({ last_name: 'Baker-Smith', position: 'Head of Sales' });
  });

  it('deactivates a user who left the directory: their session and token stop at the next request; they return reactivated', async () => {
    const alice = apiClient(h.url);
    expect((await alice.login('alice', FIXTURE.users.alice.password)).status).toBe(200);
    const me = (await alice.request('GET', '/api/v4/users/me')).json;
    const pat = await admin.request('POST', `/api/v4/users/${me.id}/tokens`, { body: { description: 'bot' } });
    expect(pat.status).toBe(200);
    const patClient = apiClient(h.url);
    patClient.token = pat.json.token;
    expect((await patClient.request('GET', '/api/v4/users/me')).status).toBe(200);

    await setLeft(corp, [FIXTURE.users.alice.dn], true);
    const res = await admin.request('POST', '/api/v4/ldap/sync?wait=true', { body: { connector_id: 'corp-ldap' } });
    expect(res.json.runs[0].counts.deactivated).toBe(1);
    expect((await alice.request('GET', '/api/v4/users/me')).status).toBe(401);
    expect((await patClient.request('GET', '/api/v4/users/me')).status).toBe(401);
    // The branch directory knows an "alice" too; its identity must not take over the deactivated account by e-mail.
    const again = await apiClient(h.url).login('alice', FIXTURE.users.alice.password);
    expect(again.status).toBe(409);
    expect(again.json.id).toBe('api.user.login.account_exists.app_error');

    await setLeft(corp, [FIXTURE.users.alice.dn], false);
    const back = await admin.request('POST', '/api/v4/ldap/sync?wait=true', { body: { connector_id: 'corp-ldap' } });
    expect(back.json.runs[0].counts.reactivated).toBe(1);
    expect((await userByName('alice')).delete_at).toBe(0);
    expect((await apiClient(h.url).login('alice', FIXTURE.users.alice.password)).status).toBe(200);
  });

  it('a dry run lists who would be deactivated and changes nothing', async () => {
    await setLeft(corp, [bulkUser(7).dn, bulkUser(8).dn], true);
    try {
      const res = await admin.request('POST', '/api/v4/ldap/sync', { body: { connector_id: 'corp-ldap', dry_run: true } });
      expect(res.status).toBe(200);
      expect(res.json.runs[0]).toMatchObject({ dry_run: true, status: 'succeeded' });
      expect(res.json.runs[0].would.deactivate.sort()).toEqual(['user0007', 'user0008']);
      expect((await userByName('user0007')).delete_at).toBe(0);
    } finally {
      await setLeft(corp, [bulkUser(7).dn, bulkUser(8).dn], false);
    }
  });

  it('the safety valve: deactivating more than 5 % of users changes nothing and says why', async () => {
    const leaving = Array.from({ length: 120 }, (_, i) => bulkUser(1000 + i).dn);
    await setLeft(corp, leaving, true);
    try {
      const res = await admin.request('POST', '/api/v4/ldap/sync?wait=true', { body: { connector_id: 'corp-ldap' } });
      expect(res.json.runs[0].status).toBe('refused');
      expect(res.json.runs[0].reason).toMatch(/would deactivate 120 of \d+ active users.*maxDeactivatePercent = 5/);
      expect(res.json.runs[0].counts.deactivated).toBe(0);
      expect((await userByName('user1000')).delete_at).toBe(0);
      const history = await admin.request('GET', '/api/v4/ldap/sync/history?connector_id=corp-ldap');
      expect(history.json[0]).toMatchObject({ status: 'refused', connector_id: 'corp-ldap' });
    } finally {
      await setLeft(corp, leaving, false);
    }
  });

  it('a directory answering zero users, or failing midway, deactivates nobody', async () => {
    const empty = await runLdapSync(ctx(), connector({ userFilter: '(uid=nobody-at-all)' }), { full: true });
    expect(empty.status).toBe('refused');
    expect(empty.reason).toMatch(/returned no users/);
    // Users read fine, then the group search fails: nothing is applied.
    const midway = await runLdapSync(ctx(), connector({ userFilter: '(&(objectClass=inetOrgPerson)(!(uid=bob)))', groups: { base: 'ou=missing,dc=example,dc=test' } }), { full: true });
    expect(midway.status).toBe('failed');
    expect(midway.reason).toMatch(/nothing was deactivated/);
    const down = await runLdapSync(ctx(), connector({ url: 'ldap://127.0.0.1:1' }));
    expect(down.status).toBe('failed');
    expect((await userByName('bob')).delete_at).toBe(0);
    expect((await userByName('user0001')).delete_at).toBe(0);
  });

  it('between full syncs, reads only what changed — and still catches a user who was disabled', async () => {
    const full = await runLdapSync(ctx(), connector(), { full: true });
    expect(full).toMatchObject({ kind: 'full', status: 'succeeded' });
    const quiet = await runLdapSync(ctx(), connector());
    expect(quiet.kind).toBe('incremental');
    // Only entries changed at or after the last mark are read: here the ~120 the earlier tests touched
    // within the mark's second (marks are whole seconds; same-second changes are re-read, never missed).
    expect(quiet.counts.directoryUsers).toBeLessThan(200);
    expect(quiet.counts.deactivated + quiet.counts.updated).toBe(0);
    const c = await corp.adminClient();
    await c.modify(bulkUser(1500).dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'givenName', values: ['Renamed'] }) }));
    await c.unbind();
    await setLeft(corp, [bulkUser(1501).dn], true);
    const changed = await runLdapSync(ctx(), connector());
    expect(changed).toMatchObject({ kind: 'incremental', status: 'succeeded' });
    expect((await userByName('user1500')).first_name).toBe('Renamed');
    expect((await userByName('user1501')).delete_at).toBeGreaterThan(0);
    // Group memberships of users not read this time stay as they were.
    const engineers = await ctx().db.selectFrom('groups').innerJoin('group_members', 'group_members.group_id', 'groups.id')
      .select('group_members.user_id').where('groups.dn', '=', FIXTURE.groups.engineers.dn).execute();
    expect(engineers.length).toBe(101);
    await setLeft(corp, [bulkUser(1501).dn], false);
    expect((await runLdapSync(ctx(), connector())).counts.reactivated).toBe(1);
  });

  it('system roles follow adminGroups at every sync, nested membership included', async () => {
    const roles = async (u: string) => (await userByName(u)).roles;
    const first = await runLdapSync(ctx(), connector({ adminGroups: [FIXTURE.groups.admins.dn] }), { full: true });
    expect(first.status).toBe('succeeded');
    expect(await roles('alice')).toBe('system_admin system_user');
    expect(await roles('bob')).toBe('system_user');
    // Another admin group: alice is demoted, bob (in legacy admins) promoted — same-name groups never mix.
    await runLdapSync(ctx(), connector({ adminGroups: [FIXTURE.groups.legacyAdmins.dn] }), { full: true });
    expect(await roles('alice')).toBe('system_user');
    expect(await roles('bob')).toBe('system_admin system_user');
    // platform ∋ engineers ∋ user0003: nested members count.
    await runLdapSync(ctx(), connector({ adminGroups: [FIXTURE.groups.platform.dn] }), { full: true });
    expect(await roles('user0003')).toBe('system_admin system_user');
    await runLdapSync(ctx(), connector({ adminGroups: [FIXTURE.groups.cycleB.dn] }), { full: true });
    expect(await roles('user0003')).toBe('system_user');
    // Mattermost's AdminFilter: by attribute instead of group.
    await runLdapSync(ctx(), connector({ adminFilter: '(employeeNumber=10004)' }), { full: true });
    expect(await roles('user0004')).toBe('system_admin system_user');
    expect(await roles('user0003')).toBe('system_user');
    await runLdapSync(ctx(), connector({}), { full: true });
    expect(await roles('user0004')).toBe('system_admin system_user'); // no mapping configured: roles are left alone
  });

  it('one sync per connector at a time', async () => {
    const [a, b] = await Promise.allSettled([runLdapSync(ctx(), connector()), runLdapSync(ctx(), connector())]);
    const outcomes = [a, b].map((r) => (r.status === 'fulfilled' ? r.value.status : (r.reason as { code?: string }).code)).sort();
    expect(outcomes).toEqual(['LDAP_SYNC_RUNNING', 'succeeded']);
  });
});
