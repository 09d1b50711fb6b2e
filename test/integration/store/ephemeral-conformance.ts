/**
 * The ephemeral store contract as tests, run unchanged on every backend
 * (see ephemeral.test.ts). Times are chosen with wide margins so the Redis run, whose real clock
 * keeps ticking a few ms per command, never lands on a boundary.
 */
import { describe, expect, it } from 'vitest';
import { inbox, recordingLogger, type Backend } from './ephemeral-backends.js';

const BAD_TTLS = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY];

export function conformance(backend: Backend): void {
  const { open, elapse } = backend;

  describe('strings', () => {
    it('returns null for a key that was never written', async () => {
      const store = await open();
      expect(await store.get('nothing')).toBeNull();
    });

    it('reads back what was set, and a second set replaces it', async () => {
      const store = await open();
      await store.set('greeting', 'hello');
      await store.set('greeting', 'hi');
      expect(await store.get('greeting')).toBe('hi');
    });

    it('forgets a key once its TTL has run out, and not before', async () => {
      const store = await open();
      await store.set('state', 'abc', 1000);
      expect(await store.ttl('state')).toBeGreaterThan(900);
      expect(await store.ttl('state')).toBeLessThanOrEqual(1000);
      await elapse(500);
      expect(await store.get('state')).toBe('abc');
      expect(await store.ttl('state')).toBeLessThanOrEqual(500);
      await elapse(600);
      expect(await store.get('state')).toBeNull();
      expect(await store.ttl('state')).toBeNull();
    });

    it('reports no TTL for a missing key or a key written without one', async () => {
      const store = await open();
      await store.set('forever', 'x');
      expect(await store.ttl('forever')).toBeNull();
      expect(await store.ttl('missing')).toBeNull();
    });

    it('makes a key permanent again when it is set without a TTL', async () => {
      const store = await open();
      await store.set('k', 'short', 1000);
      await store.set('k', 'long');
      await elapse(2000);
      expect(await store.get('k')).toBe('long');
    });

    it('writes with setIfAbsent only when the key is absent or expired', async () => {
      const store = await open();
      expect(await store.setIfAbsent('nonce', 'first', 1000)).toBe(true);
      expect(await store.setIfAbsent('nonce', 'second', 1000)).toBe(false);
      expect(await store.get('nonce')).toBe('first');
      await elapse(1100);
      expect(await store.setIfAbsent('nonce', 'third', 1000)).toBe(true);
      expect(await store.get('nonce')).toBe('third');
    });

    it('deletes keys and counts only those that existed', async () => {
      const store = await open();
      await store.set('a', '1');
      await store.set('b', '2');
      await store.set('gone', '3', 1000);
      await elapse(1100);
      expect(await store.delete('a', 'b', 'never', 'gone')).toBe(2);
      expect(await store.delete()).toBe(0);
      expect(await store.get('a')).toBeNull();
    });
  });

  describe('consume', () => {
    it('returns a value once and then null', async () => {
      const store = await open();
      await store.set('oidc-state', 'nonce-1', 1000);
      expect(await store.consume('oidc-state')).toBe('nonce-1');
      expect(await store.consume('oidc-state')).toBeNull();
      expect(await store.get('oidc-state')).toBeNull();
    });

    it('gives the value to exactly one of 20 concurrent callers', async () => {
      const store = await open();
      await store.set('saml-request', 'id-42', 1000);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.consume('saml-request')));
      expect(results.filter((r) => r !== null)).toEqual(['id-42']);
    });

    it('does not return an expired value', async () => {
      const store = await open();
      await store.set('challenge', 'c', 1000);
      await elapse(1100);
      expect(await store.consume('challenge')).toBeNull();
    });
  });

  describe('increment', () => {
    it('counts from 1 by default and by any integer step', async () => {
      const store = await open();
      expect(await store.increment('hits')).toBe(1);
      expect(await store.increment('hits', undefined, 5)).toBe(6);
      expect(await store.increment('hits', undefined, -2)).toBe(4);
      expect(await store.get('hits')).toBe('4');
    });

    it('keeps a fixed window: the TTL is set on creation and never extended', async () => {
      const store = await open();
      expect(await store.increment('login:alice', 1000)).toBe(1);
      await elapse(600);
      expect(await store.increment('login:alice', 1000)).toBe(2);
      expect(await store.ttl('login:alice')).toBeLessThanOrEqual(400);
      await elapse(500);
      expect(await store.increment('login:alice', 1000)).toBe(1);
      expect(await store.ttl('login:alice')).toBeGreaterThan(900);
    });

    it('refuses to increment a value that is not an integer', async () => {
      const store = await open();
      await store.set('name', 'alice');
      await expect(store.increment('name')).rejects.toThrow(/not an integer/);
      await expect(store.increment('name', 1000)).rejects.toThrow(/not an integer/);
      expect(await store.get('name')).toBe('alice');
      expect(await store.ttl('name')).toBeNull();
    });
  });

  describe('sets', () => {
    it('adds members once each, removes them, and drops the set when it empties', async () => {
      const store = await open();
      await store.addToSet('sessions:u1', 's1');
      await store.addToSet('sessions:u1', 's2');
      await store.addToSet('sessions:u1', 's1');
      expect((await store.members('sessions:u1')).sort()).toEqual(['s1', 's2']);
      await store.removeFromSet('sessions:u1', 's1');
      await store.removeFromSet('sessions:u1', 'never-there');
      expect(await store.members('sessions:u1')).toEqual(['s2']);
      await store.removeFromSet('sessions:u1', 's2');
      expect(await store.members('sessions:u1')).toEqual([]);
      expect(await store.delete('sessions:u1')).toBe(0);
    });

    it('expires the whole set; adding without a TTL keeps the deadline', async () => {
      const store = await open();
      await store.addToSet('s', 'a', 1000);
      await elapse(600);
      await store.addToSet('s', 'b');
      expect(await store.ttl('s')).toBeLessThanOrEqual(400);
      await elapse(500);
      expect(await store.members('s')).toEqual([]);
    });

    it('restarts the whole set’s life when a member is added with a TTL', async () => {
      const store = await open();
      await store.addToSet('s', 'a', 1000);
      await elapse(600);
      await store.addToSet('s', 'b', 1000);
      await elapse(600);
      expect((await store.members('s')).sort()).toEqual(['a', 'b']);
    });

    it('refuses to mix strings and sets under one key', async () => {
      const store = await open();
      await store.addToSet('set', 'a');
      await store.set('string', 'x', 5000);
      await expect(store.get('set')).rejects.toThrow(/WRONGTYPE/);
      await expect(store.consume('set')).rejects.toThrow(/WRONGTYPE/);
      await expect(store.increment('set', 1000)).rejects.toThrow(/WRONGTYPE/);
      await expect(store.members('string')).rejects.toThrow(/WRONGTYPE/);
      await expect(store.addToSet('string', 'a')).rejects.toThrow(/WRONGTYPE/);
      // A refused write is no write at all: the string keeps its value and its deadline.
      await expect(store.addToSet('string', 'a', 1000)).rejects.toThrow(/WRONGTYPE/);
      expect(await store.get('string')).toBe('x');
      expect(await store.ttl('string')).toBeGreaterThan(4000);
      expect(await store.members('set')).toEqual(['a']);
    });
  });

  describe('locks', () => {
    it('lets one holder in at a time and frees the lock on release', async () => {
      const store = await open();
      const release = await store.lock('ldap-sync', 1000);
      expect(release).toBeTypeOf('function');
      expect(await store.lock('ldap-sync', 1000)).toBeNull();
      await release!();
      expect(await store.lock('ldap-sync', 1000)).toBeTypeOf('function');
    });

    it('frees an abandoned lock when its TTL runs out', async () => {
      const store = await open();
      expect(await store.lock('job', 1000)).not.toBeNull();
      await elapse(1100);
      expect(await store.lock('job', 1000)).not.toBeNull();
    });

    it('never lets a late release delete the next holder’s lock', async () => {
      const store = await open();
      const first = await store.lock('job', 1000);
      await elapse(1100);
      const second = await store.lock('job', 1000);
      expect(second).not.toBeNull();
      await first!();
      await first!();
      expect(await store.lock('job', 1000)).toBeNull();
      await second!();
      expect(await store.lock('job', 1000)).not.toBeNull();
    });

    it('keeps lock names apart from ordinary keys', async () => {
      const store = await open();
      await store.set('job', 'not a lock');
      const release = await store.lock('job', 1000);
      expect(release).not.toBeNull();
      await release!();
      expect(await store.get('job')).toBe('not a lock');
    });
  });

  describe('publish and subscribe', () => {
    it('delivers a message to every subscriber of the channel, never inside publish()', async () => {
      const store = await open();
      const a = inbox();
      const b = inbox();
      await store.subscribe('session.revoked', a.onMessage);
      await store.subscribe('session.revoked', b.onMessage);
      const arrivals = Promise.all([a.next(), b.next()]);
      const published = store.publish('session.revoked', 'sid-1');
      expect(a.received).toEqual([]);
      await published;
      expect(await arrivals).toEqual(['sid-1', 'sid-1']);
    });

    it('stops delivering to a subscriber once it unsubscribed, and only to it', async () => {
      const store = await open();
      const gone = inbox();
      const stays = inbox();
      const unsubscribe = await store.subscribe('c', gone.onMessage);
      await store.subscribe('c', stays.onMessage);
      await unsubscribe();
      const arrival = stays.next();
      await store.publish('c', 'after');
      expect(await arrival).toBe('after');
      // Both listeners were fed from the same delivery: had `gone` still been there, it would have it.
      expect(gone.received).toEqual([]);
    });

    it('keeps channels apart', async () => {
      const store = await open();
      const revoked = inbox();
      const other = inbox();
      await store.subscribe('revoked', revoked.onMessage);
      await store.subscribe('other', other.onMessage);
      const first = other.next();
      await store.publish('revoked', 'sid-1');
      await store.publish('other', 'x');
      expect(await first).toBe('x');
      expect(other.received).toEqual(['x']);
      expect(revoked.received).toEqual(['sid-1']);
    });

    it('survives a subscriber that throws, logs it, and still feeds the others', async () => {
      const { lines, logger } = recordingLogger();
      const store = await open({ logger });
      const healthy = inbox();
      await store.subscribe('c', () => {
        throw new Error('subscriber bug');
      });
      await store.subscribe('c', healthy.onMessage);
      const arrival = healthy.next();
      await store.publish('c', 'secret-sid');
      expect(await arrival).toBe('secret-sid');
      expect(lines.map((l) => l.msg)).toContain('ephemeral subscriber threw');
      expect(JSON.stringify(lines)).not.toContain('secret-sid');
    });
  });

  describe('lifecycle', () => {
    it('answers ping while open and refuses every call once closed', async () => {
      const store = await open();
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await store.close();
      await expect(store.ping()).rejects.toThrow(/closed/);
      await expect(store.get('k')).rejects.toThrow(/closed/);
    });
  });

  describe('bad TTLs', () => {
    it.each(BAD_TTLS)('refuses a TTL of %s on every operation and writes nothing', async (ttl) => {
      const store = await open();
      const refusal = /ttlMs must be a positive integer/;
      await expect(store.set('k', 'v', ttl)).rejects.toThrow(refusal);
      await expect(store.setIfAbsent('k', 'v', ttl)).rejects.toThrow(refusal);
      await expect(store.increment('k', ttl)).rejects.toThrow(refusal);
      await expect(store.addToSet('s', 'm', ttl)).rejects.toThrow(refusal);
      await expect(store.lock('l', ttl)).rejects.toThrow(refusal);
      expect(await store.get('k')).toBeNull();
      expect(await store.members('s')).toEqual([]);
      expect(await store.lock('l', 1000)).not.toBeNull();
    });

    it('refuses a fractional increment step', async () => {
      const store = await open();
      await expect(store.increment('k', 1000, 1.5)).rejects.toThrow(/step must be an integer/);
      expect(await store.get('k')).toBeNull();
    });
  });
}
