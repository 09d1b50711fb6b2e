/**
 * Strict parsing and normalisation of the e-mail addresses guests are invited at, and the
 * allowed-domain check (Mattermost's RestrictCreationToDomains). An invitation is bound to an
 * address and an allow-list guards who may be invited, so this accepts only the plain
 * `local@domain` form everyone means (RFC 5321 §4.1.2 dot-string local parts, RFC 5322 §3.2.3
 * atext) and refuses what mail software reads in more than one way: quoted local parts, comments,
 * display names, several `@`, IP literals, `%`/`!` routing.
 *
 * Domains are compared in their ASCII (punycode) form after UTS #46 mapping by `node:url`
 * `domainToASCII`: lower case, without the trailing root dot, so `Bob@Allowed.Example.` and
 * `bob@allowed.example` are the same address and `bücher.example` is `xn--bcher-kva.example`.
 *
 * Look-alike domains. Caught: a domain whose letters (in its Unicode form, so `xn--` labels are
 * decoded first) come from more than one of the scripts whose letters imitate Latin ones — Latin,
 * Cyrillic, Greek, Armenian, Cherokee — within a label (`exаmple.com` with a Cyrillic а) or across
 * labels (`аррӏе.com`: an all-Cyrillic label under a Latin TLD); invisible and formatting characters
 * (zero-width spaces, soft hyphens, bidi controls) are refused rather than silently dropped.
 * Not caught: look-alikes within one script (`rn` for `m`, `paypa1.com`, `exämple.com`), all-Cyrillic
 * or all-Greek domains under their own TLDs (`пример.рф`, legitimate), and scripts outside that list.
 * Allow-list matching is exact on the ASCII form, so a look-alike never matches an allowed domain
 * anyway; the script check matters most when any domain may be invited.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

export type ParsedAddress = {
  /** `local@domain`, all lower case (Mattermost compares e-mail addresses case-insensitively). */
  address: string;
  /** The part before `@` as typed (case kept, for display). */
  local: string;
  /** ASCII (punycode), lower case, no trailing dot. */
  domain: string;
};

const MAX_ADDRESS = 254; // RFC 5321 §4.5.3.1.3 (path of 256 octets minus the angle brackets)
const MAX_LOCAL = 64; // RFC 5321 §4.5.3.1.1
const MAX_DOMAIN = 253;
// RFC 5322 §3.2.3 atext without `%` and `!` (percent-hack and bang-path routing, RFC 1123 §5.2.16).
const LOCAL_ATOM = /^[A-Za-z0-9#$&'*+/=?^_`{|}~-]+$/;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u;
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u, /\p{Script=Armenian}/u, /\p{Script=Cherokee}/u];

/** Parse one address typed by a person; an `error` is a sentence that says what to change. */
export function parseEmailAddress(input: string): ParsedAddress | { error: string } {
  const value = input.trim();
  const shapeError = checkShape(value);
  if (shapeError) return { error: shapeError };
  const at = value.indexOf('@');
  const local = value.slice(0, at);
  const localError = checkLocalPart(local);
  if (localError) return { error: localError };
  const domain = parseDomain(value.slice(at + 1));
  if ('error' in domain) return domain;
  const address = `${local.toLowerCase()}@${domain.ascii}`;
  if (address.length > MAX_ADDRESS) return { error: `The address is longer than ${MAX_ADDRESS} characters; use a shorter address.` };
  return { address, local, domain: domain.ascii };
}

/**
 * Whether `domain` (from `parseEmailAddress`, or any spelling of a domain) may be invited. Entries
 * are normalised the same way; a match is exact, except that an entry `*.example.com` matches every
 * subdomain of example.com but not example.com itself. An empty list allows any domain; an entry
 * that is not a valid domain matches nothing.
 */
export function domainAllowed(domain: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const candidate = normaliseDomain(domain);
  if (!candidate) return false;
  return allowed.some((entry) => {
    const trimmed = entry.trim();
    if (trimmed.startsWith('*.')) {
      const parent = normaliseDomain(trimmed.slice(2));
      return parent !== undefined && candidate.endsWith(`.${parent}`);
    }
    return normaliseDomain(trimmed) === candidate;
  });
}

/** A domain's comparable form (ASCII, lower case, no trailing dot), or undefined when it is not a valid domain. */
export function normaliseDomain(domain: string): string | undefined {
  const parsed = parseDomain(domain.trim());
  return 'error' in parsed ? undefined : parsed.ascii;
}

function checkShape(value: string): string | undefined {
  if (value === '') return 'Enter an e-mail address.';
  if (value.length > MAX_ADDRESS) return `The address is longer than ${MAX_ADDRESS} characters; check that only one address was entered.`;
  if (INVISIBLE.test(value)) return 'The address contains invisible or control characters; type it again instead of pasting it.';
  if (/[<>]/.test(value)) return 'Enter only the address itself, like name@example.com, without a display name or angle brackets.';
  if (value.includes('"')) return 'Addresses with quotation marks are not accepted; use an address without quotes, like name@example.com.';
  if (/[()]/.test(value)) return 'Addresses with parentheses (comments) are not accepted; remove the part in parentheses.';
  if (/[,;]/.test(value)) return 'Enter one address at a time.';
  if (/\s/u.test(value)) return 'The address contains a space; remove it.';
  const ats = value.split('@').length - 1;
  if (ats === 0) return 'The address needs an @ between the name and the domain, like name@example.com.';
  if (ats > 1) return 'The address contains more than one @; enter a single address, like name@example.com.';
  return undefined;
}

function checkLocalPart(local: string): string | undefined {
  if (local === '') return 'The address needs a name before the @.';
  if (Buffer.byteLength(local) > MAX_LOCAL) return `The part before the @ is longer than ${MAX_LOCAL} characters; use a shorter address.`;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'The part before the @ cannot start or end with a dot or contain two dots in a row.';
  }
  if (/[%!]/.test(local)) return 'The part before the @ cannot contain % or ! (old mail-routing syntax); use the plain address.';
  if (!local.split('.').every((atom) => LOCAL_ATOM.test(atom))) {
    return "The part before the @ may contain only ASCII letters, digits, dots and the characters # $ & ' * + / = ? ^ _ ` { | } ~ -.";
  }
  return undefined;
}

function parseDomain(raw: string): { ascii: string } | { error: string } {
  if (raw === '') return { error: 'The address needs a domain after the @, like example.com.' };
  if (raw.startsWith('[') || raw.includes(']')) return { error: 'Addresses at an IP address are not accepted; use an address at a domain name.' };
  const domain = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  // Checked before domainToASCII, which parses a URL host: it percent-decodes and stops at `/`.
  if (!/^[\p{L}\p{M}\p{N}.-]+$/u.test(domain)) return { error: 'The domain after the @ may contain only letters, digits, hyphens and dots.' };
  if (!domain.includes('.')) return { error: 'The domain after the @ needs at least one dot, like example.com.' };
  if (domain.split('.').some((label) => label === '')) return { error: 'The domain after the @ cannot start with a dot or contain two dots in a row.' };
  if (/^\d+$/.test(domain.slice(domain.lastIndexOf('.') + 1))) return { error: 'The domain looks like an IP address; use an address at a domain name.' };
  const ascii = domainToASCII(domain);
  const labels = ascii.split('.');
  if (ascii === '' || ascii.length > MAX_DOMAIN || !labels.every((l) => LDH_LABEL.test(l))) {
    return { error: 'The domain after the @ is not a valid host name; check its spelling.' };
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) return { error: 'The domain looks like an IP address; use an address at a domain name.' };
  if (mixesLookalikeScripts(domainToUnicode(ascii))) {
    return { error: 'The domain mixes Latin letters with Cyrillic, Greek or other look-alike letters; check its spelling, as it may imitate another domain.' };
  }
  return { ascii };
}

function mixesLookalikeScripts(unicodeDomain: string): boolean {
  const letters = [...unicodeDomain].filter((c) => /\p{L}/u.test(c));
  return LOOKALIKE_SCRIPTS.filter((script) => letters.some((c) => script.test(c))).length > 1;
}
