/**
 * A bot never signs in through single sign-on either, against a real OpenID provider: an identity
 * asserting the bot's (placeholder) e-mail, verified, on a connector that trusts verified e-mail,
 * is not linked to the bot; and an identity somehow linked to a bot gets no session and changes
 * nothing on the bot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, BACKENDS, freePort, startHarness, type Harness } from '../../support/gateway-harness.js';
import { loginFlow, startTestOidcProvider, type TestOidcProvider } from '../../support/oidc-provider.js';

describe.each(BACKENDS)('bots and single sign-on (%s)', (backend) => {
  let h: Harness;
  let op: TestOidcProvider;
  let admin: ReturnType<typeof apiClient>;
  const impostor = { sub: 'impostor-1', email: 'sso-bot@localhost', email_verified: true, preferred_username: 'sso-bot', given_name: 'Impostor' };
  const linked = { sub: 'linked-1', email: 'linked@example.com', email_verified: true, preferred_username: 'linked', given_name: 'Renamed', groups: ['oncall'] };

  beforeAll(async () => {
    const port = await freePort();
    const site = `http://127.0.0.1:${port}`;
    op = await startTestOidcProvider({
      clients: [{ client_id: 'gatehouse', client_secret: 'test-secret-not-real', redirect_uris: [`${site}/auth/corp/callback`] }],
      accounts: [impostor, linked],
    });
    h = await startHarness(backend, {
      port,
      config: {
        connectors: [{
          id: 'corp', type: 'oidc', displayName: 'Corp SSO', issuer: op.url, clientId: 'gatehouse', clientSecret: 'test-secret-not-real',
          allowInsecureHttp: true, scopes: ['openid', 'email', 'profile', 'groups'], trustEmail: true, adminClaim: 'groups=oncall',
        }],
      },
    });
    admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
  });
  afterAll(async () => {
    await h?.close();
    await op?.close();
  });

  async function signIn(client: ReturnType<typeof apiClient>, accountId: string) {
    const started = await client.request('GET', '/auth/corp/start', { useCookies: true });
    expect(started.status).toBe(302);
    const callback = await loginFlow(started.headers.get('location')!, { accountId });
    const path = callback.url.slice(h.url.length);
    return client.request(Object.keys(callback.body).length ? 'POST' : 'GET', path, { useCookies: true, ...(Object.keys(callback.body).length ? { form: callback.body } : {}) });
  }

  const identitiesOf = (userId: string) => h.gw.gateway.ctx.db.selectFrom('identities').select('subject').where('user_id', '=', userId).execute();

  it('does not link an identity to a bot by its e-mail, even verified on a trusting connector', async () => {
    const bot = (await admin.request('POST', '/api/v4/bots', { body: { username: 'sso-bot' } })).json;
    const c = apiClient(h.url);
    const refused = await signIn(c, 'impostor-1');
    expect(refused.status).toBe(409);
    expect(c.jar.get('MMAUTHTOKEN')).toBeUndefined();
    expect(await identitiesOf(bot.user_id)).toEqual([]);
    expect(await h.gw.gateway.ctx.sessions.listForUser(bot.user_id)).toEqual([]);
  });

  it('refuses an identity linked to a bot before writing anything, and starts no session', async () => {
    const bot = (await admin.request('POST', '/api/v4/bots', { body: { username: 'linked-bot', display_name: 'Linked' } })).json;
    await h.gw.gateway.ctx.db.insertInto('identities').values({ connector_id: 'corp', subject: 'linked-1', user_id: bot.user_id, email: 'linked@example.com', create_at: Date.now(), last_login_at: 0 }).execute();
    const before = (await admin.request('GET', `/api/v4/users/${bot.user_id}`)).json;
    const c = apiClient(h.url);
    const refused = await signIn(c, 'linked-1');
    expect(refused.status).toBe(401);
    expect(c.jar.get('MMAUTHTOKEN')).toBeUndefined();
    expect(await h.gw.gateway.ctx.sessions.listForUser(bot.user_id)).toEqual([]);
    // Neither the asserted name nor the admin claim reached the bot.
    expect((await admin.request('GET', `/api/v4/users/${bot.user_id}`)).json).toEqual(before);
    const failed = (await h.gw.gateway.ctx.audit.recent(50)).find((e) => e.event === 'login.failed' && e.subject_id === bot.user_id);
    expect(JSON.parse(failed!.details)).toMatchObject({ reason: 'bot account' });
  });
});
