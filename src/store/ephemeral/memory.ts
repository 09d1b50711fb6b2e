/**
 * The embedded ephemeral store: one process, no persistence. TTLs run on the injected clock and
 * are checked lazily on every read; a periodic sweep drops keys nobody reads again, so memory stays
 * bounded by what is alive. Semantics follow the Redis store (see contract.ts) so the two are
 * interchangeable — the conformance suite runs on both.
 */
import { randomUUID } from 'node:crypto';
import type { EphemeralStore } from './contract.js';
import { createMemoryKeyspace, type MemoryEntry } from './memory-keyspace.js';
import { createMemoryPubSub } from './memory-pubsub.js';
import {
  assertOptionalTtl,
  assertStep,
  assertTtl,
  lockKey,
  notAnIntegerError,
  once,
  wrongTypeError,
  type StoreLogger,
} from './common.js';

export interface MemoryStoreOptions {
  /** Clock in ms since the epoch; tests inject a fake one. Default `Date.now`. */
  now?: () => number;
  /** Receives warnings such as a subscriber that threw. */
  logger?: StoreLogger;
  /** How often expired keys are swept out. Default 10 s. */
  sweepIntervalMs?: number;
}

const DEFAULT_SWEEP_INTERVAL_MS = 10_000;
const INTEGER = /^-?(0|[1-9][0-9]*)$/;

export function createMemoryStore(options: MemoryStoreOptions = {}): EphemeralStore {
  const now = options.now ?? Date.now;
  const keyspace = createMemoryKeyspace(now);
  const pubsub = createMemoryPubSub(options.logger);
  const sweeper = setInterval(() => keyspace.sweep(), options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  // The sweep is housekeeping: it must never keep the process alive on its own.
  sweeper.unref();
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new Error('ephemeral store is closed');
  }
  const deadline = (ttlMs: number | undefined) => (ttlMs === undefined ? null : now() + ttlMs);

  function readString(key: string): Extract<MemoryEntry, { kind: 'string' }> | undefined {
    ensureOpen();
    const entry = keyspace.read(key);
    if (entry !== undefined && entry.kind !== 'string') throw wrongTypeError();
    return entry;
  }

  function readSet(key: string): Extract<MemoryEntry, { kind: 'set' }> | undefined {
    ensureOpen();
    const entry = keyspace.read(key);
    if (entry !== undefined && entry.kind !== 'set') throw wrongTypeError();
    return entry;
  }

  function writeString(key: string, value: string, ttlMs: number | undefined): void {
    keyspace.write(key, { kind: 'string', value, expiresAt: deadline(ttlMs) });
  }

  function parseInteger(value: string): number {
    const parsed = Number(value);
    if (!INTEGER.test(value) || !Number.isSafeInteger(parsed)) throw notAnIntegerError();
    return parsed;
  }

  const store: EphemeralStore = {
    async get(key) {
      return readString(key)?.value ?? null;
    },

    async set(key, value, ttlMs) {
      assertOptionalTtl(ttlMs);
      ensureOpen();
      // Like Redis SET: replaces any value and any previous TTL.
      writeString(key, value, ttlMs);
    },

    async setIfAbsent(key, value, ttlMs) {
      assertTtl(ttlMs);
      ensureOpen();
      if (keyspace.read(key) !== undefined) return false;
      writeString(key, value, ttlMs);
      return true;
    },

    async delete(...keys) {
      ensureOpen();
      return keys.filter((key) => keyspace.remove(key)).length;
    },

    async consume(key) {
      // Read and remove in one synchronous step: no other caller can interleave (single thread).
      const entry = readString(key);
      if (entry === undefined) return null;
      keyspace.remove(key);
      return entry.value;
    },

    async increment(key, ttlMs, by = 1) {
      assertOptionalTtl(ttlMs);
      assertStep(by);
      const entry = readString(key);
      const next = (entry === undefined ? 0 : parseInteger(entry.value)) + by;
      if (!Number.isSafeInteger(next)) throw notAnIntegerError();
      // Fixed window: the deadline is set when the counter is created and never moved later.
      const expiresAt = entry === undefined ? deadline(ttlMs) : entry.expiresAt;
      keyspace.write(key, { kind: 'string', value: String(next), expiresAt });
      return next;
    },

    async ttl(key) {
      ensureOpen();
      const entry = keyspace.read(key);
      if (entry === undefined || entry.expiresAt === null) return null;
      return entry.expiresAt - now();
    },

    async addToSet(key, member, ttlMs) {
      assertOptionalTtl(ttlMs);
      const entry = readSet(key);
      if (entry === undefined) {
        keyspace.write(key, { kind: 'set', members: new Set([member]), expiresAt: deadline(ttlMs) });
        return;
      }
      entry.members.add(member);
      // Like SADD + PEXPIRE: a TTL given now restarts the whole set's life; none keeps the old one.
      if (ttlMs !== undefined) entry.expiresAt = deadline(ttlMs);
    },

    async removeFromSet(key, member) {
      const entry = readSet(key);
      if (entry === undefined) return;
      entry.members.delete(member);
      // Like Redis, an empty set does not exist.
      if (entry.members.size === 0) keyspace.remove(key);
    },

    async members(key) {
      return [...(readSet(key)?.members ?? [])];
    },

    async lock(name, ttlMs) {
      assertTtl(ttlMs);
      ensureOpen();
      const key = lockKey(name);
      if (keyspace.read(key) !== undefined) return null;
      // The owner token lets release tell "my lock" from "the next holder's lock after mine expired".
      const token = randomUUID();
      writeString(key, token, ttlMs);
      return once(async () => {
        if (readString(key)?.value === token) keyspace.remove(key);
      });
    },

    async publish(channel, message) {
      ensureOpen();
      pubsub.publish(channel, message);
    },

    async subscribe(channel, onMessage) {
      ensureOpen();
      const unsubscribe = pubsub.subscribe(channel, onMessage);
      return async () => unsubscribe();
    },

    async ping() {
      ensureOpen();
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      keyspace.clear();
      pubsub.clear();
    },
  };
  return store;
}
