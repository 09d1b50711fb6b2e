/**
 * Guest invitations end to end, on both backends, with a real SMTP sink: invite → mail → follow
 * the link → accept with a password → a guest of exactly the invited channels. And the refusals:
 * domain-restriction bypasses, a channel of another team, a reused or expired token, an address
 * that already has an account, responses that would reveal accounts, a guest calling forbidden
 * APIs directly, and the account's end date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deactivateExpiredGuests } from '../../../src/invitations/guest-expiry.js';
import { ADMIN, BACKENDS, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';
import { createFakeClock } from '../../support/log-sink.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';

const PASSWORD = 'Guest password long enough 1';
const field = (htmlText: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(htmlText)?.[1] ?? '';

describe.each(BACKENDS)('guest invitations (%s)', (backend) => {
  let h: Harness;
  let sink: SmtpSink;
  let admin: ReturnType<typeof apiClient>;
  const clock = createFakeClock();
  let team: string;
  let otherTeam: string;
  const channels: Record<string, string> = {};
  const invite = (body: Record<string, unknown>, graceful = true) => admin.request('POST', `/api/v4/teams/${team}/invite-guests/email${graceful ? '?graceful=true' : ''}`, { body });
  const linkOf = (text: string) => /(http:\/\/127\.0\.0\.1:\d+\/signup\/guest\?token=[A-Za-z0-9_-]+)/.exec(text)![1]!;
  async function accept(link: string, username: string, client = apiClient(h.url)) {
    const path = link.slice(h.url.length);
    const form = await client.request('GET', path, { useCookies: true });
    if (form.status !== 200) return { form, done: form, client };
    const done = await client.request('POST', '/signup/guest', { useCookies: true, form: { token: field(form.text, 'token'), form_token: field(form.text, 'form_token'), username, password: PASSWORD } });
    return { form, done, client };
  }

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startHarness(backend, {
      now: clock.now,
      config: {
        guests: { enabled: true, allowedDomains: ['allowed.example'], accountDays: 30 },
        mail: { from: 'Gatehouse <no-reply@chat.example>', smtp: { host: '127.0.0.1', port: sink.port, requireTls: false } },
      },
    });
    admin = apiClient(h.url);
    await admin.login(ADMIN.email, ADMIN.password);
    team = (await admin.request('POST', '/api/v4/teams', { body: { name: 'acme', display_name: 'Acme', type: 'I' } })).json.id;
    otherTeam = (await admin.request('POST', '/api/v4/teams', { body: { name: 'other', display_name: 'Other', type: 'I' } })).json.id;
    for (const [name, type, t] of [['guests-room', 'P', team], ['town', 'O', team], ['secret', 'P', team], ['elsewhere', 'P', otherTeam]] as const) {
      const c = await admin.request('POST', '/api/v4/channels', { body: { team_id: t, name, display_name: name, type } });
      expect(c.status, name).toBe(201);
      channels[name] = c.json.id;
    }
  });
  afterAll(async () => {
    await h?.close();
    await sink?.close();
  });

  it('refuses domain-restriction bypasses per address, and never says who has an account', async () => {
    const before = sink.messages.length;
    const res = await invite({
      emails: ['x@evil.example', 'user@allowed.example@evil.example', '"quoted"@allowed.example', 'a@sub.allowed.example', 'a@аllowed.example', 'Bob <bob@allowed.example>', ADMIN.email],
      channels: [channels['guests-room']],
    });
    expect(res.status).toBe(200);
    const byEmail = new Map(res.json.map((r: { email: string; error: unknown }) => [r.email, r.error]));
    for (const bad of ['x@evil.example', 'user@allowed.example@evil.example', '"quoted"@allowed.example', 'a@sub.allowed.example', 'a@аllowed.example', 'Bob <bob@allowed.example>']) {
      expect(byEmail.get(bad), bad).not.toBeNull();
    }
    // The admin's address is outside the allowed domain: refused for the domain, like anyone's.
    expect(JSON.stringify(byEmail.get(ADMIN.email))).toContain('allowed.example');
    expect(sink.messages.length).toBe(before);
    // Without graceful, one bad address means nothing is sent.
    const strict = await invite({ emails: ['ok@allowed.example', 'x@evil.example'], channels: [channels['guests-room']] }, false);
    expect(strict.status).toBe(400);
    expect(sink.messages.length).toBe(before);
    // An allowed address that already has an account answers exactly like a new one.
    await admin.request('POST', '/api/v4/users', { body: { email: 'member@allowed.example', username: 'member', password: PASSWORD } });
    const known = await invite({ emails: ['member@allowed.example'], channels: [channels['guests-room']] });
    const unknown = await invite({ emails: ['nobody@allowed.example'], channels: [channels['guests-room']] });
    expect(known.status).toBe(unknown.status);
    expect(known.json.map((r: { error: unknown }) => r.error)).toEqual(unknown.json.map((r: { error: unknown }) => r.error));
  });

  it('refuses a channel of another team', async () => {
    const res = await invite({ emails: ['g@allowed.example'], channels: [channels['guests-room'], channels.elsewhere] });
    expect(res.status).toBe(400);
    expect(res.json.id).toBe('api.team.invite_guests.channel_in_invalid_team.app_error');
  });

  it('invites, mails, and the link makes a guest of exactly the invited channel; the link then stops working', async () => {
    const res = await invite({ emails: ['Gina@ALLOWED.example.'], channels: [channels['guests-room']], message: 'Welcome <b>aboard</b>' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{ email: 'Gina@ALLOWED.example.', error: null }]);
    const [mail] = await sink.waitFor(sink.messages.length);
    const msg = sink.messages.at(-1)!;
    void mail;
    expect(msg.to).toEqual(['gina@allowed.example']);
    expect(msg.html).toContain('Welcome &#60;b&#62;aboard&#60;/b&#62;');
    expect(msg.html).not.toContain('<b>aboard');
    const link = linkOf(msg.text);
    const { done, client } = await accept(link, 'gina');
    expect(done.status).toBe(303);
    expect(client.jar.has('MMAUTHTOKEN')).toBe(true);
    const me = (await client.request('GET', '/api/v4/users/me', { useCookies: true })).json;
    expect(me).toMatchObject({ username: 'gina', email: 'gina@allowed.example', roles: 'system_guest' });
    const member = (await admin.request('GET', `/api/v4/teams/${team}/members/${me.id}`)).json;
    expect(member).toMatchObject({ roles: 'team_guest', scheme_guest: true });
    const room = await h.gw.gateway.ctx.chat.getChannel(channels['guests-room']!);
    expect(room!.members.map((m) => m.user_id)).toContain(me.id);
    for (const other of ['town', 'secret'] as const) expect((await h.gw.gateway.ctx.chat.getChannel(channels[other]!))!.members.map((m) => m.user_id)).not.toContain(me.id);

    const reused = await accept(link, 'gina2');
    expect(reused.form.status).toBe(404);
    expect(reused.form.text).toContain('This invitation cannot be used');
  });

  it('a guest cannot reach anything beyond the invited channel, whatever API they call directly', async () => {
    const g = apiClient(h.url);
    expect((await g.login('gina', PASSWORD)).status).toBe(200);
    const me = (await g.request('GET', '/api/v4/users/me')).json;
    const attempts: [string, string, unknown?][] = [
      ['POST', `/api/v4/channels/${channels.town}/members`, { user_id: me.id }],
      ['POST', '/api/v4/channels', { team_id: team, name: 'mine', display_name: 'Mine', type: 'O' }],
      ['POST', '/api/v4/channels', { team_id: team, name: 'mine2', display_name: 'Mine', type: 'P' }],
      ['GET', '/api/v4/users'],
      ['GET', `/api/v4/channels/${channels.secret}`],
      ['GET', `/api/v4/channels/${channels.secret}/posts`],
      ['POST', '/api/v4/posts', { channel_id: channels.secret, message: 'hi' }],
      ['GET', `/api/v4/teams/${team}/channels`],
      ['POST', `/api/v4/teams/${team}/invite-guests/email`, { emails: ['friend@allowed.example'], channels: [channels['guests-room']] }],
      ['POST', `/api/v4/teams/${team}/members`, { team_id: team, user_id: me.id }],
      ['GET', `/api/v4/teams/${otherTeam}`],
    ];
    for (const [method, path, body] of attempts) {
      const r = await g.request(method, path, body === undefined ? {} : { body });
      expect([403, 404], `${method} ${path} → ${r.status}`).toContain(r.status);
    }
    // Other people are invisible unless they share a channel: the admin (in guests-room) is visible, without e-mail; a stranger is not.
    const adminId = (await admin.request('GET', '/api/v4/users/me')).json.id;
    const seen = await g.request('GET', `/api/v4/users/${adminId}`);
    expect(seen.status).toBe(200);
    expect(seen.json.email).toBe('');
    const stranger = (await admin.request('POST', '/api/v4/users', { body: { email: 'stranger@example.com', username: 'stranger', password: PASSWORD } })).json;
    expect((await g.request('GET', `/api/v4/users/${stranger.id}`)).status).toBe(404);
    // The same rule on every directory path clients use.
    const ids = await g.request('POST', '/api/v4/users/ids', { body: [adminId, stranger.id, me.id] });
    expect(ids.json.map((u: { id: string }) => u.id).sort()).toEqual([adminId, me.id].sort());
    expect((await g.request('POST', '/api/v4/users/usernames', { body: ['stranger', ADMIN.username] })).json.map((u: { username: string }) => u.username)).toEqual([ADMIN.username]);
    expect((await g.request('GET', '/api/v4/users/username/stranger')).status).toBe(404);
    expect((await g.request('POST', '/api/v4/users/search', { body: { term: 'stra' } })).json).toEqual([]);
    expect((await g.request('GET', '/api/v4/users/autocomplete?name=stra')).json.users).toEqual([]);
    expect((await g.request('GET', `/api/v4/users/autocomplete?name=${ADMIN.username.slice(0, 3)}`)).json.users.map((u: { id: string; email: string }) => [u.id, u.email])).toEqual([[adminId, '']]);
    // A member sees everyone.
    expect((await admin.request('POST', '/api/v4/users/search', { body: { term: 'stra' } })).json.map((u: { username: string }) => u.username)).toEqual(['stranger']);
    expect((await admin.request('GET', '/api/v4/users/username/stranger')).json.id).toBe(stranger.id);
    expect((await admin.request('POST', '/api/v4/users/ids', { body: 'not a list' })).status).toBe(400);
    // And in the invited channel the guest can talk.
    expect((await g.request('POST', '/api/v4/posts', { body: { channel_id: channels['guests-room'], message: 'hello' } })).status).toBe(201);
  });

  it('an expired link, and an address that already has an account (without its owner\'s session), are refused', async () => {
    await invite({ emails: ['late@allowed.example'], channels: [channels['guests-room']] });
    const late = linkOf(sink.messages.at(-1)!.text);
    clock.advance(49 * 3_600_000);
    expect((await accept(late, 'late')).form.status).toBe(404);
    // gina has an account: a fresh invitation for her address needs her own session.
    await invite({ emails: ['gina@allowed.example'], channels: [channels['guests-room']] });
    const again = linkOf(sink.messages.at(-1)!.text);
    const stranger = apiClient(h.url);
    const { done } = await accept(again, 'someone', stranger);
    expect(done.status).toBe(409);
    expect(done.text).toContain('Sign in first');
  });

  it('revokes one invitation or all of them', async () => {
    await invite({ emails: ['rev1@allowed.example', 'rev2@allowed.example'], channels: [channels['guests-room']] });
    const links = sink.messages.slice(-2).map((m) => linkOf(m.text));
    const pending = (await admin.request('GET', `/api/v4/teams/${team}/invitations`)).json as { id: string; email: string }[];
    const rev1 = pending.find((p) => p.email === 'rev1@allowed.example')!;
    expect((await admin.request('DELETE', `/api/v4/invitations/${rev1.id}`)).status).toBe(200);
    expect((await accept(links[0]!, 'rev1')).form.status).toBe(404);
    expect((await admin.request('DELETE', '/api/v4/teams/invites/email')).json.revoked).toBeGreaterThan(0);
    expect((await accept(links[1]!, 'rev2')).form.status).toBe(404);
  });

  it('promotes a guest to a member and demotes back: team and channel roles follow, sessions end', async () => {
    await invite({ emails: ['pat@allowed.example'], channels: [channels['guests-room']] });
    const { client } = await accept(linkOf(sink.messages.at(-1)!.text), 'pat');
    const pat = (await client.request('GET', '/api/v4/users/me', { useCookies: true })).json;
    const member = async () => (await h.gw.gateway.ctx.chat.getChannel(channels['guests-room']!))!.members.find((m) => m.user_id === pat.id);
    expect((await client.request('POST', `/api/v4/users/${pat.id}/promote`, { useCookies: true, headers: { 'X-Requested-With': 'XMLHttpRequest' } })).status).toBe(403);
    expect((await admin.request('POST', `/api/v4/users/${pat.id}/promote`)).status).toBe(200);
    expect((await client.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(401);
    const p = apiClient(h.url);
    await p.login('pat', PASSWORD);
    expect((await p.request('GET', '/api/v4/users/me')).json.roles).toBe('system_user');
    expect((await admin.request('GET', `/api/v4/teams/${team}/members/${pat.id}`)).json.roles).toBe('team_user');
    // As a member, pat may now join the public channel the guest could not.
    expect((await p.request('POST', `/api/v4/channels/${channels.town}/members`, { body: { user_id: pat.id } })).status).toBe(201);
    expect((await admin.request('POST', `/api/v4/users/${pat.id}/promote`)).status).toBe(400);
    expect((await admin.request('POST', `/api/v4/users/${pat.id}/demote`)).status).toBe(200);
    expect((await admin.request('GET', `/api/v4/teams/${team}/members/${pat.id}`)).json.roles).toBe('team_guest');
    expect(await member()).toMatchObject({ scheme_admin: false });
    const again = apiClient(h.url);
    await again.login('pat', PASSWORD);
    expect((await again.request('POST', '/api/v4/channels', { body: { team_id: team, name: 'pats', display_name: 'Pats', type: 'O' } })).status).toBe(403);
    expect((await admin.request('POST', `/api/v4/users/${(await admin.request('GET', '/api/v4/users/me')).json.id}/demote`)).status).toBe(400);
  });

  it('a guest past their end date is deactivated, and their session stops', async () => {
    const g = apiClient(h.url);
    expect((await g.login('gina', PASSWORD)).status).toBe(200);
    clock.advance(31 * 86_400_000);
    expect(await deactivateExpiredGuests(h.gw.gateway.ctx)).toBe(1);
    expect((await g.request('GET', '/api/v4/users/me')).status).toBe(401);
    expect((await apiClient(h.url).login('gina', PASSWORD)).status).toBe(401);
  });
});
