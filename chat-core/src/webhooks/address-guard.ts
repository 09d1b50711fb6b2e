/**
 * Which addresses an outgoing webhook may reach without an operator's say-so (SSRF guard). Refused:
 * unspecified, loopback, private (RFC 1918, CGNAT), link-local, unique-local, site-local, multicast,
 * reserved, benchmarking and documentation ranges — for IPv4, IPv6, and IPv4 carried inside IPv6
 * (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`).
 */
import { isIP } from 'node:net';

/** [network, prefix length] pairs, IPv4. */
const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

function ipv4Number(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

const V4_RANGES = BLOCKED_V4.map(([network, bits]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ipv4Number(network)! & mask) >>> 0, mask };
});

function isBlockedV4(value: number): boolean {
  return V4_RANGES.some(({ base, mask }) => ((value & mask) >>> 0) === base);
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail included), or undefined. */
export function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4Number(tail);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => (/^[0-9a-f]{1,4}$/i.test(group) ? parseInt(group, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  return groups.some(Number.isNaN) ? undefined : groups;
}

const v4From = (high: number, low: number): number => high * 0x10000 + low;

function isBlockedV6(g: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const leadingZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // ::/96 holds :: (unspecified), ::1 (loopback) and the deprecated IPv4-compatible form; all refused.
  if (leadingZero && g5 === 0) return true;
  if (leadingZero && g5 === 0xffff) return isBlockedV4(v4From(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isBlockedV4(v4From(g6, g7));
  if (g0 === 0x2002) return isBlockedV4(v4From(g1, g2));
  if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique-local
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return true; // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // 100::/64 discard
  if (g0 === 0x2001 && g1 === 0xdb8) return true; // documentation
  return false;
}

/** True only for a well-formed public unicast address; anything unparsable counts as not public. */
export function isPublicAddress(address: string): boolean {
  const bare = address.split('%')[0]!;
  const family = isIP(bare);
  if (family === 4) return !isBlockedV4(ipv4Number(bare)!);
  if (family !== 6) return false;
  const groups = ipv6Groups(bare);
  return groups !== undefined && !isBlockedV6(groups);
}
