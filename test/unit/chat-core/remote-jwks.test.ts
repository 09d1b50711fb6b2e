import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { AssertionError } from '../../../chat-core/src/auth/assertion-error.js';
import { createRemoteJwks } from '../../../chat-core/src/auth/remote-jwks.js';

const logger = pino({ level: 'silent' });

async function publicJwk(kid: string, alg: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<JWK> {
  const { publicKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(publicKey)), kid, alg };
}

function fakeGateway(initial: JWK[]) {
  const state = { keys: initial, calls: 0, failing: false };
  const fetchJwks = (async () => {
    state.calls += 1;
    await Promise.resolve();
    if (state.failing) return new Response('down', { status: 503 });
    return new Response(JSON.stringify({ keys: state.keys }), { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { state, fetchJwks };
}

describe('the gateway JWKS', () => {
  let a: JWK;
  let b: JWK;
  beforeAll(async () => { [a, b] = await Promise.all([publicJwk('a'), publicJwk('b')]); });

  const setup = (keys: JWK[], cooldownMs = 30_000) => {
    let now = 1_000_000;
    const gateway = fakeGateway(keys);
    const jwks = createRemoteJwks({ url: 'http://gw/jwks', algorithm: 'EdDSA', cooldownMs, maxAgeMs: 600_000, fetch: gateway.fetchJwks, now: () => now, logger });
    return { jwks, gateway, advance: (ms: number) => { now += ms; } };
  };

  it('fetches lazily once and serves known keys from memory', async () => {
    const { jwks, gateway } = setup([a]);
    expect(gateway.state.calls).toBe(0);
    await jwks.getKey({ kid: 'a' });
    for (let i = 0; i < 50; i += 1) await jwks.getKey({ kid: 'a' });
    expect(gateway.state.calls).toBe(1);
  });

  it('shares one refetch among concurrent unknown kids and then waits out the cool-down', async () => {
    const { jwks, gateway, advance } = setup([a]);
    await jwks.getKey({ kid: 'a' });
    advance(30_000);
    const misses = await Promise.allSettled(Array.from({ length: 20 }, () => jwks.getKey({ kid: 'x' })));
    expect(misses.every((m) => m.status === 'rejected' && m.reason instanceof AssertionError && m.reason.reason === 'ASSERTION_KEY_UNKNOWN')).toBe(true);
    expect(gateway.state.calls).toBe(2);
    gateway.state.keys = [a, b];
    await expect(jwks.getKey({ kid: 'b' })).rejects.toThrow(AssertionError);
    expect(gateway.state.calls).toBe(2);
    advance(30_000);
    await expect(jwks.getKey({ kid: 'b' })).resolves.toBeDefined();
    expect(gateway.state.calls).toBe(3);
  });

  it('keeps the keys it has when a refetch fails, and applies the cool-down to failures too', async () => {
    const { jwks, gateway, advance } = setup([a]);
    await jwks.getKey({ kid: 'a' });
    gateway.state.failing = true;
    advance(30_000);
    await expect(jwks.getKey({ kid: 'b' })).rejects.toThrow(AssertionError);
    await expect(jwks.getKey({ kid: 'b' })).rejects.toThrow(AssertionError);
    expect(gateway.state.calls).toBe(2);
    expect(await jwks.getKey({ kid: 'a' })).toBeDefined();
  });

  it('ignores private keys, other key types, other algorithms and keys without kid', async () => {
    const es = await publicJwk('es', 'ES256');
    const { jwks } = setup([{ ...a, kid: 'priv', d: 'secret' }, es, { ...a, kid: 'hs', alg: 'HS256' }, { ...a, kid: undefined }, { ...a, kid: 'enc', use: 'enc' }]);
    for (const kid of ['priv', 'es', 'hs', 'enc']) await expect(jwks.getKey({ kid })).rejects.toThrow(AssertionError);
  });

  it('refuses a token header without kid', () => {
    const { jwks } = setup([a]);
    expect(() => jwks.getKey({})).toThrow(expect.objectContaining({ reason: 'ASSERTION_KEY_MISSING' }));
  });

  it('drops a withdrawn key after the maximum age, by a background refresh', async () => {
    const { jwks, gateway, advance } = setup([a, b]);
    await jwks.getKey({ kid: 'b' });
    gateway.state.keys = [a];
    advance(600_000);
    await jwks.getKey({ kid: 'b' });
    await jwks.refresh();
    await expect(jwks.getKey({ kid: 'b' })).rejects.toThrow(AssertionError);
  });
});
