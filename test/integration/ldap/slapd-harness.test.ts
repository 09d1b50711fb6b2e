/**
 * The LDAP test harness itself, against the real slapd it starts: if these fail, the connector
 * and sync tests would prove nothing. Paging is required past the size limit, memberOf is
 * maintained, TLS (LDAPS and StartTLS) verifies against the test CA only, ppolicy locks bind out,
 * the AD-style attributes are searchable as AD filters search them, and the ACLs keep passwords
 * unreadable.
 */
import { Attribute, Change, Client, InsufficientAccessError, InvalidCredentialsError, NoSuchObjectError, SizeLimitExceededError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, bulkUser, seedStandardDirectory } from '../../support/ldap-fixture.js';
import { startTestSlapd, toLdif, type TestSlapd } from '../../support/ldap-server.js';

const WHO_AM_I = '1.3.6.1.4.1.4203.1.11.3'; // RFC 4532
const { users, groups, ous } = FIXTURE;

let slapd: TestSlapd;
const clients: Client[] = [];

function client(url = slapd.url, ca?: string): Client {
  const c = new Client({ url, connectTimeout: 2_000, timeout: 5_000, ...(ca ? { tlsOptions: { ca: [ca] } } : {}) });
  clients.push(c);
  return c;
}

async function boundAs(dn: string, password: string): Promise<Client> {
  const c = client();
  await c.bind(dn, password);
  return c;
}

/** An attribute's values; ldapts lists an attribute that was asked for but not returned as []. */
function valuesOf(entry: Record<string, unknown> | undefined, attribute: string): unknown[] {
  return [entry?.[attribute] ?? []].flat();
}

async function whoAmI(c: Client): Promise<string | undefined> {
  return (await c.exop(WHO_AM_I)).value;
}

beforeAll(async () => {
  slapd = await startTestSlapd();
  await seedStandardDirectory(slapd);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.unbind().catch(() => {})));
  await slapd?.stop();
});

describe('the private slapd', () => {
  it('lets the service account bind, and knows it by its DN', async () => {
    const service = await boundAs(slapd.serviceDn, slapd.servicePassword);
    expect(await whoAmI(service)).toBe(`dn:${FIXTURE.service.dn}`);
    await expect(client().bind(slapd.serviceDn, 'not-the-password')).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('refuses a search of ou=people that is not paged, and returns every person to a paged one', async () => {
    const service = await boundAs(slapd.serviceDn, slapd.servicePassword);
    const filter = '(objectClass=inetOrgPerson)';
    await expect(service.search(ous.people, { filter, attributes: ['1.1'] })).rejects.toBeInstanceOf(SizeLimitExceededError);
    const { searchEntries } = await service.search(ous.people, { filter, attributes: ['uid'], paged: { pageSize: 400 } });
    expect(searchEntries).toHaveLength(FIXTURE.peopleUserCount);
    expect(FIXTURE.peopleUserCount).toBeGreaterThan(2_000);
    const uids = new Set(searchEntries.map((e) => e.uid));
    for (const uid of ['alice', 'bob', 'carol', 'erin', 'frank', 'gina', bulkUser(1).uid, bulkUser(FIXTURE.bulkUserCount).uid]) expect(uids).toContain(uid);
    expect(uids).not.toContain(users.dave.uid); // ou=contractors is outside ou=people
  });

  it('maintains memberOf on users and nested groups, and gives every entry an entryUUID', async () => {
    const service = await boundAs(slapd.serviceDn, slapd.servicePassword);
    const read = async (dn: string) => (await service.search(dn, { scope: 'base', attributes: ['memberOf', 'entryUUID'] })).searchEntries[0];
    const alice = await read(users.alice.dn);
    expect([alice?.memberOf].flat()).toEqual(expect.arrayContaining([groups.engineers.dn, groups.admins.dn]));
    expect([alice?.memberOf].flat()).not.toContain(groups.legacyAdmins.dn);
    expect(alice?.entryUUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await read(groups.engineers.dn))?.memberOf).toBe(groups.platform.dn);
    expect((await read(groups.platform.dn))?.memberOf).toBe(groups.allStaff.dn);
    expect((await read(groups.cycleA.dn))?.memberOf).toBe(groups.cycleB.dn);
    expect((await read(groups.cycleB.dn))?.memberOf).toBe(groups.cycleA.dn);
  });

  it('serves LDAPS with a certificate the test CA vouches for', async () => {
    const c = client(slapd.ldapsUrl, slapd.caPem);
    await c.bind(slapd.serviceDn, slapd.servicePassword);
    expect(await whoAmI(c)).toBe(`dn:${slapd.serviceDn}`);
  });

  it('upgrades ldap:// with StartTLS, verified against the test CA', async () => {
    const c = client();
    await c.startTLS({ ca: [slapd.caPem] });
    await c.bind(slapd.serviceDn, slapd.servicePassword);
    expect(await whoAmI(c)).toBe(`dn:${slapd.serviceDn}`);
  });

  it('is refused over LDAPS and StartTLS by a client that trusts only an unrelated CA', async () => {
    // slapd sends its CA along with its certificate, so Node reports a self-signed CA in the chain.
    const untrusted = { code: 'SELF_SIGNED_CERT_IN_CHAIN' };
    await expect(client(slapd.ldapsUrl, slapd.otherCaPem).bind(slapd.serviceDn, slapd.servicePassword)).rejects.toMatchObject(untrusted);
    await expect(client().startTLS({ ca: [slapd.otherCaPem] })).rejects.toMatchObject(untrusted);
  });

  it('refuses a bind by carol, locked by ppolicy, with her right password — and only because of the lock', async () => {
    await expect(client().bind(users.carol.dn, users.carol.password)).rejects.toBeInstanceOf(InvalidCredentialsError);
    const alice = await boundAs(users.alice.dn, users.alice.password);
    expect(await whoAmI(alice)).toBe(`dn:${users.alice.dn}`);

    const admin = await slapd.adminClient();
    clients.push(admin);
    const lock = new Attribute({ type: 'pwdAccountLockedTime', values: [users.carol.pwdAccountLockedTime!] });
    await admin.modify(users.carol.dn, new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdAccountLockedTime' }) }));
    try {
      await client().bind(users.carol.dn, users.carol.password);
    } finally {
      await admin.modify(users.carol.dn, new Change({ operation: 'add', modification: lock }));
    }
    await expect(client().bind(users.carol.dn, users.carol.password)).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('locks an account after three wrong passwords (pwdMaxFailure 3)', async () => {
    const victim = bulkUser(2_000);
    for (let i = 0; i < 3; i += 1) await expect(client().bind(victim.dn, 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(client().bind(victim.dn, victim.password)).rejects.toBeInstanceOf(InvalidCredentialsError);
    const admin = await slapd.adminClient();
    clients.push(admin);
    const { searchEntries } = await admin.search(victim.dn, { scope: 'base', attributes: ['pwdAccountLockedTime'] });
    expect(searchEntries[0]?.pwdAccountLockedTime).toMatch(/^\d{14}(\.\d+)?Z$/);
  });

  it('finds users by the AD-style login attributes and AD account-state filters', async () => {
    const service = await boundAs(slapd.serviceDn, slapd.servicePassword);
    const dns = async (filter: string) => (await service.search(FIXTURE.baseDn, { filter, attributes: ['1.1'] })).searchEntries.map((e) => e.dn).sort();
    expect(await dns('(sAMAccountName=ALICE)')).toEqual([users.alice.dn]);
    expect(await dns('(userPrincipalName=alice@corp.example.test)')).toEqual([users.alice.dn]);
    // AD's "disabled" test: the LDAP_MATCHING_RULE_BIT_AND rule on userAccountControl bit 2.
    expect(await dns('(userAccountControl:1.2.840.113556.1.4.803:=2)')).toEqual([users.frank.dn]);
    // Expired: a FILETIME in the past that is not 0 ("never" is 0 or 2^63-1).
    const nowFiletime = (BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n;
    expect(await dns(`(&(accountExpires<=${nowFiletime})(!(accountExpires=0)))`)).toEqual([users.gina.dn]);
  });

  it('never shows userPassword, lets users read only themselves, and shows nothing to anonymous', async () => {
    const service = await boundAs(slapd.serviceDn, slapd.servicePassword);
    const [asService] = (await service.search(users.alice.dn, { scope: 'base', attributes: ['userPassword', 'mail'] })).searchEntries;
    expect(asService).toMatchObject({ mail: users.alice.mail });
    expect(valuesOf(asService, 'userPassword')).toEqual([]);

    const alice = await boundAs(users.alice.dn, users.alice.password);
    const [self] = (await alice.search(users.alice.dn, { scope: 'base', attributes: ['*'] })).searchEntries;
    expect(self).toMatchObject({ uid: 'alice', mail: users.alice.mail });
    expect(valuesOf(self, 'userPassword')).toEqual([]);
    await expect(alice.search(users.bob.dn, { scope: 'base' })).rejects.toBeInstanceOf(NoSuchObjectError);

    await expect(client().search(ous.people, { filter: '(uid=alice)' })).rejects.toBeInstanceOf(NoSuchObjectError);
    const changePassword = new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: ['stolen'] }) });
    await expect(service.modify(users.bob.dn, changePassword)).rejects.toBeInstanceOf(InsufficientAccessError);
  });
});

describe('startTestSlapd options and lifecycle', () => {
  it('applies a custom size limit, fails ldapadd loudly, and is gone after stop()', async () => {
    const small = await startTestSlapd({ sizeLimit: 3 });
    try {
      const people = Array.from({ length: 4 }, (_, i) => ({ dn: `uid=p${i},${small.baseDn}`, attributes: { objectClass: 'inetOrgPerson', uid: `p${i}`, cn: 'P', sn: 'P' } }));
      await small.ldapadd(toLdif(people));
      await expect(small.ldapadd(toLdif(people.slice(0, 1)))).rejects.toThrow(/Already exists/);
      const service = new Client({ url: small.url, timeout: 5_000 });
      clients.push(service);
      await service.bind(small.serviceDn, small.servicePassword);
      await expect(service.search(small.baseDn, { filter: '(uid=p*)' })).rejects.toBeInstanceOf(SizeLimitExceededError);
      expect((await service.search(small.baseDn, { filter: '(uid=p*)', paged: { pageSize: 2 } })).searchEntries).toHaveLength(4);
      await service.unbind();
    } finally {
      await small.stop();
    }
    await expect(new Client({ url: small.url, connectTimeout: 1_000 }).bind(small.adminDn, small.adminPassword)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
