import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, BACKENDS, startHarness, type Harness } from '../../support/gateway-harness.js';

describe.each(BACKENDS)('sessions and local sign-in (%s)', (backend) => {
  let h: Harness;
  let clock = Date.now();
  beforeAll(async () => {
    h = await startHarness(backend, { now: () => clock, config: { login: { maxAttempts: 3, lockoutMinutes: 5 }, sessions: { idleTimeoutMinutes: 30 } } });
  });
  afterAll(async () => { await h?.close(); });

  it('answers a login with the user JSON, a Token header and Mattermost cookies with safe flags', async () => {
    const c = apiClient(h.url);
    const r = await c.login(ADMIN.username, ADMIN.password);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.json).toMatchObject({ username: ADMIN.username, email: ADMIN.email, roles: 'system_admin system_user' });
    expect(r.json).not.toHaveProperty('password');
    expect(r.text).not.toContain('argon2');
    const token = r.headers.get('token')!;
    expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    const cookies = r.headers.getSetCookie();
    const session = cookies.find((x) => x.startsWith('MMAUTHTOKEN='))!;
    expect(session).toContain(`MMAUTHTOKEN=${token}`);
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/); // http:// site URL
    const csrf = cookies.find((x) => x.startsWith('MMCSRF='))!;
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(cookies.some((x) => x.startsWith('MMUSERID='))).toBe(true);
  });

  it('accepts the login id in any case and by e-mail', async () => {
    expect((await apiClient(h.url).login(ADMIN.email.toUpperCase(), ADMIN.password)).status).toBe(200);
  });

  it('issues a new session id at login and ends the session the browser carried', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const oldToken = c.token!;
    const oldCookie = c.jar.get('MMAUTHTOKEN');
    expect(oldCookie).toBe(oldToken);
    // Log in again from the same browser (cookie present).
    const again = await c.request('POST', '/api/v4/users/login', { body: { login_id: ADMIN.username, password: ADMIN.password }, useCookies: true });
    expect(again.status).toBe(200);
    const newToken = again.headers.get('token')!;
    expect(newToken).not.toBe(oldToken);
    c.token = oldToken;
    expect((await c.request('GET', '/api/v4/users/me')).status).toBe(401);
    c.token = newToken;
    expect((await c.request('GET', '/api/v4/users/me')).status).toBe(200);
  });

  it('refuses a cookie-authenticated POST without the CSRF token, and accepts it with the token', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const body = { name: `csrf-${backend}`, display_name: 'CSRF', type: 'O' };
    const refused = await c.request('POST', '/api/v4/teams', { body, useCookies: true });
    expect(refused.status).toBe(401);
    expect(refused.json.id).toBe('api.context.session_expired.app_error');
    const wrong = await c.request('POST', '/api/v4/teams', { body, useCookies: true, headers: { 'x-csrf-token': 'forged' } });
    expect(wrong.status).toBe(401);
    const ok = await c.request('POST', '/api/v4/teams', { body, useCookies: true, headers: { 'x-csrf-token': c.jar.get('MMCSRF')! } });
    expect(ok.status).toBe(201);
    // Nothing was created by the refused attempts.
    const teams = await c.request('GET', '/api/v4/users/me/teams');
    expect(teams.json.filter((t: { name: string }) => t.name === body.name)).toHaveLength(1);
  });

  it('applies the CSRF rule to proxied chat requests too', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const r = await c.request('POST', '/api/v4/channels', { body: { team_id: 'x', name: 'y', display_name: 'y', type: 'O' }, useCookies: true });
    expect(r.status).toBe(401);
  });

  it('accepts X-Requested-With: XMLHttpRequest instead of the CSRF token, as Mattermost does', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const r = await c.request('POST', '/api/v4/users/logout', { useCookies: true, headers: { 'x-requested-with': 'XMLHttpRequest' } });
    expect(r.status).toBe(200);
  });

  it('makes the old cookie and token fail on the very next request after logout', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const token = c.token!;
    const cookie = `MMAUTHTOKEN=${token}`;
    expect((await c.request('POST', '/api/v4/users/logout')).status).toBe(200);
    const byHeader = await fetch(`${h.url}/api/v4/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(byHeader.status).toBe(401);
    const byCookie = await fetch(`${h.url}/api/v4/users/me`, { headers: { cookie } });
    expect(byCookie.status).toBe(401);
    const proxied = await fetch(`${h.url}/api/v4/channels/abc`, { headers: { authorization: `Bearer ${token}` } });
    expect(proxied.status).toBe(401);
  });

  it('lists and revokes sessions, one or all', async () => {
    const a = apiClient(h.url);
    const b = apiClient(h.url);
    const c = apiClient(h.url);
    await a.login(ADMIN.username, ADMIN.password);
    await b.login(ADMIN.username, ADMIN.password);
    await c.login(ADMIN.username, ADMIN.password);
    const list = await a.request('GET', '/api/v4/users/me/sessions');
    expect(list.status).toBe(200);
    expect(list.json.length).toBeGreaterThanOrEqual(3);
    expect(list.text).not.toContain(b.token!);
    const bSession = (await b.request('GET', '/api/v4/users/me/sessions')).json as { id: string }[];
    const ids = new Set((list.json as { id: string }[]).map((s) => s.id));
    expect(bSession.every((s) => ids.has(s.id))).toBe(true);
    // Revoke b's session from a: find b's id as the one a cannot see as its own by elimination.
    const me = await a.request('GET', '/api/v4/users/me');
    const revokeUnknown = await a.request('POST', `/api/v4/users/${me.json.id}/sessions/revoke`, { body: { session_id: 'nosuchsession' } });
    expect(revokeUnknown.status).toBe(404);
    const all = await a.request('POST', `/api/v4/users/${me.json.id}/sessions/revoke/all`);
    expect(all.status).toBe(200);
    for (const client of [a, b, c]) expect((await client.request('GET', '/api/v4/users/me')).status).toBe(401);
  });

  it('refuses a session that has been idle longer than the idle timeout', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    expect((await c.request('GET', '/api/v4/users/me')).status).toBe(200);
    clock += 31 * 60_000;
    expect((await c.request('GET', '/api/v4/users/me')).status).toBe(401);
    // The revocation sticks even if the clock came back.
    clock -= 31 * 60_000;
    expect((await c.request('GET', '/api/v4/users/me')).status).toBe(401);
  });

  it('keeps an active session alive past the idle timeout measured from login', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    for (let i = 0; i < 3; i += 1) {
      clock += 20 * 60_000;
      expect((await c.request('GET', '/api/v4/users/me')).status).toBe(200);
    }
  });

  it('locks a login id after N failures, answering exactly like a wrong password', async () => {
    const c = apiClient(h.url);
    const create = await (async () => {
      const admin = apiClient(h.url);
      await admin.login(ADMIN.username, ADMIN.password);
      return admin.request('POST', '/api/v4/users', { body: { email: `lock-${backend}@example.com`, username: `lock-${backend}`, password: 'a long enough password' } });
    })();
    expect(create.status).toBe(201);
    const wrong = await c.login(`lock-${backend}`, 'wrong password!');
    expect(wrong.status).toBe(401);
    await c.login(`lock-${backend}`, 'wrong password!');
    await c.login(`lock-${backend}`, 'wrong password!');
    const locked = await c.login(`lock-${backend}`, 'a long enough password');
    expect(locked.status).toBe(401);
    expect(locked.json.id).toBe(wrong.json.id);
    expect(locked.json.message).toBe(wrong.json.message);
    const unknown = await c.login('nobody-at-all', 'whatever password');
    expect(unknown.json).toMatchObject({ id: wrong.json.id, message: wrong.json.message, status_code: 401 });
  });

  // Only on the memory store: Redis expires the counter on its own clock, which a test clock cannot
  // move; the conformance suite covers fixed-window expiry on Redis.
  if (backend === 'embedded') it('lets the right password in again once the lockout window has passed', async () => {
    const c = apiClient(h.url);
    for (let i = 0; i < 3; i += 1) await c.login(ADMIN.username, 'wrong password!');
    expect((await c.login(ADMIN.username, ADMIN.password)).status).toBe(401);
    clock += 6 * 60_000;
    expect((await c.login(ADMIN.username, ADMIN.password)).status).toBe(200);
  });

  it('spends about the same time on an unknown login id as on a known one', async () => {
    const time = async (loginId: string) => {
      const started = performance.now();
      await apiClient(h.url).login(loginId, 'not the password');
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      known.push(await time(ADMIN.email));
      unknown.push(await time(`ghost-${i}@example.com`));
    }
    // Skipping argon2 would make unknown ids ~10× faster; allow generous noise either way.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('refuses a malformed login body with a 400, not a 500', async () => {
    const r = await fetch(`${h.url}/api/v4/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"login_id": ' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { id: string }).id).toBe('api.context.invalid_body_param.app_error');
    const wrongTypes = await apiClient(h.url).request('POST', '/api/v4/users/login', { body: { login_id: ['admin'], password: { x: 1 } } });
    expect(wrongTypes.status).toBe(400);
  });
});

describe('session cookies on an https site', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('embedded', { config: { siteUrl: 'https://chat.example.com' } }); });
  afterAll(async () => { await h?.close(); });

  it('marks every session cookie Secure', async () => {
    const r = await apiClient(h.url).login(ADMIN.username, ADMIN.password);
    const cookies = r.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThanOrEqual(3);
    for (const cookie of cookies) expect(cookie).toMatch(/; Secure/);
  });
});
