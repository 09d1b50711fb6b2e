/**
 * Choose the ephemeral store for this deployment: Redis when a URL is configured (a cluster), the
 * in-process memory store otherwise (one embedded node).
 */
import type { EphemeralStore } from './contract.js';
import type { StoreLogger } from './common.js';
import { createMemoryStore } from './memory.js';
import { createRedisStore } from './redis.js';

export type { EphemeralStore } from './contract.js';
export type { StoreLogger } from './common.js';

export interface EphemeralStoreOptions {
  /** Use Redis at this URL. An empty string is an error, not "no Redis": see below. */
  redisUrl?: string;
  /** Redis only: prefix for keys and channels. Default `gatehouse:`. */
  keyPrefix?: string;
  /** Memory only: the clock. Redis expires keys on its own clock. */
  now?: () => number;
  logger?: StoreLogger;
}

export async function createEphemeralStore(options: EphemeralStoreOptions = {}): Promise<EphemeralStore> {
  // Only an absent URL selects memory. Silently falling back on a blank URL would give each node
  // of a cluster its own sessions and let revocations stop at one node — fail closed instead
  // (createRedisStore rejects a blank URL).
  if (options.redisUrl === undefined) return createMemoryStore({ now: options.now, logger: options.logger });
  return createRedisStore({ url: options.redisUrl, keyPrefix: options.keyPrefix, logger: options.logger });
}
