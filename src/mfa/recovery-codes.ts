/**
 * Recovery codes: 10 per user, 50 random bits each shown as `xxxxx-xxxxx`, stored only as a
 * SHA-256 keyed by the user id (high-entropy values need no slow hash), single use.
 */
import { createHash, randomBytes } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i
const FORMAT = /^[a-z0-9]{5}-?[a-z0-9]{5}$/;

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export function looksLikeRecoveryCode(value: string): boolean {
  return FORMAT.test(value.trim().toLowerCase());
}

export function hashRecoveryCode(userId: string, code: string): string {
  const normalized = code.trim().toLowerCase().replace('-', '');
  return createHash('sha256').update(`${userId}:${normalized}`).digest('hex');
}
