/**
 * Lockout after repeated failures, per login id (normalized) in the ephemeral store, so it holds
 * across nodes. A locked id answers exactly like a wrong password.
 */
import { createHash } from 'node:crypto';
import type { EphemeralStore } from '../store/ephemeral/contract.js';

const key = (loginId: string) => `login-failures:${createHash('sha256').update(loginId.trim().toLowerCase()).digest('hex')}`;

export function createLockout(store: EphemeralStore, options: { maxAttempts: number; lockoutMs: number }) {
  return {
    async isLocked(loginId: string): Promise<boolean> {
      return Number((await store.get(key(loginId))) ?? 0) >= options.maxAttempts;
    },
    async recordFailure(loginId: string): Promise<number> {
      return store.increment(key(loginId), options.lockoutMs);
    },
    async clear(loginId: string): Promise<void> {
      await store.delete(key(loginId));
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;
