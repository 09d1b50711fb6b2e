/**
 * Mattermost-style ids: 16 random bytes in base32 with Mattermost's alphabet, cut to 26
 * lowercase characters (model.NewId).
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';
const ID_PATTERN = /^[a-z0-9]{26}$/;
/** Ids minted by the gateway (users, teams) are opaque to us but bounded and URL-safe. */
const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function newId(): string {
  const bytes = randomBytes(16);
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  // 128 bits leave 3 over: base32 pads them into a 26th character.
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** True for an id chat-core minted (channels, posts). */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** True for an id the gateway may have minted (users, teams). */
export function isExternalId(value: unknown): value is string {
  return typeof value === 'string' && EXTERNAL_ID_PATTERN.test(value);
}
