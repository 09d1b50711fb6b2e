import { describe, expect, it } from 'vitest';
import { createTokenCache, hashToken } from '../../../chat-core/src/auth/token-cache.js';

describe('the verified-token cache', () => {
  it('serves an entry until its expiry and forgets it after', () => {
    const cache = createTokenCache<string>(10);
    cache.set('h', 'claims', 1_000);
    expect(cache.get('h', 999)).toBe('claims');
    expect(cache.get('h', 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the oldest entry when full', () => {
    const cache = createTokenCache<number>(2);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    cache.set('c', 3, 10);
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).toEqual([undefined, 2, 3]);
    expect(cache.size).toBe(2);
  });

  it('keys by SHA-256, so the token itself is never held as a key', () => {
    expect(hashToken('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });
});
