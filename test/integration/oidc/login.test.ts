/**
 * Happy paths against a real oidc-provider: code + PKCE with each client authentication method,
 * form_post, groups, admin/guest claims, userinfo merge, RP-initiated logout URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginFlow, type TestOidcProvider } from '../../support/oidc-provider.js';
import { ALICE, BOB, clientKeyPair, connectorFor, SITE_URL, standardClients, startProvider } from './harness.js';

let op: TestOidcProvider;
let conformOp: TestOidcProvider;
let keyFile: string;
beforeAll(async () => {
  const key = await clientKeyPair();
  keyFile = key.file;
  op = await startProvider({ clients: standardClients(key.publicJwk) });
  conformOp = await startProvider({ conformIdTokenClaims: true });
});
afterAll(async () => {
  await op.close();
  await conformOp.close();
});

describe('signing in with the authorization code flow and PKCE', () => {
  it('sends an authorization request with S256 PKCE, state, nonce and our per-connector redirect_uri', async () => {
    const { connector } = await connectorFor(op);
    const url = new URL((await connector.startLogin('relay-1')).redirectUrl);
    expect(url.origin).toBe(op.url);
    expect(url.searchParams.get('redirect_uri')).toBe(`${SITE_URL}/auth/corp/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('scope')).toBe('openid email profile groups');
  });

  for (const [method, config] of [
    ['client_secret_basic', { clientId: 'basic-client', clientAuth: 'client_secret_basic' }],
    ['client_secret_post', { clientId: 'post-client', clientAuth: 'client_secret_post' }],
    ['private_key_jwt', { clientId: 'jwt-client', clientAuth: 'private_key_jwt', clientSecret: undefined }],
  ] as const) {
    it(`signs Alice in with ${method} and hands back her normalized identity and the relay`, async () => {
      const { connector } = await connectorFor(op, method === 'private_key_jwt' ? { ...config, privateKeyFile: keyFile } : config);
      const { redirectUrl } = await connector.startLogin('relay-1');
      const result = await connector.finishLogin(await loginFlow(redirectUrl, { accountId: ALICE.sub }));
      expect(result.relay).toBe('relay-1');
      expect(result.identity).toMatchObject({
        connectorId: 'corp', subject: ALICE.sub, email: ALICE.email, emailVerified: true, username: 'alice',
        firstName: 'Alice', lastName: 'Liddell', groups: ['engineering', 'chat-admins'], amr: ['oidc'],
      });
      expect(result.session.sub).toBe(ALICE.sub);
      expect(result.session.sid).toBeTruthy();
      expect(result.session.idToken?.split('.')).toHaveLength(3);
      expect(JSON.stringify(result.identity.raw)).not.toMatch(/nonce|at_hash/);
    });
  }

  it('accepts the response delivered by form_post', async () => {
    const { connector } = await connectorFor(op, { responseMode: 'form_post' });
    const { redirectUrl } = await connector.startLogin('relay-fp');
    expect(new URL(redirectUrl).searchParams.get('response_mode')).toBe('form_post');
    const callback = await loginFlow(redirectUrl, { accountId: ALICE.sub });
    expect(callback.body.code).toBeTruthy();
    expect(new URL(callback.url).search).toBe('');
    const result = await connector.finishLogin(callback);
    expect(result.identity.subject).toBe(ALICE.sub);
  });

  it('verifies an ES256-signed ID token when ES256 is among the pinned algorithms', async () => {
    const { connector } = await connectorFor(op, { clientId: 'es256-client', idTokenAlgorithms: ['ES256'] });
    const result = await connector.finishLogin(await loginFlow((await connector.startLogin('r')).redirectUrl, { accountId: BOB.sub }));
    expect(result.identity).toMatchObject({ subject: BOB.sub, emailVerified: false, groups: ['contractors'] });
  });
});

describe('claims mapping', () => {
  it('makes Alice an admin and not a guest by claim value (an array claim)', async () => {
    const { connector } = await connectorFor(op, { adminClaim: 'groups=chat-admins', guestClaim: 'groups=contractors' });
    const result = await connector.finishLogin(await loginFlow((await connector.startLogin('r')).redirectUrl, { accountId: ALICE.sub }));
    expect(result.identity.isAdmin).toBe(true);
    expect(result.identity.isGuest).toBe(false);
  });

  it('makes Bob a guest by claim value', async () => {
    const { connector } = await connectorFor(op, { adminClaim: 'groups=chat-admins', guestClaim: 'groups=contractors' });
    const result = await connector.finishLogin(await loginFlow((await connector.startLogin('r')).redirectUrl, { accountId: BOB.sub }));
    expect(result.identity).toMatchObject({ isAdmin: false, isGuest: true });
  });

  it('merges userinfo when the ID token carries only the protocol claims (conform mode)', async () => {
    const { connector } = await connectorFor(conformOp);
    const result = await connector.finishLogin(await loginFlow((await connector.startLogin('r')).redirectUrl, { accountId: ALICE.sub }));
    expect(result.identity).toMatchObject({ subject: ALICE.sub, email: ALICE.email, username: 'alice', groups: ['engineering', 'chat-admins'] });
  });

  it('fetches userinfo only when the ID token lacks a mapped claim (fetchUserinfo: auto, the default)', async () => {
    const calls: string[] = [];
    const counting: typeof fetch = async (input, init) => {
      calls.push(new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).pathname);
      return fetch(input, init);
    };
    const full = await connectorFor(op, {}, { fetch: counting });
    const a = await full.connector.finishLogin(await loginFlow((await full.connector.startLogin('r')).redirectUrl, { accountId: ALICE.sub }));
    expect(a.identity.groups).toEqual(['engineering', 'chat-admins']);
    expect(calls.filter((p) => p.includes('/me'))).toEqual([]);
    // In conform mode the ID token carries no e-mail or groups: userinfo is fetched.
    calls.length = 0;
    const thin = await connectorFor(conformOp, {}, { fetch: counting });
    const b = await thin.connector.finishLogin(await loginFlow((await thin.connector.startLogin('r')).redirectUrl, { accountId: ALICE.sub }));
    expect(b.identity.email).toBe(ALICE.email);
    expect(calls.filter((p) => p.includes('/me'))).toHaveLength(1);
    // fetchUserinfo: true always asks.
    calls.length = 0;
    const always = await connectorFor(op, { fetchUserinfo: true }, { fetch: counting });
    await always.connector.finishLogin(await loginFlow((await always.connector.startLogin('r')).redirectUrl, { accountId: ALICE.sub }));
    expect(calls.filter((p) => p.includes('/me'))).toHaveLength(1);
  });

  it('refuses a login whose claims carry no e-mail when userinfo is not fetched', async () => {
    const rp = await connectorFor(conformOp, { fetchUserinfo: false });
    const callback = await loginFlow((await rp.connector.startLogin('r')).redirectUrl, { accountId: ALICE.sub });
    await expect(rp.connector.finishLogin(callback)).rejects.toMatchObject({ code: 'OIDC_INVALID_RESPONSE', detail: expect.stringMatching(/no e-mail/) });
  });
});

describe('RP-initiated logout', () => {
  it('builds the end_session URL with id_token_hint and post_logout_redirect_uri, which the provider accepts', async () => {
    const { connector } = await connectorFor(op);
    const result = await connector.finishLogin(await loginFlow((await connector.startLogin('r')).redirectUrl, { accountId: ALICE.sub }));
    const url = new URL((await connector.logoutUrl!({ idTokenHint: result.session.idToken!, postLogoutRedirectUri: `${SITE_URL}/login` }))!);
    expect(url.pathname).toBe('/session/end');
    expect(url.searchParams.get('id_token_hint')).toBe(result.session.idToken);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${SITE_URL}/login`);
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/logout/i);
  });
});
