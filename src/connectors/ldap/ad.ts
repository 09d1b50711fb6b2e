/**
 * Active Directory value formats, decoded without a directory (unit-tested on recorded entry shapes):
 * objectGUID, userAccountControl, accountExpires, and the in-chain matching rule for nested groups.
 */
import { Filter } from 'ldapts';

/**
 * objectGUID is 16 bytes; its canonical string form (what AD tools show) reads the first three
 * fields little-endian: bytes 3 2 1 0 - 5 4 - 7 6 - 8 9 - 10…15.
 */
export function decodeObjectGuid(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`objectGUID must be 16 bytes, got ${bytes.length}`);
  const h = (i: number) => bytes[i]!.toString(16).padStart(2, '0');
  return [
    h(3) + h(2) + h(1) + h(0),
    h(5) + h(4),
    h(7) + h(6),
    h(8) + h(9),
    [10, 11, 12, 13, 14, 15].map(h).join(''),
  ].join('-');
}

/** The inverse, for filters such as `(objectGUID=\xx\xx…)`. */
export function encodeObjectGuid(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error('not a GUID');
  const b = Buffer.from(hex, 'hex');
  return Buffer.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]);
}

/** userAccountControl ACCOUNTDISABLE (0x2). */
export const UAC_ACCOUNTDISABLE = 0x2;

export function isUacDisabled(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  const n = Number.parseInt(value, 10);
  // An unparsable value is doubt, and doubt refuses.
  if (!Number.isFinite(n)) return true;
  return (n & UAC_ACCOUNTDISABLE) !== 0;
}

/** Windows FILETIME: 100-ns intervals since 1601-01-01 UTC. */
const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;
const NEVER = 0x7fffffffffffffffn;

/**
 * accountExpires: 0 and 0x7FFFFFFFFFFFFFFF mean never; anything else is the expiry instant.
 * Returns true when the account has expired at `nowMs`.
 */
export function isAccountExpired(value: string | undefined, nowMs: number): boolean {
  if (value === undefined || value === '') return false;
  let ticks: bigint;
  try {
    ticks = BigInt(value.trim());
  } catch {
    return true;
  }
  if (ticks === 0n || ticks === NEVER) return false;
  if (ticks < 0n) return true;
  const expiresMs = ticks / 10_000n - FILETIME_EPOCH_OFFSET_MS;
  return BigInt(Math.floor(nowMs)) >= expiresMs;
}

/** AD's LDAP_MATCHING_RULE_IN_CHAIN: `(member:1.2.840.113556.1.4.1941:=<dn>)` matches nested membership. */
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';

/** Every group (nested included) that `userDn` belongs to, within `groupFilter`. */
export function inChainGroupsFilter(groupFilter: string, userDn: string, memberAttribute = 'member'): string {
  return `(&${groupFilter}(${memberAttribute}:${IN_CHAIN_RULE}:=${Filter.escape(userDn)}))`;
}
