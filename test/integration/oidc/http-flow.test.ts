/**
 * OpenID Connect through the gateway's HTTP routes against a real oidc-provider: the button, the
 * authorization redirect, the callback, account linking, sessions, RP-initiated and back-channel
 * logout (on the PostgreSQL + Redis backend, so the revocation is the cluster-wide one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, freePort, startHarness, type Harness } from '../../support/gateway-harness.js';
import { loginFlow, startTestOidcProvider, type TestOidcProvider } from '../../support/oidc-provider.js';

describe('OpenID Connect sign-in through the gateway', () => {
  let h: Harness;
  let op: TestOidcProvider;
  const carol = { sub: 'carol-1', email: 'carol@example.com', email_verified: true, given_name: 'Carol', family_name: 'Danvers', preferred_username: 'carol', groups: ['eng', 'oncall'] };
  const mallory = { sub: 'mallory-1', email: 'mallory@example.com', email_verified: true, preferred_username: 'mallory', groups: [] };
  const daveAtIdp = { sub: 'dave-idp', email: 'dave@example.com', email_verified: true, preferred_username: 'dave-sso' };

  beforeAll(async () => {
    const port = await freePort();
    const site = `http://127.0.0.1:${port}`;
    op = await startTestOidcProvider({
      clients: [{ client_id: 'gatehouse', client_secret: 'test-secret-not-real', redirect_uris: [`${site}/auth/corp/callback`], post_logout_redirect_uris: [`${site}/login`], }],
      accounts: [carol, mallory, daveAtIdp],
    });
    h = await startHarness('cluster', {
      port,
      config: {
        connectors: [{
          id: 'corp', type: 'oidc', displayName: 'Sign in with Corp SSO', buttonColor: '#5b2a86', issuer: op.url, clientId: 'gatehouse',
          clientSecret: 'test-secret-not-real', allowInsecureHttp: true, scopes: ['openid', 'email', 'profile', 'groups'],
          adminClaim: 'groups=oncall', mattermostService: 'openid',
        }],
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await op?.close();
  });

  async function signIn(client: ReturnType<typeof apiClient>, accountId: string, start = '/auth/corp/start?redirect_to=/channels/x') {
    const started = await client.request('GET', start, { useCookies: true });
    expect(started.status).toBe(302);
    const callback = await loginFlow(started.headers.get('location')!, { accountId });
    const path = callback.url.slice(h.url.length);
    return client.request(Object.keys(callback.body).length ? 'POST' : 'GET', path, { useCookies: true, ...(Object.keys(callback.body).length ? { form: callback.body } : {}) });
  }

  it('shows the provider button on /login', async () => {
    const page = await apiClient(h.url).request('GET', '/login');
    expect(page.text).toContain('href="/auth/corp/start"');
    expect(page.text).toContain('Sign in with Corp SSO');
  });

  it('signs a user in with code + PKCE, maps claims and groups, and returns to the same-site path', async () => {
    const c = apiClient(h.url);
    const done = await signIn(c, 'carol-1');
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/channels/x');
    const me = await c.request('GET', '/api/v4/users/me', { useCookies: true });
    expect(me.json).toMatchObject({ username: 'carol', email: 'carol@example.com', first_name: 'Carol', last_name: 'Danvers', auth_service: 'corp', roles: 'system_admin system_user' });
    const groups = await h.gw.gateway.ctx.db.selectFrom('groups').select('external_id').where('source', '=', 'corp').orderBy('external_id').execute();
    expect(groups.map((g) => g.external_id)).toEqual(['eng', 'oncall']);
  });

  it("answers Mattermost's /oauth/openid/login path", async () => {
    const c = apiClient(h.url);
    const done = await signIn(c, 'mallory-1', '/oauth/openid/login');
    expect(done.status).toBe(303);
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).json.username).toBe('mallory');
  });

  it('refuses a callback replayed with the same state and code', async () => {
    const c = apiClient(h.url);
    const started = await c.request('GET', '/auth/corp/start', { useCookies: true });
    const callback = await loginFlow(started.headers.get('location')!, { accountId: 'carol-1' });
    const path = callback.url.slice(h.url.length);
    expect((await c.request('GET', path, { useCookies: true })).status).toBe(303);
    const thief = apiClient(h.url);
    const replay = await thief.request('GET', path);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('Single sign-on failed');
    expect(thief.jar.get('MMAUTHTOKEN')).toBeUndefined();
  });

  it('refuses a first login whose e-mail belongs to a local account, and says how to link', async () => {
    const admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
    expect((await admin.request('POST', '/api/v4/users', { body: { email: 'dave@example.com', username: 'dave', password: 'a long enough password' } })).status).toBe(201);
    const c = apiClient(h.url);
    const refused = await signIn(c, 'dave-idp');
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Sign in the way you usually do, then link');
    expect(c.jar.get('MMAUTHTOKEN')).toBeUndefined();
    expect((await apiClient(h.url).login('dave', 'a long enough password')).status).toBe(200);
  });

  it('ends the session at the provider too on sign-out (RP-initiated logout with id_token_hint)', async () => {
    const c = apiClient(h.url);
    await signIn(c, 'carol-1');
    const home = await c.request('GET', '/', { useCookies: true });
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(home.text)![1]!;
    const out = await c.request('POST', '/logout', { useCookies: true, form: { csrf_token: csrf } });
    expect(out.status).toBe(303);
    const location = new URL(out.headers.get('location')!);
    expect(location.origin).toBe(new URL(op.url).origin);
    expect(location.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${h.url}/login`);
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(401);
  });

  it('revokes the matching sessions on a back-channel logout token, once', async () => {
    const c = apiClient(h.url);
    await signIn(c, 'carol-1');
    const me = (await c.request('GET', '/api/v4/users/me', { useCookies: true })).json as { id: string };
    const [session] = await h.gw.gateway.ctx.sessions.listForUser(me.id);
    const sid = session!.sso!.sessionIndex;
    expect(sid).toBeTruthy();
    // A logout token signed with the provider's own key, as it would send it (oidc-provider itself
    // refuses to deliver to a loopback address, so the test posts it).
    const token = await op.sign({
      iss: op.issuer, aud: 'gatehouse', iat: Math.floor(Date.now() / 1000), jti: `jti-${sid}`, sub: 'carol-1', sid,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    }, { typ: 'logout+jwt' });
    const first = await fetch(`${h.url}/auth/corp/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(401);
    const replay = await fetch(`${h.url}/auth/corp/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_request');
  });
});
