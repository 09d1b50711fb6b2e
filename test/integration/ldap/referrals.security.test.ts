/**
 * Search referrals between two real slapds: never chased unless configured, and then only to the
 * listed `referralHosts` (the service password goes there); a user found through a referral binds
 * on the server that holds the entry.
 */
import { Control } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDirectory } from '../../../src/connectors/ldap/read-directory.js';
import { referralTarget } from '../../../src/connectors/ldap/directory-client.js';
import { FIXTURE, seedStandardDirectory } from '../../support/ldap-fixture.js';
import { startTestSlapd, toLdif, type TestSlapd } from '../../support/ldap-server.js';
import { ldapConnector } from './harness.js';

const PARTNERS = `ou=partners,${FIXTURE.ous.people}`;
const PIA = `uid=pia,${PARTNERS}`;

describe('LDAP referrals', () => {
  let main: TestSlapd;
  let branch: TestSlapd;
  let branchHost: string;
  beforeAll(async () => {
    [main, branch] = await Promise.all([startTestSlapd(), startTestSlapd()]);
    await seedStandardDirectory(main);
    branchHost = new URL(branch.url).host;
    await branch.ldapadd(toLdif([
      { dn: FIXTURE.ous.people, attributes: { objectClass: ['organizationalUnit'], ou: 'people' } },
      { dn: PARTNERS, attributes: { objectClass: ['organizationalUnit'], ou: 'partners' } },
      { dn: PIA, attributes: { objectClass: ['inetOrgPerson'], uid: 'pia', cn: 'Pia Partner', sn: 'Partner', givenName: 'Pia', mail: 'pia@partner.example', userPassword: 'pw-pia' } },
    ]));
    // On the main server, ou=partners is a referral to the branch server (added with ManageDsaIT).
    const admin = await main.adminClient();
    await admin.add(PARTNERS, { objectClass: ['referral', 'extensibleObject'], ou: 'partners', ref: `${branch.url}/${PARTNERS}` }, new Control('2.16.840.1.113730.3.4.2'));
    await admin.unbind();
  });
  afterAll(async () => { await Promise.all([main?.stop(), branch?.stop()]); });

  it('ignores referrals by default, and says so in the log', async () => {
    const { connector, sink } = ldapConnector(main);
    expect(await connector.login('pia', 'pw-pia')).toBeNull();
    expect(sink.text()).toMatch(/referrals that were not followed/);
  });

  it('follows a referral to an allowed host: the user is found there and binds there', async () => {
    const { connector } = ldapConnector(main, { followReferrals: true, referralHosts: [branchHost] });
    const pia = await connector.login('pia', 'pw-pia');
    expect(pia).toMatchObject({ username: 'pia', email: 'pia@partner.example', raw: { dn: PIA } });
    expect(await connector.login('pia', 'wrong')).toBeNull();
    // Main-server users still sign in as before.
    expect((await connector.login('alice', FIXTURE.users.alice.password))?.username).toBe('alice');
    // And a sync reads the referred users too.
    const session = await connector.openSession();
    try {
      const snap = await readDirectory(session, connector.settings, { now: Date.now() });
      expect(snap.users.map((u) => u.username)).toContain('pia');
    } finally {
      await session.close();
    }
  });

  it('never follows a referral to a host not listed (the service password would go there)', async () => {
    const { connector } = ldapConnector(main, { followReferrals: true, referralHosts: ['127.0.0.1:1'] });
    expect(await connector.login('pia', 'pw-pia')).toBeNull();
    expect(referralTarget(`ldap://evil.example:389/${PARTNERS}`, { referralHosts: new Set([branchHost]) })).toBeUndefined();
    expect(referralTarget(`http://${branchHost}/x`, { referralHosts: new Set([branchHost]) })).toBeUndefined();
    expect(referralTarget(`ldap://${branchHost}/${encodeURIComponent(PARTNERS)}`, { referralHosts: new Set([branchHost]) })).toEqual({ url: `ldap://${branchHost}`, base: PARTNERS });
  });

  it('refuses followReferrals without referralHosts at configuration time', () => {
    expect(() => ldapConnector(main, { followReferrals: true })).toThrow(/referralHosts/);
  });
});
