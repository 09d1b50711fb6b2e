/**
 * The cluster ephemeral store on Redis (node-redis 5). Every key and every pub/sub channel is
 * prefixed with `keyPrefix`, so several deployments (or test runs) share one Redis safely. Each
 * operation is a single atomic command or Lua script, so concurrent gateway nodes agree.
 */
import { randomUUID } from 'node:crypto';
import { TimeoutError } from 'redis';
import type { EphemeralStore } from './contract.js';
import { assertOptionalTtl, assertStep, assertTtl, lockKey, once, type StoreLogger } from './common.js';
import { closeClient, openRedisClient, startConnecting, watchConnection } from './redis-connection.js';
import { createRedisSubscriber } from './redis-subscriber.js';

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL; may hold a password, so it is never logged. */
  url: string;
  /** Prepended to every key and channel. Default `gatehouse:`. */
  keyPrefix?: string;
  logger?: StoreLogger;
  /** How long `ping()` waits for PONG before rejecting. Default 1000 ms. */
  pingTimeoutMs?: number;
  /** How long any other command may wait (including in the offline queue). Default 2000 ms. */
  commandTimeoutMs?: number;
  /** TCP connect timeout per attempt. Default 2000 ms. */
  connectTimeoutMs?: number;
}

// Compare-and-delete: release the lock only while it still holds our token. A plain DEL after our
// lock expired would delete the next holder's lock.
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// Fixed window: SET NX PX creates the counter with its deadline only when absent; INCRBY never
// touches the TTL, so later hits do not extend the window.
const INCREMENT_IN_WINDOW = `redis.call('SET', KEYS[1], '0', 'NX', 'PX', ARGV[2])
return redis.call('INCRBY', KEYS[1], ARGV[1])`;

// A script rather than MULTI: MULTI does not stop at a failed SADD (WRONGTYPE) and would still
// run PEXPIRE on the string under that key — a partial write. A failed redis.call ends the script.
const ADD_WITH_TTL = `redis.call('SADD', KEYS[1], ARGV[1])
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;

export async function createRedisStore(options: RedisStoreOptions): Promise<EphemeralStore> {
  const prefix = options.keyPrefix ?? 'gatehouse:';
  const { url, logger } = options;
  const commandTimeoutMs = options.commandTimeoutMs ?? 2000;
  const client = openRedisClient({ url, connectTimeoutMs: options.connectTimeoutMs ?? 2000, commandTimeoutMs });
  watchConnection(client, 'commands', url, logger);
  await startConnecting(client);
  const pingTimeoutMs = options.pingTimeoutMs ?? 1000;
  const pinger = client.withCommandOptions({ timeout: pingTimeoutMs });
  const subscriber = createRedisSubscriber(client, { url, timeoutMs: commandTimeoutMs, logger });
  const explain = explainTimeout(commandTimeoutMs);
  const k = (key: string) => prefix + key;

  const store: EphemeralStore = {
    async get(key) {
      return client.get(k(key));
    },

    async set(key, value, ttlMs) {
      assertOptionalTtl(ttlMs);
      if (ttlMs === undefined) await client.set(k(key), value);
      else await client.set(k(key), value, { expiration: { type: 'PX', value: ttlMs } });
    },

    async setIfAbsent(key, value, ttlMs) {
      assertTtl(ttlMs);
      const reply = await client.set(k(key), value, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
      return reply === 'OK';
    },

    async delete(...keys) {
      if (keys.length === 0) return 0;
      return client.del(keys.map(k));
    },

    async consume(key) {
      // GETDEL (Redis ≥ 6.2) is one command, so exactly one concurrent caller sees the value.
      return client.getDel(k(key));
    },

    async increment(key, ttlMs, by = 1) {
      assertOptionalTtl(ttlMs);
      assertStep(by);
      if (ttlMs === undefined) return client.incrBy(k(key), by);
      const reply = await client.eval(INCREMENT_IN_WINDOW, { keys: [k(key)], arguments: [String(by), String(ttlMs)] });
      return Number(reply);
    },

    async ttl(key) {
      const remaining = await client.pTTL(k(key));
      // -2: no such key; -1: no TTL.
      return remaining < 0 ? null : remaining;
    },

    async addToSet(key, member, ttlMs) {
      assertOptionalTtl(ttlMs);
      if (ttlMs === undefined) await client.sAdd(k(key), member);
      else await client.eval(ADD_WITH_TTL, { keys: [k(key)], arguments: [member, String(ttlMs)] });
    },

    async removeFromSet(key, member) {
      await client.sRem(k(key), member);
    },

    async members(key) {
      return client.sMembers(k(key));
    },

    async lock(name, ttlMs) {
      assertTtl(ttlMs);
      const key = k(lockKey(name));
      const token = randomUUID();
      const reply = await client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
      if (reply !== 'OK') return null;
      return once(async () => {
        await client.eval(RELEASE_LOCK, { keys: [key], arguments: [token] }).catch(explain('lock release'));
      });
    },

    async publish(channel, message) {
      await client.publish(k(channel), message);
    },

    async subscribe(channel, onMessage) {
      return subscriber.subscribe(k(channel), onMessage);
    },

    async ping() {
      // A readiness probe must answer fast, so PING gets a shorter timeout than other commands.
      await pinger.ping().catch(explainTimeout(pingTimeoutMs)('PING'));
    },

    async close() {
      await Promise.all([closeClient(client), subscriber.close()]);
    },
  };
  return withExplainedTimeouts(store, explain);
}

/** node-redis times commands out with an empty-message TimeoutError; say what happened instead. */
function explainTimeout(timeoutMs: number) {
  return (operation: string) => (err: unknown): never => {
    if (!(err instanceof TimeoutError)) throw err;
    throw new Error(`ephemeral store: Redis did not answer ${operation} within ${timeoutMs} ms`, { cause: err });
  };
}

function withExplainedTimeouts(store: EphemeralStore, explain: ReturnType<typeof explainTimeout>): EphemeralStore {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(store) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    wrapped[name] = (...args: unknown[]) => method(...args).catch(explain(name));
  }
  return wrapped as unknown as EphemeralStore;
}
