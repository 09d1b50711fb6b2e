/**
 * Conformance of both ephemeral stores to one contract (src/store/ephemeral/contract.ts), then
 * what only one backend can show: the memory store's sweep, and Redis's real clock, prefixes,
 * several nodes, and an unreachable server.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEphemeralStore } from '../../../src/store/ephemeral/index.js';
import { createMemoryKeyspace } from '../../../src/store/ephemeral/memory-keyspace.js';
import { createMemoryStore } from '../../../src/store/ephemeral/memory.js';
import { createRedisStore } from '../../../src/store/ephemeral/redis.js';
import { REDIS_URL } from '../../support/databases.js';
import { inbox, memoryBackend, recordingLogger, redisBackend } from './ephemeral-backends.js';
import { conformance } from './ephemeral-conformance.js';

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the memory ephemeral store', () => {
  conformance(memoryBackend());

  describe('housekeeping', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('sweeps out expired entries nobody reads again, and keeps the live ones', () => {
      let clock = 0;
      const keyspace = createMemoryKeyspace(() => clock);
      keyspace.write('old', { kind: 'string', value: 'x', expiresAt: 1000 });
      keyspace.write('set', { kind: 'set', members: new Set(['a']), expiresAt: 1000 });
      keyspace.write('young', { kind: 'string', value: 'y', expiresAt: 5000 });
      keyspace.write('forever', { kind: 'string', value: 'z', expiresAt: null });
      clock = 1000;
      expect(keyspace.sweep()).toBe(2);
      expect(keyspace.size()).toBe(2);
      expect(keyspace.read('young')?.kind).toBe('string');
    });

    it('runs the sweep on an unref’d timer that close() clears', async () => {
      const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
      const clearIntervalSpy = vi.spyOn(globalThis, 'clearInterval');
      const store = createMemoryStore({ sweepIntervalMs: 60_000 });
      const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
      expect(setIntervalSpy).toHaveBeenCalledWith(expect.any(Function), 60_000);
      expect(timer.hasRef()).toBe(false);
      await store.close();
      expect(clearIntervalSpy).toHaveBeenCalledWith(timer);
    });

    it('sweeps on its interval without any read', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      try {
        const now = vi.fn(() => 0);
        const store = createMemoryStore({ now, sweepIntervalMs: 1000 });
        await store.set('k', 'v', 10);
        now.mockClear();
        vi.advanceTimersByTime(1000);
        expect(now).toHaveBeenCalledTimes(1);
        await store.close();
      } finally {
        vi.useRealTimers();
      }
    });
  });
});

describe('the Redis ephemeral store', () => {
  const backend = redisBackend();
  conformance(backend);

  it('lets a real TTL run out on Redis’s own clock', async () => {
    const store = await backend.open();
    await store.set('short', 'v', 50);
    expect(await store.ttl('short')).toBeLessThanOrEqual(50);
    // Bounded poll, 10 ms steps: expected after ~50 ms, gives up after 1 s.
    for (let i = 0; i < 100 && (await store.get('short')) !== null; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await store.get('short')).toBeNull();
  });

  it('stores every key under its prefix', async () => {
    const store = await backend.open();
    await store.set('k', 'v');
    await store.addToSet('s', 'm');
    await store.lock('job', 1000);
    const admin = backend.admin();
    expect(await admin.get(`${backend.prefix()}k`)).toBe('v');
    expect(await admin.sMembers(`${backend.prefix()}s`)).toEqual(['m']);
    expect(await admin.exists(`${backend.prefix()}lock:job`)).toBe(1);
  });

  it('keeps two prefixes apart: keys, sets, locks and channels', async () => {
    const blue = await backend.open({ keyPrefix: `${backend.prefix()}blue:` });
    const green = await backend.open({ keyPrefix: `${backend.prefix()}green:` });
    await blue.set('k', 'blue');
    await blue.addToSet('s', 'blue');
    expect(await green.get('k')).toBeNull();
    expect(await green.members('s')).toEqual([]);
    expect(await green.delete('k')).toBe(0);
    expect(await blue.lock('job', 1000)).not.toBeNull();
    expect(await green.lock('job', 1000)).not.toBeNull();
    const greenInbox = inbox();
    await green.subscribe('revoked', greenInbox.onMessage);
    const arrival = greenInbox.next();
    await blue.publish('revoked', 'blue-sid');
    await green.publish('revoked', 'green-sid');
    // Redis delivers in publish order: a leaked blue message would have arrived first.
    expect(await arrival).toBe('green-sid');
    expect(greenInbox.received).toEqual(['green-sid']);
    expect(await blue.get('k')).toBe('blue');
  });

  it('shares state and messages between two nodes on one prefix', async () => {
    const nodeA = await backend.open();
    const nodeB = await backend.open();
    await nodeA.set('state', 'once', 1000);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? nodeA : nodeB).consume('state')),
    );
    expect(results.filter((r) => r !== null)).toEqual(['once']);
    expect(await nodeA.lock('job', 1000)).not.toBeNull();
    expect(await nodeB.lock('job', 1000)).toBeNull();
    const onB = inbox();
    await nodeB.subscribe('session.revoked', onB.onMessage);
    const arrival = onB.next();
    await nodeA.publish('session.revoked', 'sid-9');
    expect(await arrival).toBe('sid-9');
  });

  it('is what createEphemeralStore returns when a Redis URL is given', async () => {
    const store = await createEphemeralStore({ redisUrl: REDIS_URL, keyPrefix: backend.prefix() });
    const other = await backend.open();
    try {
      await store.set('k', 'shared', 1000);
      expect(await other.consume('k')).toBe('shared');
    } finally {
      await store.close();
    }
  });

  describe('when Redis cannot be reached', () => {
    it('still starts, rejects ping within ~2 s, fails commands closed, and closes', async () => {
      const { lines, logger } = recordingLogger();
      const url = `redis://gatehouse:hunter2-secret@127.0.0.1:${await closedPort()}`;
      let started = Date.now();
      const store = await createRedisStore({ url, logger, commandTimeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(2000);
      started = Date.now();
      await expect(store.ping()).rejects.toThrow(/did not answer PING/);
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(store.get('k')).rejects.toThrow(/did not answer get within 300 ms/);
      await expect(store.subscribe('c', () => undefined)).rejects.toThrow(/SUBSCRIBE/);
      await store.close();
      expect(lines.some((l) => l.msg === 'redis connection failed; retrying in the background')).toBe(true);
    });

    it('never puts the password from the URL in a log line or an error', async () => {
      const { lines, logger } = recordingLogger();
      const password = 'hunter2-secret';
      const store = await createRedisStore({ url: `redis://u:${password}@127.0.0.1:${await closedPort()}`, logger });
      const error = await store.ping().catch((err: unknown) => err);
      await store.close();
      expect(lines.length).toBeGreaterThan(0);
      expect(JSON.stringify(lines)).not.toContain(password);
      expect(String(error)).not.toContain(password);
      const badUrl = await createRedisStore({ url: `redis//u:${password}@host` }).catch((err: unknown) => err);
      expect(String(badUrl)).toMatch(/not a valid URL/);
      expect(JSON.stringify(badUrl, Object.getOwnPropertyNames(badUrl))).not.toContain(password);
    });
  });
});

describe('createEphemeralStore without a Redis URL', () => {
  it('returns the memory store, on the given clock', async () => {
    let clock = 0;
    const store = await createEphemeralStore({ now: () => clock });
    await store.set('k', 'v', 1000);
    clock = 1000;
    expect(await store.get('k')).toBeNull();
    await store.close();
  });

  it('refuses a blank Redis URL instead of silently falling back to memory', async () => {
    await expect(createEphemeralStore({ redisUrl: '' })).rejects.toThrow(/Redis URL/);
  });
});
