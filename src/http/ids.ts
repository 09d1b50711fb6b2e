import { randomBytes, randomUUID } from 'node:crypto';

const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769'; // Mattermost's base32 alphabet (z-base-32)

/** A Mattermost-style 26-character id: 130 random bits in z-base-32. */
export function newId(): string {
  const bytes = randomBytes(17);
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** True for a 26-character Mattermost-style id. */
export function isId(value: string): boolean {
  return /^[a-z0-9]{26}$/.test(value);
}

/** A request id: unique, not secret, cheap (it is made for every request). */
export function newRequestId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 26);
}

/** An opaque secret token: 256 random bits, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
