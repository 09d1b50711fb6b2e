/**
 * Active Directory value formats, on entry values shaped as AD returns them (slapd cannot play AD): objectGUID bytes
 * as AD returns them, userAccountControl flags, accountExpires FILETIMEs, the in-chain filter.
 */
import { describe, expect, it } from 'vitest';
import { decodeObjectGuid, encodeObjectGuid, inChainGroupsFilter, isAccountExpired, isUacDisabled } from '../../../src/connectors/ldap/ad.js';
import { loginFilter } from '../../../src/connectors/ldap/filters.js';
import { normalizeDn } from '../../../src/connectors/ldap/settings.js';

describe('objectGUID', () => {
  // The wire bytes of an objectGUID as an LDIF export shows them (objectGUID:: base64), and the
  // string AD tools print for them: Data1..Data3 little-endian, Data4 as is (MS-DTYP §2.3.4).
  const recorded = Buffer.from('0d+4oSmSF0y4wNj7AAAAAA==', 'base64');
  it('decodes the first three fields little-endian, like AD tools', () => {
    expect(decodeObjectGuid(recorded)).toBe('a1b8dfd1-9229-4c17-b8c0-d8fb00000000');
  });
  it('round-trips through the filter encoding', () => {
    expect(encodeObjectGuid('a1b8dfd1-9229-4c17-b8c0-d8fb00000000').equals(recorded)).toBe(true);
  });
  it('refuses a value that is not 16 bytes', () => {
    expect(() => decodeObjectGuid(Buffer.alloc(15))).toThrow(/16 bytes/);
  });
});

describe('userAccountControl', () => {
  it.each([
    ['512', false], // NORMAL_ACCOUNT
    ['514', true], // NORMAL_ACCOUNT | ACCOUNTDISABLE
    ['66048', false], // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
    ['66050', true], // … | ACCOUNTDISABLE
    ['528', false], // NORMAL_ACCOUNT | LOCKOUT (not authoritative)
    ['garbage', true], // doubt refuses
  ])('%s disabled = %s', (value, disabled) => {
    expect(isUacDisabled(value)).toBe(disabled);
  });
  it('treats an absent value as enabled', () => { expect(isUacDisabled(undefined)).toBe(false); });
});

describe('accountExpires', () => {
  const now = Date.UTC(2026, 11, 1);
  it('reads 0 and 2^63-1 as never', () => {
    expect(isAccountExpired('0', now)).toBe(false);
    expect(isAccountExpired('9223372036854775807', now)).toBe(false);
  });
  it('compares a FILETIME with now', () => {
    // 2012-12-15 and 2030-01-01 as FILETIMEs (100 ns since 1601-01-01).
    expect(isAccountExpired('130000000000000000', now)).toBe(true);
    const in2030 = (BigInt(Date.UTC(2030, 0, 1)) + 11_644_473_600_000n) * 10_000n;
    expect(isAccountExpired(in2030.toString(), now)).toBe(false);
  });
  it('refuses an unparsable value', () => { expect(isAccountExpired('soon', now)).toBe(true); });
});

describe('filters', () => {
  it('builds the in-chain group filter with the DN escaped', () => {
    expect(inChainGroupsFilter('(objectClass=group)', 'CN=Smith\\, John (IT),OU=Users,DC=corp,DC=example'))
      .toBe('(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=CN=Smith\\5c, John \\28IT\\29,OU=Users,DC=corp,DC=example))');
  });
  it.each([
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['admin)(|(uid=*', 'admin\\29\\28|\\28uid=\\2a'],
    ['\\2a', '\\5c2a'],
    ['nul\u0000byte', 'nul\\00byte'],
  ])('escapes %j in a login filter', (input, escaped) => {
    expect(loginFilter('(objectClass=person)', ['uid'], input)).toBe(`(&(objectClass=person)(uid=${escaped}))`);
  });
  it('ORs several login attributes', () => {
    expect(loginFilter('(objectClass=user)', ['sAMAccountName', 'userPrincipalName'], 'jo')).toBe('(&(objectClass=user)(|(sAMAccountName=jo)(userPrincipalName=jo)))');
  });
  it('normalizes DNs for comparison, keeping escaped commas', () => {
    expect(normalizeDn('CN=Admins, OU=Groups ,DC=Corp')).toBe('cn=admins,ou=groups,dc=corp');
    expect(normalizeDn('cn=Smith\\, John,dc=x')).toBe('cn=smith\\, john,dc=x');
  });
});
