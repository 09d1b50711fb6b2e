/**
 * Verified tokens by SHA-256 of the compact JWS, each until its own expiry. Bounded: when full,
 * the oldest entry (Map insertion order) makes room.
 */
import { hash } from 'node:crypto';

export interface TokenCache<T> {
  get(hash: string, nowMs: number): T | undefined;
  set(hash: string, value: T, expiresAtMs: number): void;
  readonly size: number;
}

/** One-shot hashing (no Hash object per call): this runs on every authenticated request. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'base64');
}

export function createTokenCache<T>(maxEntries: number): TokenCache<T> {
  const entries = new Map<string, { value: T; expiresAtMs: number }>();
  return {
    get(hash, nowMs) {
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (nowMs < entry.expiresAtMs) return entry.value;
      entries.delete(hash);
      return undefined;
    },
    set(hash, value, expiresAtMs) {
      if (maxEntries <= 0) return;
      entries.delete(hash);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      entries.set(hash, { value, expiresAtMs });
    },
    get size() {
      return entries.size;
    },
  };
}
