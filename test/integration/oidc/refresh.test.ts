/**
 * Connector `refresh`: signed-in users are re-checked with the provider through their refresh
 * token (sealed at rest). A user removed at the provider loses the session at the next check;
 * fresh claims update groups (and so group-linked teams); an unreachable provider changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupRepository } from '../../../src/directory/groups.js';
import { createGroupSyncables } from '../../../src/directory/group-syncables.js';
import { createSsoRechecker } from '../../../src/login/sso/sso-recheck.js';
import { apiClient, freePort, startHarness, type Harness } from '../../support/gateway-harness.js';
import { createFakeClock } from '../../support/log-sink.js';
import { loginFlow, startTestOidcProvider, type TestAccount, type TestOidcProvider } from '../../support/oidc-provider.js';

describe('OIDC re-check with refresh tokens', () => {
  let h: Harness;
  let op: TestOidcProvider;
  const clock = createFakeClock();
  const erin: TestAccount = { sub: 'erin-1', email: 'erin@example.com', email_verified: true, preferred_username: 'erin', groups: ['eng'] };
  const fred: TestAccount = { sub: 'fred-1', email: 'fred@example.com', email_verified: true, preferred_username: 'fred', groups: ['eng'] };
  const ctx = () => h.gw.gateway.ctx;

  beforeAll(async () => {
    const port = await freePort();
    const site = `http://127.0.0.1:${port}`;
    op = await startTestOidcProvider({
      clients: [{ client_id: 'gatehouse', client_secret: 'test-secret-not-real', redirect_uris: [`${site}/auth/corp/callback`], grant_types: ['authorization_code', 'refresh_token'] }],
      accounts: [erin, fred],
    });
    h = await startHarness('embedded', {
      port, now: clock.now,
      config: {
        connectors: [{
          id: 'corp', type: 'oidc', displayName: 'Corp SSO', issuer: op.url, clientId: 'gatehouse', clientSecret: 'test-secret-not-real',
          allowInsecureHttp: true, scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'], refresh: { enabled: true, intervalMinutes: 10 },
        }],
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await op?.close();
  });

  async function signIn(accountId: string) {
    const c = apiClient(h.url);
    const started = await c.request('GET', '/auth/corp/start', { useCookies: true });
    const callback = await loginFlow(started.headers.get('location')!, { accountId });
    const done = await c.request('GET', callback.url.slice(h.url.length), { useCookies: true });
    expect(done.status).toBe(303);
    const me = (await c.request('GET', '/api/v4/users/me', { useCookies: true })).json;
    const [session] = await ctx().sessions.listForUser(me.id);
    return { c, me, session: session! };
  }

  it('keeps the refresh token sealed with the session, never in clear', async () => {
    const { session } = await signIn('erin-1');
    expect(session.sso?.refreshTokenSealed).toBeTruthy();
    const raw = JSON.stringify(session);
    const opened = ctx().sealer.unseal(session.sso!.refreshTokenSealed!, `sso-refresh:corp:erin-1`);
    expect(opened.length).toBeGreaterThan(10);
    expect(raw).not.toContain(opened);
    // Bound to its subject: the same sealed value does not open as someone else's.
    expect(() => ctx().sealer.unseal(session.sso!.refreshTokenSealed!, 'sso-refresh:corp:fred-1')).toThrow();
  });

  it('is not due before the interval; after it, fresh groups move the user between group-linked teams', async () => {
    const ops = await ctx().teams.create({ name: 'ops', displayName: 'Ops' }, null);
    const groups = createGroupRepository(ctx().db, ctx().now);
    await createGroupSyncables(ctx().db, ctx().now).linkTeam(await groups.ensure('corp', 'ops'), ops.id, { autoAdd: true, schemeAdmin: false });
    const { c, me, session } = await signIn('erin-1');
    expect((await ctx().teams.listForUser(me.id)).map((t) => t.name)).not.toContain('ops');
    op.setAccount({ ...erin, groups: ['eng', 'ops'] });
    clock.advance(11 * 60_000);
    expect(await createSsoRechecker(ctx()).check(session)).toBe('kept');
    expect((await ctx().teams.listForUser(me.id)).map((t) => t.name)).toContain('ops');
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(200);
    // The check is recorded with the session, so the next one waits a full interval.
    const after = await ctx().sessions.get(session.id);
    expect(after!.sso!.checkedAt).toBe(clock.now());
  });

  it('a user removed at the provider loses the session at the next check (through the request path)', async () => {
    const { c, session } = await signIn('fred-1');
    op.removeAccount('fred-1');
    clock.advance(11 * 60_000);
    // The request that finds the check due still passes; the check runs beside it and revokes.
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(200);
    let gone = false;
    for (let i = 0; i < 50 && !gone; i += 1) {
      gone = (await ctx().sessions.get(session.id)) === null;
      if (!gone) await new Promise((r) => setTimeout(r, 50));
    }
    expect(gone).toBe(true);
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(401);
    const audit = await ctx().db.selectFrom('audit_log').select('details').where('event', '=', 'session.revoked').where('subject_id', '=', session.id).executeTakeFirst();
    expect(audit?.details).toMatch(/provider re-check: refresh refused: invalid_grant/);
  });

  it('a provider that cannot be reached changes nothing and is retried', async () => {
    op.setAccount(fred);
    const { session } = await signIn('fred-1');
    await op.close();
    clock.advance(11 * 60_000);
    expect(await createSsoRechecker(ctx()).check(session)).toBe('retry');
    expect(await ctx().sessions.get(session.id)).not.toBeNull();
  });
});
