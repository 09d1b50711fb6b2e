/**
 * LDAP sign-in against a real slapd: each login attribute, LDAPS and StartTLS with a test CA, nested
 * groups and a cycle, and the refusals — filter injection, empty password, locked / disabled /
 * expired accounts, a wrong CA, a directory that is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors/gateway-error.js';
import { FIXTURE, bulkUser, seedStandardDirectory } from '../../support/ldap-fixture.js';
import { startTestSlapd, type TestSlapd } from '../../support/ldap-server.js';
import { freePort } from '../../support/gateway-harness.js';
import { ldapConnector } from './harness.js';

let slapd: TestSlapd;
beforeAll(async () => {
  slapd = await startTestSlapd();
  await seedStandardDirectory(slapd);
});
afterAll(async () => { await slapd?.stop(); });

const { alice, bob, carol, dave, erin, frank, gina } = FIXTURE.users;

describe('LDAP sign-in', () => {
  it('finds the user by uid or mail, binds as their DN and maps the entry', async () => {
    const { connector } = ldapConnector(slapd);
    const byUid = await connector.login('alice', alice.password);
    expect(byUid).toMatchObject({ connectorId: 'corp-ldap', username: 'alice', email: alice.mail, emailVerified: true, firstName: 'Alice', lastName: 'Archer', amr: ['pwd'] });
    expect(byUid!.subject).toMatch(/^[0-9a-f-]{36}$/);
    const byMail = await connector.login(alice.mail.toUpperCase(), alice.password);
    expect(byMail?.subject).toBe(byUid!.subject);
    expect(await connector.login('alice', 'wrong-password')).toBeNull();
    expect(await connector.login('nobody-here', 'whatever')).toBeNull();
  });

  it('matches sAMAccountName and userPrincipalName when configured as login attributes', async () => {
    const { connector } = ldapConnector(slapd, { loginAttributes: ['sAMAccountName', 'userPrincipalName'] });
    expect((await connector.login('bob', bob.password))?.username).toBe('bob');
    expect((await connector.login(bob.userPrincipalName, bob.password))?.username).toBe('bob');
    // uid is no longer a login attribute: the mail address does not match.
    expect(await connector.login(bob.mail, bob.password)).toBeNull();
  });

  it('resolves nested groups by stable id, keeps same-name groups in different OUs apart, and ends a cycle', async () => {
    const { connector } = ldapConnector(slapd);
    const a = (await connector.login('alice', alice.password))!;
    const names = (id: string) => a.groupDetails![id]!;
    const dns = a.groups.map((id) => names(id).dn!.toLowerCase()).sort();
    expect(dns).toEqual([FIXTURE.groups.admins.dn, FIXTURE.groups.allStaff.dn, FIXTURE.groups.engineers.dn, FIXTURE.groups.ops.dn, FIXTURE.groups.platform.dn].map((d) => d.toLowerCase()).sort());
    // Groups are ids (entryUUID), never names.
    for (const id of a.groups) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const b = (await connector.login('bob', bob.password))!;
    const adminIdsA = a.groups.filter((id) => names(id).name === 'admins');
    const adminIdsB = b.groups.filter((id) => b.groupDetails![id]!.name === 'admins');
    expect(adminIdsA).toHaveLength(1);
    expect(adminIdsB).toHaveLength(1);
    expect(adminIdsA[0]).not.toBe(adminIdsB[0]);
    const e = (await connector.login('erin', erin.password))!;
    expect(e.groups.map((id) => e.groupDetails![id]!.name).sort()).toEqual(['cycle-a', 'cycle-b', 'designers']);
  });

  it('maps admin and guest groups (nested membership counts)', async () => {
    const { connector } = ldapConnector(slapd, { adminGroups: [FIXTURE.groups.allStaff.dn], guestGroups: [FIXTURE.groups.designers.dn] });
    expect(await connector.login('alice', alice.password)).toMatchObject({ isAdmin: true, isGuest: false });
    expect(await connector.login('erin', erin.password)).toMatchObject({ isAdmin: false, isGuest: true });
  });

  it('maps admin and guest by LDAP filter (Mattermost\'s AdminFilter / GuestFilter)', async () => {
    const { connector } = ldapConnector(slapd, { adminFilter: '(employeeNumber=1001)', guestFilter: '(|(uid=erin)(uid=bob))' });
    expect(await connector.login('alice', alice.password)).toMatchObject({ isAdmin: true, isGuest: false });
    expect(await connector.login('erin', erin.password)).toMatchObject({ isAdmin: false, isGuest: true });
    // A filter value can never reach further than the user's own entry (base-scope search).
    const injected = ldapConnector(slapd, { guestFilter: '(objectClass=*)' }).connector;
    expect(await injected.login('alice', alice.password)).toMatchObject({ isGuest: true });
  });

  it('connects over LDAPS and over StartTLS with the test CA', async () => {
    const ldaps = ldapConnector(slapd, { url: slapd.ldapsUrl, tls: { caPem: slapd.caPem } }).connector;
    expect((await ldaps.login('alice', alice.password))?.username).toBe('alice');
    const startTls = ldapConnector(slapd, { startTls: true, tls: { caPem: slapd.caPem } }).connector;
    expect((await startTls.login('alice', alice.password))?.username).toBe('alice');
  });
});

describe('LDAP sign-in refusals', () => {
  it('refuses a directory certificate signed by another CA (LDAPS and StartTLS): unavailable, not a login', async () => {
    for (const overrides of [{ url: slapd.ldapsUrl, tls: { caPem: slapd.otherCaPem } }, { startTls: true, tls: { caPem: slapd.otherCaPem } }]) {
      const { connector, sink } = ldapConnector(slapd, overrides);
      const err = await connector.login('alice', alice.password).catch((e: unknown) => e);
      expect(isGatewayError(err) && err.code).toBe('LDAP_UNAVAILABLE');
      expect(sink.text()).toMatch(/certificate|self.signed|SELF_SIGNED/i);
      expect(sink.text()).not.toContain(alice.password);
    }
  });

  it('escapes filter injection in the login id', async () => {
    const { connector } = ldapConnector(slapd);
    // With the right password of a real user, an injected wildcard must still not match anyone.
    for (const attack of ['*)(uid=*', 'admin)(|(uid=*', '\\2a', '*', 'alice)(uid=*', 'al*', '*)(|(objectClass=*']) {
      expect(await connector.login(attack, alice.password)).toBeNull();
    }
    expect(await connector.login('*', 'pw-user0001')).toBeNull();
  });

  it('refuses an empty password before any bind (an unauthenticated bind would succeed)', async () => {
    const { connector } = ldapConnector(slapd);
    expect(await connector.login('alice', '')).toBeNull();
    expect(await connector.login('', alice.password)).toBeNull();
  });

  it('refuses a ppolicy-locked account even with the right password', async () => {
    const { connector } = ldapConnector(slapd);
    expect(await connector.login('carol', carol.password)).toBeNull();
  });

  it('refuses AD-disabled and AD-expired accounts when those checks are on', async () => {
    const { connector, sink } = ldapConnector(slapd, { accountChecks: { adUserAccountControl: true, adAccountExpires: true } });
    expect(await connector.login('frank', frank.password)).toBeNull();
    expect(await connector.login('gina', gina.password)).toBeNull();
    // Both "never expires" encodings pass.
    expect((await connector.login('alice', alice.password))?.username).toBe('alice');
    expect((await connector.login('bob', bob.password))?.username).toBe('bob');
    expect(sink.text()).toMatch(/ACCOUNTDISABLE/);
    expect(sink.text()).toMatch(/accountExpires/);
  });

  it('refuses users outside the user base and users the user filter leaves out', async () => {
    expect(await ldapConnector(slapd).connector.login('dave', dave.password)).toBeNull();
    const { connector } = ldapConnector(slapd, { userFilter: '(&(objectClass=inetOrgPerson)(!(uid=bob)))' });
    expect(await connector.login('bob', bob.password)).toBeNull();
    expect((await connector.login('alice', alice.password))?.username).toBe('alice');
  });

  it('answers LDAP_UNAVAILABLE when the directory is down, and says why in the log', async () => {
    const dead = `ldap://127.0.0.1:${await freePort()}`;
    const { connector, sink } = ldapConnector(slapd, { url: dead });
    const err = await connector.login('alice', alice.password).catch((e: unknown) => e);
    expect(isGatewayError(err) && err.code).toBe('LDAP_UNAVAILABLE');
    expect(isGatewayError(err) && err.status).toBe(503);
    expect(sink.text()).toMatch(/ECONNREFUSED|no directory server answered/);
  });

  it('spends about the same time on an unknown login id as on a wrong password (no account enumeration by timing)', async () => {
    const { connector } = ldapConnector(slapd);
    const time = async (loginId: string, password: string) => {
      const t0 = performance.now();
      expect(await connector.login(loginId, password)).toBeNull();
      return performance.now() - t0;
    };
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 31; i += 1) {
      // Bulk users, each tried once with a wrong password: ppolicy locks after 3 failures per account.
      known.push(await time(bulkUser(1500 + i).uid, 'not-the-password'));
      unknown.push(await time(`ghost-${i}`, 'not-the-password'));
    }
    // Without the decoy bind an unknown id skips a whole connection and bind (about half the time).
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.35);
  });

  it('fails over to the next server when the first one is down', async () => {
    const dead = `ldap://127.0.0.1:${await freePort()}`;
    const { connector } = ldapConnector(slapd, { url: [dead, slapd.url] });
    expect((await connector.login('alice', alice.password))?.username).toBe('alice');
  });

  it('reads groups for a bulk user from a page of a big group', async () => {
    const { connector } = ldapConnector(slapd);
    const u = (await connector.login(bulkUser(42).uid, bulkUser(42).password))!;
    expect(u.groups.map((id) => u.groupDetails![id]!.name).sort()).toEqual(['all-staff', 'engineers', 'platform']);
  });
});
