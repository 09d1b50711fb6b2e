/**
 * The two backends the ephemeral conformance suite runs on, behind one shape: open a store, let
 * time pass, clean up. Neither sleeps to let time pass:
 * - memory: the store runs on an injected clock, which `elapse` moves forward;
 * - Redis: Redis has no injectable clock, so `elapse` moves every deadline under the test prefix
 *   closer by the same amount (PTTL − ms, deleting what reaches zero), atomically per key.
 * A separate Redis test checks that real TTLs really run out on Redis's own clock.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createClient } from 'redis';
import type { EphemeralStore } from '../../../src/store/ephemeral/contract.js';
import type { StoreLogger } from '../../../src/store/ephemeral/common.js';
import { createMemoryStore } from '../../../src/store/ephemeral/memory.js';
import { createRedisStore } from '../../../src/store/ephemeral/redis.js';
import { REDIS_URL, uniqueRedisPrefix } from '../../support/databases.js';

export interface Backend {
  name: string;
  /** A store for the current test; stores that share a prefix see each other's keys (two nodes). */
  open(options?: { logger?: StoreLogger; keyPrefix?: string }): Promise<EphemeralStore>;
  /** Let `ms` milliseconds pass for every store of the current test. */
  elapse(ms: number): Promise<void>;
  /** The key prefix of the current test (Redis). */
  prefix(): string;
}

/** Registers the hooks that close every store a test opened. */
function trackStores() {
  const open: EphemeralStore[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  return (store: EphemeralStore) => {
    open.push(store);
    return store;
  };
}

export function memoryBackend(): Backend {
  let clock = 0;
  const track = trackStores();
  beforeEach(() => {
    clock = Date.parse('2030-01-01T00:00:00Z');
  });
  return {
    name: 'memory',
    open: async (options = {}) => track(createMemoryStore({ now: () => clock, logger: options.logger })),
    elapse: async (ms) => {
      clock += ms;
    },
    prefix: () => '',
  };
}

const SHIFT_DEADLINE = `local left = redis.call('PTTL', KEYS[1])
if left < 0 then return left end
left = left - tonumber(ARGV[1])
if left <= 0 then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], left) end
return left`;

export type AdminClient = ReturnType<typeof createClient>;

export function redisBackend(): Backend & { admin(): AdminClient; base: string } {
  const base = uniqueRedisPrefix('ephemeral');
  const admin = createClient({ url: REDIS_URL });
  const track = trackStores();
  let testNumber = 0;
  const prefix = () => `${base}${testNumber}:`;

  beforeAll(async () => {
    await admin.connect();
  });
  beforeEach(() => {
    testNumber += 1;
  });
  afterAll(async () => {
    for await (const keys of admin.scanIterator({ MATCH: `${base}*`, COUNT: 500 })) {
      if (keys.length > 0) await admin.del(keys);
    }
    await admin.close();
  });

  return {
    name: 'redis',
    base,
    admin: () => admin,
    prefix,
    open: async (options = {}) =>
      track(await createRedisStore({ url: REDIS_URL, keyPrefix: options.keyPrefix ?? prefix(), logger: options.logger })),
    elapse: async (ms) => {
      for await (const keys of admin.scanIterator({ MATCH: `${base}*`, COUNT: 500 })) {
        for (const key of keys) await admin.eval(SHIFT_DEADLINE, { keys: [key], arguments: [String(ms)] });
      }
    },
  };
}

/** Collects messages; `next()` waits for the next one, bounded so a lost message fails the test. */
export function inbox() {
  const received: string[] = [];
  let waiting: ((message: string) => void) | undefined;
  return {
    received,
    onMessage: (message: string) => {
      received.push(message);
      waiting?.(message);
    },
    next(timeoutMs = 2000): Promise<string> {
      const seen = received.length;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
        waiting = (message) => {
          if (received.length <= seen) return;
          clearTimeout(timer);
          waiting = undefined;
          resolve(message);
        };
      });
    },
  };
}

/** A logger that keeps what it was given, to assert on. */
export function recordingLogger() {
  const lines: { obj: object; msg: string | undefined }[] = [];
  const record = (obj: object, msg?: string) => void lines.push({ obj, msg });
  return { lines, logger: { warn: record, info: record } satisfies StoreLogger };
}
