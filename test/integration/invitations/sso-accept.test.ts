/**
 * Accepting a guest invitation through an SSO connector (a real oidc-provider): the identity must
 * carry the invited, verified address; a new account becomes a guest of the invited channel only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, freePort, startHarness, type Harness } from '../../support/gateway-harness.js';
import { loginFlow, startTestOidcProvider, type TestOidcProvider } from '../../support/oidc-provider.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';

describe('accepting a guest invitation with SSO', () => {
  let h: Harness;
  let op: TestOidcProvider;
  let sink: SmtpSink;
  let admin: ReturnType<typeof apiClient>;
  let team: string;
  let room: string;
  const linkOf = (text: string) => /(http:\/\/127\.0\.0\.1:\d+\/signup\/guest\?token=[A-Za-z0-9_-]+)/.exec(text)![1]!;

  beforeAll(async () => {
    const port = await freePort();
    const site = `http://127.0.0.1:${port}`;
    sink = await startSmtpSink();
    op = await startTestOidcProvider({
      clients: [{ client_id: 'gatehouse', client_secret: 'test-secret-not-real', redirect_uris: [`${site}/auth/partner/callback`] }],
      accounts: [
        { sub: 'sam-1', email: 'sam@allowed.example', email_verified: true, preferred_username: 'sam' },
        { sub: 'mallory-1', email: 'mallory@allowed.example', email_verified: true, preferred_username: 'mallory' },
        { sub: 'una-1', email: 'una@allowed.example', email_verified: false, preferred_username: 'una' },
      ],
    });
    h = await startHarness('embedded', {
      port,
      config: {
        guests: { enabled: true, ssoConnectors: ['partner'] },
        mail: { smtp: { host: '127.0.0.1', port: sink.port, requireTls: false } },
        connectors: [{ id: 'partner', type: 'oidc', displayName: 'Partner SSO', issuer: op.url, clientId: 'gatehouse', clientSecret: 'test-secret-not-real', allowInsecureHttp: true, allowSignup: false }],
      },
    });
    admin = apiClient(h.url);
    await admin.login(ADMIN.email, ADMIN.password);
    team = (await admin.request('POST', '/api/v4/teams', { body: { name: 'acme', display_name: 'Acme', type: 'I' } })).json.id;
    room = (await admin.request('POST', '/api/v4/channels', { body: { team_id: team, name: 'room', display_name: 'Room', type: 'P' } })).json.id;
  });
  afterAll(async () => {
    await h?.close();
    await op?.close();
    await sink?.close();
  });

  async function acceptWithSso(email: string, accountId: string) {
    await admin.request('POST', `/api/v4/teams/${team}/invite-guests/email`, { body: { emails: [email], channels: [room] } });
    const link = linkOf(sink.messages.at(-1)!.text);
    const c = apiClient(h.url);
    const form = await c.request('GET', link.slice(h.url.length), { useCookies: true });
    const href = /href="(\/signup\/guest\/sso\?[^"]+)"/.exec(form.text)![1]!.replace(/&amp;/g, '&');
    const toStart = await c.request('GET', href, { useCookies: true });
    expect(toStart.status).toBe(302);
    const started = await c.request('GET', toStart.headers.get('location')!, { useCookies: true });
    const cb = await loginFlow(started.headers.get('location')!, { accountId });
    const done = await c.request('GET', cb.url.slice(h.url.length), { useCookies: true });
    return { c, done, link };
  }

  it('makes the invited address a guest of the invited channel, even where the connector allows no sign-up', async () => {
    const { c, done, link } = await acceptWithSso('sam@allowed.example', 'sam-1');
    expect(done.status).toBe(303);
    const me = (await c.request('GET', '/api/v4/users/me', { useCookies: true })).json;
    expect(me).toMatchObject({ email: 'sam@allowed.example', roles: 'system_guest', auth_service: 'partner' });
    expect((await h.gw.gateway.ctx.chat.getChannel(room))!.members.map((m) => m.user_id)).toContain(me.id);
    expect((await admin.request('GET', `/api/v4/teams/${team}/members/${me.id}`)).json.roles).toBe('team_guest');
    // Used once.
    expect((await apiClient(h.url).request('GET', link.slice(h.url.length))).status).toBe(404);
  });

  it('refuses an identity with another address, or an unverified one, and creates nothing', async () => {
    for (const [email, account] of [['victim@allowed.example', 'mallory-1'], ['una@allowed.example', 'una-1']] as const) {
      const { done } = await acceptWithSso(email, account);
      expect(done.status).toBe(400);
      expect(done.text).toContain(`This invitation is for ${email}`);
      const made = await h.gw.gateway.ctx.db.selectFrom('users').select('id').where('email', 'in', ['mallory@allowed.example', 'una@allowed.example']).execute();
      expect(made).toEqual([]);
    }
  });

  it('without an invitation, the connector still allows no sign-up', async () => {
    const c = apiClient(h.url);
    const started = await c.request('GET', '/auth/partner/start', { useCookies: true });
    const cb = await loginFlow(started.headers.get('location')!, { accountId: 'mallory-1' });
    const done = await c.request('GET', cb.url.slice(h.url.length), { useCookies: true });
    expect(done.status).toBe(403);
  });
});
