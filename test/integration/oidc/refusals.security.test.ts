/**
 * Every authorization response the OIDC connector must refuse (issue 4, "Refusals"), against a
 * real oidc-provider. Each test asserts the error code, the precise reason in `detail` and the
 * warn log line. Token tampering goes through the connector's injected fetch (`tamperingFetch`):
 * the provider's real token response has its ID token rewritten and re-signed with the provider's
 * own key, so only the tampered claim can be refused. Time attacks move the injected clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginStateKey } from '../../../src/connectors/oidc/connector-context.js';
import { loginFlow, tamperingFetch, unsignedJwt, type CallbackRequest, type TestOidcProvider } from '../../support/oidc-provider.js';
import { ALICE, connectorFor, expectRefused, startProvider, stateOf, type Rp } from './harness.js';

const HOUR = 3_600_000;
let op: TestOidcProvider;
let opB: TestOidcProvider;
beforeAll(async () => {
  op = await startProvider();
  opB = await startProvider();
});
afterAll(async () => {
  await op.close();
  await opB.close();
});

async function signIn(rp: Rp, provider = op): Promise<{ callback: CallbackRequest; state: string }> {
  const { redirectUrl } = await rp.connector.startLogin('relay');
  expect(new URL(redirectUrl).origin).toBe(provider.url);
  return { callback: await loginFlow(redirectUrl, { accountId: ALICE.sub }), state: stateOf(redirectUrl) };
}

function withParam(callback: CallbackRequest, name: string, value: string | null): CallbackRequest {
  const url = new URL(callback.url);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return { ...callback, url: url.href };
}

describe('the control', () => {
  it('accepts the untouched response the attacks below start from', async () => {
    const rp = await connectorFor(op);
    const { callback } = await signIn(rp);
    expect((await rp.connector.finishLogin(callback)).identity.subject).toBe(ALICE.sub);
  });
});

describe('state', () => {
  it('refuses a callback without state', async () => {
    const rp = await connectorFor(op);
    const { callback } = await signIn(rp);
    await expectRefused(rp, rp.connector.finishLogin(withParam(callback, 'state', null)), /missing state parameter/);
  });

  it('refuses a state it never issued', async () => {
    const rp = await connectorFor(op);
    const { callback } = await signIn(rp);
    await expectRefused(rp, rp.connector.finishLogin(withParam(callback, 'state', 'forged-state')), /unknown, expired or already used state/);
  });

  it('refuses a state used a second time', async () => {
    const rp = await connectorFor(op);
    const { callback } = await signIn(rp);
    await rp.connector.finishLogin(callback);
    await expectRefused(rp, rp.connector.finishLogin(callback), /unknown, expired or already used state/);
  });

  it('refuses a state after its 10 minutes (the store forgets it)', async () => {
    const rp = await connectorFor(op);
    const { callback, state } = await signIn(rp);
    expect(await rp.store.ttl(loginStateKey('corp', state))).toBeLessThanOrEqual(600_000);
    await rp.store.delete(loginStateKey('corp', state));
    await expectRefused(rp, rp.connector.finishLogin(callback), /unknown, expired or already used state/);
  });
});

describe('the ID token', () => {
  it('refuses a wrong nonce (the stored nonce no longer matches the one the provider signed)', async () => {
    const rp = await connectorFor(op);
    const { callback, state } = await signIn(rp);
    const key = loginStateKey('corp', state);
    const stored = JSON.parse((await rp.store.get(key))!) as Record<string, unknown>;
    await rp.store.set(key, JSON.stringify({ ...stored, nonce: 'another-nonce' }), 60_000);
    await expectRefused(rp, rp.connector.finishLogin(callback), /nonce/);
  });

  it('refuses an unsigned ID token (alg: none)', async () => {
    const rp = await connectorFor(op, {}, { fetch: tamperingFetch(op, (claims) => ({ token: unsignedJwt(claims) })) });
    const { callback } = await signIn(rp);
    await expectRefused(rp, rp.connector.finishLogin(callback), /alg/i);
  });

  it('refuses an ID token signed with an algorithm outside idTokenAlgorithms (RS256 when only ES256 is pinned)', async () => {
    const rp = await connectorFor(op, { idTokenAlgorithms: ['ES256'] });
    const { callback } = await signIn(rp);
    await expectRefused(rp, rp.connector.finishLogin(callback), /ID token: .*alg.*(not allowed|JOSEAlgNotAllowed)|ERR_JOSE_ALG_NOT_ALLOWED/i);
  });

  it('refuses an ID token re-signed with a foreign key', async () => {
    // Provider B's key: a well-formed RS256 signature from a key provider A never published.
    const rogue = await connectorFor(op, {}, { fetch: tamperingFetch(op, async (claims) => ({ token: await opB.sign(claims) })) });
    const { callback } = await signIn(rogue);
    await expectRefused(rogue, rogue.connector.finishLogin(callback), /signature|no applicable key|JWKSNoMatchingKey/i);
  });

  const claimAttacks: Array<[string, Record<string, unknown>, RegExp]> = [
    ['iss', { iss: 'https://evil.example' }, /"iss"/],
    ['aud', { aud: 'someone-else' }, /"aud"/],
    ['azp', { aud: ['basic-client', 'someone-else'], azp: 'someone-else' }, /"azp"/],
  ];
  for (const [claim, mutate, reason] of claimAttacks) {
    it(`refuses a wrong ${claim} in a provider-signed ID token`, async () => {
      const rp = await connectorFor(op, {}, { fetch: tamperingFetch(op, (claims) => ({ ...claims, ...mutate })) });
      const { callback } = await signIn(rp);
      await expectRefused(rp, rp.connector.finishLogin(callback), reason);
    });
  }

  it('refuses an expired ID token (the injected clock is two hours on)', async () => {
    const rp = await connectorFor(op);
    const { callback } = await signIn(rp);
    rp.clock.advance(2 * HOUR);
    await expectRefused(rp, rp.connector.finishLogin(callback), /ID token: .*exp/);
  });

  it('refuses an ID token issued in the future beyond the skew (the injected clock is ten minutes behind)', async () => {
    const rp = await connectorFor(op);
    const { callback } = await signIn(rp);
    rp.clock.advance(-10 * 60_000);
    await expectRefused(rp, rp.connector.finishLogin(callback), /iat \d+ is in the future/);
  });

  it('refuses an authentication older than maxAgeSeconds', async () => {
    const rp = await connectorFor(op, { maxAgeSeconds: 300 });
    const { callback } = await signIn(rp);
    expect(new URL((await rp.connector.startLogin('x')).redirectUrl).searchParams.get('max_age')).toBe('300');
    rp.clock.advance(20 * 60_000);
    await expectRefused(rp, rp.connector.finishLogin(callback), /auth_time \d+ is older than max_age 300s/);
  });
});

describe('discovery', () => {
  it('refuses to start when the discovery document names another issuer', async () => {
    const other = await startProvider({ issuerHost: 'localhost' });
    try {
      await expect(connectorFor(other)).rejects.toMatchObject({ code: 'OIDC_CONFIG_INVALID', detail: expect.stringMatching(/discovery of http:\/\/127\.0\.0\.1:\d+ failed: .*issuer/) });
    } finally {
      await other.close();
    }
  });
});

describe('mix-up between two configured providers', () => {
  it('refuses a code and state from provider A presented to connector B', async () => {
    const a = await connectorFor(op);
    const b = await connectorFor(opB, { id: 'corp-b' }, { store: a.store });
    const { callback } = await signIn(a);
    const atB = { ...callback, url: callback.url.replace('/auth/corp/', '/auth/corp-b/') };
    await expectRefused(b, b.connector.finishLogin(atB), /unknown, expired or already used state/);
    // and A still accepts its own response: B's refusal consumed nothing of A's
    expect((await a.connector.finishLogin(callback)).identity.subject).toBe(ALICE.sub);
  });

  it("refuses a response whose RFC 9207 iss is the other provider's", async () => {
    const b = await connectorFor(opB);
    const { callback } = await signIn(b, opB);
    expect(new URL(callback.url).searchParams.get('iss')).toBe(opB.issuer);
    await expectRefused(b, b.connector.finishLogin(withParam(callback, 'iss', op.issuer)), /iss parameter .* does not match issuer/);
  });

  it('refuses a response without iss when the provider advertises it', async () => {
    const rp = await connectorFor(op);
    const { callback } = await signIn(rp);
    await expectRefused(rp, rp.connector.finishLogin(withParam(callback, 'iss', null)), /iss parameter missing/);
  });
});

describe('the code exchange', () => {
  it('refuses a wrong PKCE verifier (the stored verifier is tampered)', async () => {
    const rp = await connectorFor(op);
    const { callback, state } = await signIn(rp);
    const key = loginStateKey('corp', state);
    const stored = JSON.parse((await rp.store.get(key))!) as Record<string, unknown>;
    await rp.store.set(key, JSON.stringify({ ...stored, codeVerifier: 'x'.repeat(43) }), 60_000);
    await expectRefused(rp, rp.connector.finishLogin(callback), /code exchange refused: invalid_grant/);
  });

  it('refuses a code used a second time (same state record restored, so only the code is reused)', async () => {
    const rp = await connectorFor(op);
    const { callback, state } = await signIn(rp);
    const key = loginStateKey('corp', state);
    const saved = (await rp.store.get(key))!;
    await rp.connector.finishLogin(callback);
    await rp.store.set(key, saved, 60_000);
    await expectRefused(rp, rp.connector.finishLogin(callback), /code exchange refused: invalid_grant/);
  });

  it('refuses a form_post connector answered in the query (response mode downgrade)', async () => {
    const rp = await connectorFor(op, { responseMode: 'form_post' });
    const { redirectUrl } = await rp.connector.startLogin('r');
    const cb = await loginFlow(redirectUrl, { accountId: ALICE.sub });
    const url = new URL(cb.url);
    for (const [k, v] of Object.entries(cb.body)) url.searchParams.set(k, v);
    await expectRefused(rp, rp.connector.finishLogin({ url: url.href, body: {} }), /form_post but the code came in the query/);
  });

  it('refuses an error response from the provider', async () => {
    const rp = await connectorFor(op);
    const { state } = await signIn(rp);
    const url = `https://chat.example.com/auth/corp/callback?error=access_denied&error_description=nope&state=${state}&iss=${encodeURIComponent(op.issuer)}`;
    await expectRefused(rp, rp.connector.finishLogin({ url, body: {} }), /provider returned error access_denied/);
  });
});
