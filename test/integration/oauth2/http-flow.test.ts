/**
 * GitHub-style OAuth 2.0 through the gateway's HTTP routes, against a local OAuth server written
 * for the tests (a test double: the real GitHub cannot be reached from here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';
import { OCTOCAT, startFakeGithub, type FakeGithub } from '../../support/fake-github.js';
import { githubConfig } from './harness.js';

describe('GitHub sign-in through the gateway', () => {
  let h: Harness;
  let gh: FakeGithub;
  beforeAll(async () => {
    gh = await startFakeGithub();
    h = await startHarness('embedded', { config: { connectors: [{ ...githubConfig(gh), mattermostService: 'github' }] } });
  });
  afterAll(async () => {
    await h?.close();
    await gh?.close();
  });

  async function signIn(c: ReturnType<typeof apiClient>, start = '/auth/github/start?redirect_to=/teams') {
    const started = await c.request('GET', start, { useCookies: true });
    expect(started.status).toBe(302);
    const callback = await gh.authorize(started.headers.get('location')!);
    return c.request('GET', callback.slice(h.url.length), { useCookies: true });
  }

  it('signs in by the numeric GitHub id with the verified primary e-mail', async () => {
    const c = apiClient(h.url);
    const done = await signIn(c);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/teams');
    const me = await c.request('GET', '/api/v4/users/me', { useCookies: true });
    const verified = OCTOCAT.emails.find((e) => e.primary && e.verified)!.email;
    expect(me.json).toMatchObject({ email: verified, auth_service: 'github' });
    const link = await h.gw.gateway.ctx.db.selectFrom('identities').selectAll().where('connector_id', '=', 'github').executeTakeFirstOrThrow();
    expect(link.subject).toBe(String(OCTOCAT.id));
  });

  it("answers Mattermost's /oauth/github/login path", async () => {
    const c = apiClient(h.url);
    expect((await signIn(c, '/oauth/github/login')).status).toBe(303);
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(200);
  });

  it('refuses a user without a verified primary e-mail, with no session', async () => {
    const original = gh.knobs.user;
    gh.knobs.user = { ...OCTOCAT, id: 99, login: 'unverified', emails: [{ email: 'u@example.com', primary: true, verified: false }] };
    try {
      const c = apiClient(h.url);
      const refused = await signIn(c);
      expect(refused.status).toBe(401);
      expect(c.jar.get('MMAUTHTOKEN')).toBeUndefined();
    } finally {
      gh.knobs.user = original;
    }
  });

  it('shows the GitHub button on /login', async () => {
    expect((await apiClient(h.url).request('GET', '/login')).text).toContain('href="/auth/github/start"');
  });
});
