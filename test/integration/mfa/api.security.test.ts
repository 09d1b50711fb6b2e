/**
 * MFA through Mattermost's API, on both backends: enrolment → activation → sign-in with the
 * `token` field; recovery codes; admin reset; and the refusals — no code, a wrong code, the same
 * code twice, a code two steps away, the attempt limit, activation without a confirming code,
 * disabling without a code, a recovery code reused, a token created before MFA, a required user
 * reaching anything but enrolment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, BACKENDS, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';
import { createFakeClock } from '../../support/log-sink.js';

const PASSWORD = 'Correct horse battery staple 9!';
const codeAt = (secret: string, ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });

describe.each(BACKENDS)('MFA API (%s)', (backend) => {
  let h: Harness;
  const clock = createFakeClock(Date.UTC(2026, 11, 1, 12, 0, 0));
  let admin: ReturnType<typeof apiClient>;
  let n = 0;
  const newUser = async () => {
    n += 1;
    const username = `mfa-user-${n}`;
    const res = await admin.request('POST', '/api/v4/users', { body: { email: `${username}@example.com`, username, password: PASSWORD } });
    expect(res.status).toBe(201);
    return { id: res.json.id as string, username };
  };
  /** Sign in, generate, activate: returns the signed-in client and the secret. */
  const enrol = async (username: string) => {
    const c = apiClient(h.url);
    expect((await c.login(username, PASSWORD)).status).toBe(200);
    const gen = await c.request('POST', '/api/v4/users/me/mfa/generate');
    expect(gen.status).toBe(200);
    expect(Buffer.from(gen.json.qr_code, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const secret = gen.json.secret as string;
    const on = await c.request('PUT', '/api/v4/users/me/mfa', { body: { activate: true, code: await codeAt(secret, clock.now()) } });
    expect(on.status).toBe(200);
    expect(on.json.recovery_codes).toHaveLength(10);
    return { c, secret, recovery: on.json.recovery_codes as string[] };
  };
  const login = (username: string, token?: string) => apiClient(h.url).request('POST', '/api/v4/users/login', { body: { login_id: username, password: PASSWORD, ...(token !== undefined ? { token } : {}) } });

  beforeAll(async () => {
    h = await startHarness(backend, { now: clock.now, config: { mfa: { mode: 'optional', maxAttempts: 5 } } });
    admin = apiClient(h.url);
    expect((await admin.login(ADMIN.email, ADMIN.password)).status).toBe(200);
  });
  afterAll(async () => { await h?.close(); });

  it('enrols with a server secret, activates only with a valid code, then asks for the code at sign-in', async () => {
    const u = await newUser();
    const c = apiClient(h.url);
    await c.login(u.username, PASSWORD);
    const gen = await c.request('POST', '/api/v4/users/me/mfa/generate');
    const secret = gen.json.secret as string;
    // Not active until confirmed: sign-in still needs no code.
    expect((await login(u.username)).status).toBe(200);
    const noCode = await c.request('PUT', '/api/v4/users/me/mfa', { body: { activate: true } });
    expect(noCode.status).toBe(401);
    expect(noCode.json.id).toBe('mfa.validate_token.authenticate.app_error');
    const wrong = await c.request('PUT', '/api/v4/users/me/mfa', { body: { activate: true, code: '000000' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.id).toBe('api.user.check_user_mfa.bad_code.app_error');
    expect((await login(u.username)).status).toBe(200);
    const on = await c.request('PUT', '/api/v4/users/me/mfa', { body: { activate: true, code: await codeAt(secret, clock.now()) } });
    expect(on.status).toBe(200);
    expect((await apiClient(h.url).request('POST', '/api/v4/users/mfa', { body: { login_id: u.username } })).json).toEqual({ mfa_required: true });
    expect((await apiClient(h.url).request('POST', '/api/v4/users/mfa', { body: { login_id: 'nobody-at-all' } })).json).toEqual({ mfa_required: false });

    const missing = await login(u.username);
    expect(missing.status).toBe(401);
    expect(missing.json.id).toBe('mfa.validate_token.authenticate.app_error');
    expect(missing.headers.get('token')).toBeNull();
    clock.advance(30_000);
    const ok = await login(u.username, await codeAt(secret, clock.now()));
    expect(ok.status).toBe(200);
    expect(ok.json.mfa_active).toBe(true);
    const me = apiClient(h.url);
    me.token = ok.headers.get('token')!;
    const [session] = await h.gw.gateway.ctx.sessions.listForUser(u.id);
    expect(session!.amr).toEqual(['pwd', 'otp']);
    expect((await me.request('GET', '/api/v4/users/me')).status).toBe(200);
  });

  it('accepts a code once: the same code again, even within its window, is refused', async () => {
    const u = await newUser();
    const { secret } = await enrol(u.username);
    clock.advance(30_000);
    const code = await codeAt(secret, clock.now());
    expect((await login(u.username, code)).status).toBe(200);
    const again = await login(u.username, code);
    expect(again.status).toBe(401);
    expect(again.json.id).toBe('api.user.check_user_mfa.bad_code.app_error');
  });

  it('refuses a code two steps away, and the wrong password is refused before any code matters', async () => {
    const u = await newUser();
    const { secret } = await enrol(u.username);
    clock.advance(30_000);
    expect((await login(u.username, await codeAt(secret, clock.now() + 60_000))).status).toBe(401);
    expect((await login(u.username, await codeAt(secret, clock.now() - 60_000))).status).toBe(401);
    const wrongPassword = await apiClient(h.url).request('POST', '/api/v4/users/login', { body: { login_id: u.username, password: 'nope-nope-nope', token: await codeAt(secret, clock.now()) } });
    expect(wrongPassword.json.id).toBe('api.user.login.invalid_credentials_email_username');
  });

  it('locks the second factor after too many wrong codes from one address, for any user there', async () => {
    const local = await startHarness(backend, { now: clock.now, config: { mfa: { maxAttempts: 100, maxAttemptsPerAddress: 3 } } });
    try {
      const a = apiClient(local.url);
      await a.login(ADMIN.email, ADMIN.password);
      const u = (await a.request('POST', '/api/v4/users', { body: { email: 'spray@example.com', username: 'spray', password: PASSWORD } })).json;
      const c = apiClient(local.url);
      await c.login('spray', PASSWORD);
      const gen = await c.request('POST', '/api/v4/users/me/mfa/generate');
      await c.request('PUT', '/api/v4/users/me/mfa', { body: { activate: true, code: await codeAt(gen.json.secret, clock.now()) } });
      clock.advance(30_000);
      const tryLogin = (token: string) => apiClient(local.url).request('POST', '/api/v4/users/login', { body: { login_id: 'spray', password: PASSWORD, token } });
      for (let i = 0; i < 3; i += 1) expect((await tryLogin('222222')).status).toBe(401);
      expect((await tryLogin(await codeAt(gen.json.secret, clock.now()))).status).toBe(429);
      void u;
    } finally {
      await local.close();
    }
  });

  it('locks the second factor after too many wrong codes, even for the right code', async () => {
    const u = await newUser();
    const { secret } = await enrol(u.username);
    clock.advance(30_000);
    for (let i = 0; i < 5; i += 1) expect((await login(u.username, '111111')).status).toBe(401);
    const locked = await login(u.username, await codeAt(secret, clock.now()));
    expect(locked.status).toBe(429);
    expect(locked.json.id).toBe('api.user.check_user_mfa.too_many_attempts.app_error');
    // The lockout ends by itself: the counter lives lockoutMinutes (15) in the shared store.
    const ttl = await h.gw.gateway.ctx.store.ttl(`mfa-fail:u:${u.id}`);
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
  });

  it('signs in with a recovery code once; the same recovery code is refused afterwards', async () => {
    const u = await newUser();
    const { recovery } = await enrol(u.username);
    expect((await login(u.username, recovery[0]!)).status).toBe(200);
    const reused = await login(u.username, recovery[0]!);
    expect(reused.status).toBe(401);
    const audit = await h.gw.gateway.ctx.db.selectFrom('audit_log').select('event').where('subject_id', '=', u.id).where('event', '=', 'mfa.recovery_code_used').execute();
    expect(audit).toHaveLength(1);
    // The owner is told by mail (the embedded default writes it to the outbox), without the code.
    const outbox = join(h.config.dataDir, 'outbox');
    const mails = readdirSync(outbox).map((f) => readFileSync(join(outbox, f), 'utf8')).filter((m) => m.includes(`${u.username}@example.com`));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/a recovery code was used to sign in/);
    expect(mails[0]).toContain('9 unused recovery codes left');
    expect(mails[0]).not.toContain(recovery[0]!);
  });

  it('turning MFA off needs a current code; an admin resets it without one', async () => {
    const u = await newUser();
    const { c, secret } = await enrol(u.username);
    const refused = await c.request('PUT', '/api/v4/users/me/mfa', { body: { activate: false } });
    expect(refused.status).toBe(401);
    clock.advance(30_000);
    expect((await c.request('PUT', '/api/v4/users/me/mfa', { body: { activate: false, code: await codeAt(secret, clock.now()) } })).status).toBe(200);
    expect((await login(u.username)).status).toBe(200);
    // Enrol again, then the admin resets it.
    const again = await enrol(u.username);
    void again;
    const other = await newUser();
    const stranger = apiClient(h.url);
    await stranger.login(other.username, PASSWORD);
    expect((await stranger.request('PUT', `/api/v4/users/${u.id}/mfa`, { body: { activate: false } })).status).toBe(403);
    expect((await admin.request('PUT', `/api/v4/users/${u.id}/mfa`, { body: { activate: false } })).status).toBe(200);
    expect((await login(u.username)).status).toBe(200);
  });

  it('regenerates recovery codes only for an authenticator code; the old ones stop working', async () => {
    const u = await newUser();
    const { c, secret, recovery } = await enrol(u.username);
    clock.advance(30_000);
    expect((await c.request('POST', '/api/v4/users/me/mfa/recovery_codes', { body: { code: recovery[1] } })).status).toBe(401);
    const fresh = await c.request('POST', '/api/v4/users/me/mfa/recovery_codes', { body: { code: await codeAt(secret, clock.now()) } });
    expect(fresh.status).toBe(200);
    expect((await login(u.username, recovery[2]!)).status).toBe(401);
    expect((await login(u.username, fresh.json.recovery_codes[0])).status).toBe(200);
  });

  it('enrolment needs the user\'s own session and the CSRF token when the session is a cookie', async () => {
    const u = await newUser();
    const other = await newUser();
    const c = apiClient(h.url);
    await c.login(u.username, PASSWORD);
    expect((await c.request('POST', `/api/v4/users/${other.id}/mfa/generate`)).status).toBe(403);
    const csrf = await c.request('POST', '/api/v4/users/me/mfa/generate', { useCookies: true });
    expect(csrf.status).toBe(401);
    expect(csrf.json.id).toBe('api.context.session_expired.app_error');
    // Turning it off through a cookie session without the CSRF header is refused the same way.
    const off = await c.request('PUT', '/api/v4/users/me/mfa', { useCookies: true, body: { activate: false } });
    expect(off.status).toBe(401);
    expect(off.json.id).toBe('api.context.session_expired.app_error');
    const pat = await admin.request('POST', `/api/v4/users/${u.id}/tokens`, { body: { description: 'bot' } });
    const bot = apiClient(h.url);
    bot.token = pat.json.token;
    expect((await bot.request('POST', '/api/v4/users/me/mfa/generate')).status).toBe(403);
  });
});

describe.each(BACKENDS)('MFA required (%s)', (backend) => {
  let h: Harness;
  const clock = createFakeClock(Date.UTC(2026, 11, 1, 12, 0, 0));
  beforeAll(async () => {
    h = await startHarness(backend, { now: clock.now, config: { mfa: { mode: 'required', requiredFor: { everyone: true } } } });
  });
  afterAll(async () => { await h?.close(); });

  it('a user who must enrol can do nothing else: API, chat, websocket and tokens answer mfa_required', async () => {
    const c = apiClient(h.url);
    const res = await c.login(ADMIN.email, ADMIN.password);
    expect(res.status).toBe(200);
    expect((await c.request('GET', '/api/v4/users/me')).status).toBe(200);
    for (const [method, path] of [['GET', '/api/v4/teams'], ['GET', '/api/v4/users'], ['POST', '/api/v4/channels'], ['GET', '/api/v4/ldap/groups']] as const) {
      const r = await c.request(method, path, method === 'POST' ? { body: { team_id: 'x', name: 'y', display_name: 'y', type: 'O' } } : {});
      expect(r.status, path).toBe(403);
      expect(r.json.id, path).toBe('api.context.mfa_required.app_error');
    }
    const me = (await c.request('GET', '/api/v4/users/me')).json;
    const pat = await c.request('POST', `/api/v4/users/${me.id}/tokens`, { body: { description: 'skip mfa' } });
    expect(pat.status).toBe(403);
    expect(pat.json.id).toBe('api.context.mfa_required.app_error');
    const ws = await fetch(`${h.url}/api/v4/websocket`, { headers: { authorization: `Bearer ${c.token}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } }).catch((e: Error) => e);
    expect(ws instanceof Error || ws.status !== 101).toBe(true);

    // Enrol: now everything works, and the session says it passed MFA.
    const gen = await c.request('POST', '/api/v4/users/me/mfa/generate');
    const on = await c.request('PUT', '/api/v4/users/me/mfa', { body: { activate: true, code: await codeAt(gen.json.secret, clock.now()) } });
    expect(on.status).toBe(200);
    expect((await c.request('GET', '/api/v4/teams')).status).toBe(200);
    expect((await c.request('POST', `/api/v4/users/${me.id}/tokens`, { body: { description: 'after mfa' } })).status).toBe(200);
    // Required users cannot turn it off themselves.
    clock.advance(30_000);
    const off = await c.request('PUT', '/api/v4/users/me/mfa', { body: { activate: false, code: await codeAt(gen.json.secret, clock.now()) } });
    expect(off.status).toBe(400);
    expect(off.json.id).toBe('api.user.update_mfa.required.app_error');
  });
});
