/** Invitation addresses: strict parsing, normalisation (case, IDN, trailing dot) and the allowed-domain check, including the bypasses of issue 7. */
import { describe, expect, it } from 'vitest';
import { domainAllowed, normaliseDomain, parseEmailAddress, type ParsedAddress } from '../../../src/invitations/email-address.js';

const ALLOWED = ['allowed.example'];

function parsed(input: string): ParsedAddress {
  const result = parseEmailAddress(input);
  if ('error' in result) throw new Error(`expected ${JSON.stringify(input)} to parse, got: ${result.error}`);
  return result;
}
function refusal(input: string): string {
  const result = parseEmailAddress(input);
  if (!('error' in result)) throw new Error(`expected ${JSON.stringify(input)} to be refused, got ${result.address}`);
  return result.error;
}
/** What the invitation route does: parse, then check the domain. */
function invitable(input: string, allowed: readonly string[] = ALLOWED): boolean {
  const result = parseEmailAddress(input);
  return !('error' in result) && domainAllowed(result.domain, allowed);
}

describe('parseEmailAddress', () => {
  it('lower-cases the address and the domain but keeps the local part as typed for display', () => {
    expect(parsed('  Bob.Smith@Allowed.Example ')).toEqual({ address: 'bob.smith@allowed.example', local: 'Bob.Smith', domain: 'allowed.example' });
    expect(invitable('Bob@Allowed.Example')).toBe(true);
    expect(invitable('BOB@ALLOWED.EXAMPLE')).toBe(true);
  });

  it('accepts the ordinary atext characters of a local part', () => {
    expect(parsed("o'brien+guests_2024-x@allowed.example").address).toBe("o'brien+guests_2024-x@allowed.example");
  });

  it('converts a Unicode (IDN) domain to its punycode form', () => {
    expect(parsed('anna@bücher.example')).toEqual({ address: 'anna@xn--bcher-kva.example', local: 'anna', domain: 'xn--bcher-kva.example' });
    expect(parsed('anna@BÜCHER.example').domain).toBe('xn--bcher-kva.example');
    expect(parsed('anna@xn--bcher-kva.example').domain).toBe('xn--bcher-kva.example');
    expect(invitable('anna@bücher.example', ['xn--bcher-kva.example'])).toBe(true);
    expect(invitable('anna@xn--bcher-kva.example', ['bücher.example'])).toBe(true);
    expect(parsed('ivan@пример.рф').domain).toBe('xn--e1afmkfd.xn--p1ai');
  });

  it('strips one trailing dot from the domain, and refuses two', () => {
    expect(parsed('bob@allowed.example.')).toMatchObject({ address: 'bob@allowed.example', domain: 'allowed.example' });
    expect(refusal('bob@allowed.example..')).toMatch(/two dots/);
  });

  it('refuses a Cyrillic or Greek look-alike of a Latin domain, spelled in Unicode or in punycode', () => {
    const cyrillicA = 'bob@\u0430llowed.example'; // а U+0430
    expect(refusal(cyrillicA)).toMatch(/mixes Latin letters with Cyrillic/);
    expect(refusal('bob@ex\u0430mple.com')).toMatch(/look-alike/);
    expect(refusal('bob@xn--exmple-4nf.com')).toMatch(/look-alike/); // exаmple.com, already encoded
    expect(refusal('bob@\u0430\u0440\u0440\u04cf\u0435.com')).toMatch(/look-alike/); // "аррӏе" all Cyrillic under .com
    expect(refusal('bob@all\u03bfwed.example')).toMatch(/look-alike/); // Greek omicron
    expect(invitable(cyrillicA)).toBe(false);
  });

  it('refuses an address with more than one @ instead of reading either domain', () => {
    expect(refusal('user@allowed.example@evil.example')).toMatch(/more than one @/);
    expect(refusal('user@evil.example@allowed.example')).toMatch(/more than one @/);
  });

  it('refuses quoted local parts, comments and display names', () => {
    expect(refusal('"a b"@allowed.example')).toMatch(/quotation marks/);
    expect(refusal('"user@evil.example"@allowed.example')).toMatch(/quotation marks|more than one @/);
    expect(refusal('"bob"@allowed.example')).toMatch(/quotation marks/);
    expect(refusal('bob(comment)@allowed.example')).toMatch(/parentheses/);
    expect(refusal('bob@(comment)allowed.example')).toMatch(/parentheses/);
    expect(refusal('Bob <bob@allowed.example>')).toMatch(/display name/);
    expect(refusal('<bob@allowed.example>')).toMatch(/angle brackets/);
    expect(refusal('bob@allowed.example, eve@evil.example')).toMatch(/one address at a time/);
  });

  it('refuses spaces, control and invisible characters rather than dropping them', () => {
    expect(refusal('bob smith@allowed.example')).toMatch(/space/);
    expect(refusal('bob@allowed .example')).toMatch(/space/);
    expect(refusal('bob\u00a0@allowed.example')).toMatch(/space/);
    expect(refusal('bob@allowed.example\r\nBcc: eve@evil.example')).toMatch(/control characters/);
    expect(refusal('bob\u0000@allowed.example')).toMatch(/control characters/);
    expect(refusal('bob@allo\u200bwed.example')).toMatch(/invisible/); // zero-width space
    expect(refusal('bob@allo\u00adwed.example')).toMatch(/invisible/); // soft hyphen
    expect(refusal('bob@\u202eelpmaxe.dewolla')).toMatch(/invisible/); // right-to-left override
  });

  it('refuses empty parts and an address without @', () => {
    expect(refusal('')).toMatch(/Enter an e-mail address/);
    expect(refusal('   ')).toMatch(/Enter an e-mail address/);
    expect(refusal('bob')).toMatch(/needs an @/);
    expect(refusal('@allowed.example')).toMatch(/name before the @/);
    expect(refusal('bob@')).toMatch(/domain after the @/);
  });

  it('refuses dots at the edges of the local part or doubled', () => {
    for (const bad of ['.bob@allowed.example', 'bob.@allowed.example', 'bo..b@allowed.example']) expect(refusal(bad)).toMatch(/dot/);
  });

  it('refuses over-long parts: a local part over 64 characters, an address over 254, a label over 63', () => {
    expect(parsed(`${'a'.repeat(64)}@allowed.example`).local).toHaveLength(64);
    expect(refusal(`${'a'.repeat(65)}@allowed.example`)).toMatch(/longer than 64/);
    const longDomain = `${Array.from({ length: 4 }, () => 'd'.repeat(60)).join('.')}.example`; // 252 characters
    expect(refusal(`bob@${longDomain}`)).toMatch(/longer than 254/);
    expect(refusal(`bob@${'x'.repeat(300)}.example`)).toMatch(/longer than 254/);
    expect(refusal(`bob@${'x'.repeat(64)}.example`)).toMatch(/not a valid host name/);
  });

  it('refuses IP literals, numeric domains and domains without a dot', () => {
    expect(refusal('bob@[1.2.3.4]')).toMatch(/IP address/);
    expect(refusal('bob@[IPv6:::1]')).toMatch(/IP address/);
    expect(refusal('bob@1.2.3.4')).toMatch(/IP address/);
    expect(refusal('bob@0x7f.1')).toMatch(/IP address/);
    expect(refusal('bob@localhost')).toMatch(/at least one dot/);
    expect(refusal('bob@allowed')).toMatch(/at least one dot/);
  });

  it('refuses labels that are not host names, and URL syntax the IDN conversion would interpret', () => {
    expect(refusal('bob@-allowed.example')).toMatch(/not a valid host name/);
    expect(refusal('bob@allowed-.example')).toMatch(/not a valid host name/);
    expect(refusal('bob@xn--zz.example')).toMatch(/not a valid host name/);
    expect(refusal('bob@a_b.example')).toMatch(/only letters, digits/);
    expect(refusal('bob@allowed.example/evil.example')).toMatch(/only letters, digits/); // domainToASCII would return "allowed.example"
    expect(refusal('bob@%61llowed.example')).toMatch(/only letters, digits/); // domainToASCII would percent-decode it
    expect(refusal('bob@allowed.example:25')).toMatch(/only letters, digits/);
  });

  it('refuses % and ! routing in the local part and non-ASCII local parts', () => {
    expect(refusal('eve%evil.example@allowed.example')).toMatch(/%/);
    expect(refusal('evil.example!eve@allowed.example')).toMatch(/%/);
    expect(refusal('jürgen@allowed.example')).toMatch(/only ASCII letters/);
    expect(refusal('bob[x]@allowed.example')).toMatch(/IP address|only ASCII/);
  });
});

describe('domainAllowed', () => {
  it('allows any domain when the list is empty', () => {
    expect(domainAllowed('anything.example', [])).toBe(true);
  });

  it('matches exactly: a subdomain of an allowed domain is refused', () => {
    expect(domainAllowed('allowed.example', ALLOWED)).toBe(true);
    expect(invitable('bob@sub.allowed.example')).toBe(false);
    expect(invitable('bob@notallowed.example')).toBe(false);
    expect(invitable('bob@allowed.example.evil.example')).toBe(false);
    expect(invitable('bob@evil.example')).toBe(false);
  });

  it('matches subdomains, and only subdomains, of a *. entry', () => {
    const wildcard = ['*.allowed.example'];
    expect(invitable('bob@sub.allowed.example', wildcard)).toBe(true);
    expect(invitable('bob@a.b.allowed.example', wildcard)).toBe(true);
    expect(invitable('bob@allowed.example', wildcard)).toBe(false);
    expect(invitable('bob@evilallowed.example', wildcard)).toBe(false);
  });

  it('normalises entries the same way: case, IDN, trailing dot, surrounding spaces', () => {
    expect(domainAllowed('allowed.example', [' Allowed.Example. '])).toBe(true);
    expect(domainAllowed('xn--bcher-kva.example', ['BÜCHER.example'])).toBe(true);
    expect(domainAllowed('sub.xn--bcher-kva.example', ['*.bücher.example'])).toBe(true);
    expect(invitable('bob@Allowed.Example.')).toBe(true);
    expect(invitable('bob@sub.allowed.example.')).toBe(false);
  });

  it('never matches through an invalid entry or an invalid domain', () => {
    expect(domainAllowed('allowed.example', ['', '*', '*.', 'allowed'])).toBe(false);
    expect(domainAllowed('', ALLOWED)).toBe(false);
    expect(domainAllowed('\u0430llowed.example', ['\u0430llowed.example'])).toBe(false);
  });

  it('exposes the normalised form of a domain', () => {
    expect(normaliseDomain('Bücher.Example.')).toBe('xn--bcher-kva.example');
    expect(normaliseDomain('not a domain')).toBeUndefined();
  });
});
