import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';

function formToken(html: string): string {
  return /name="form_token" value="([^"]+)"/.exec(html)![1]!;
}

describe('the server-rendered login page (no JavaScript)', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('embedded'); });
  afterAll(async () => { await h?.close(); });

  it('serves a plain HTML form that posts to /login', async () => {
    const r = await apiClient(h.url).request('GET', '/login');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.text).toContain('<form method="post" action="/login">');
    expect(r.text).not.toContain('<script');
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('signs in with a form post and redirects to a same-site return path', async () => {
    const c = apiClient(h.url);
    const page = await c.request('GET', '/login?redirect_to=/teams/x');
    const r = await c.request('POST', '/login', { useCookies: true, form: { form_token: formToken(page.text), return_to: '/teams/x', login_id: ADMIN.username, password: ADMIN.password } });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/teams/x');
    expect(c.jar.get('MMAUTHTOKEN')).toBeTruthy();
    const home = await c.request('GET', '/', { useCookies: true });
    expect(home.text).toContain(`signed in as <strong>${ADMIN.username}</strong>`);
  });

  it('never redirects off-site after sign-in', async () => {
    for (const target of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const c = apiClient(h.url);
      const page = await c.request('GET', `/login?redirect_to=${encodeURIComponent(target)}`);
      expect(page.text).toContain('name="return_to" value="/"');
      const r = await c.request('POST', '/login', { useCookies: true, form: { form_token: formToken(page.text), return_to: target, login_id: ADMIN.username, password: ADMIN.password } });
      expect(r.headers.get('location')).toBe('/');
    }
  });

  it('shows one generic message for a failed sign-in and keeps the login id', async () => {
    const c = apiClient(h.url);
    const page = await c.request('GET', '/login');
    const r = await c.request('POST', '/login', { useCookies: true, form: { form_token: formToken(page.text), return_to: '/', login_id: 'nobody<script>', password: 'x' } });
    expect(r.status).toBe(401);
    expect(r.text).toContain('Enter a valid email or username and/or password.');
    expect(r.text).toContain('value="nobody&#60;script&#62;"');
    expect(r.text).not.toContain('nobody<script>');
  });

  it('refuses a login form posted without its form token (login CSRF)', async () => {
    const r = await apiClient(h.url).request('POST', '/login', { form: { return_to: '/', login_id: ADMIN.username, password: ADMIN.password } });
    expect(r.status).toBe(400);
    expect(r.headers.getSetCookie().some((c) => c.startsWith('MMAUTHTOKEN=') && !/Max-Age=0/.test(c))).toBe(false);
  });

  it('signs out with the form button, which carries the CSRF token', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const home = await c.request('GET', '/', { useCookies: true });
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(home.text)![1]!;
    const forged = await c.request('POST', '/logout', { useCookies: true, form: { csrf_token: 'nope' } });
    expect(forged.status).toBe(401);
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(200);
    const out = await c.request('POST', '/logout', { useCookies: true, form: { csrf_token: csrf } });
    expect(out.status).toBe(303);
    expect((await fetch(`${h.url}/api/v4/users/me`, { headers: { authorization: `Bearer ${c.token}` } })).status).toBe(401);
  });
});

describe('first-run setup link', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('embedded', { admin: false }); });
  afterAll(async () => { await h?.close(); });

  it('prints a one-time link when no admin exists, which creates the first admin once', async () => {
    expect(h.gw.bootstrap.kind).toBe('setup-link');
    const link = new URL((h.gw.bootstrap as { url: string }).url);
    const token = link.searchParams.get('token')!;
    const c = apiClient(h.url);
    const page = await c.request('GET', `/setup?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Create the first administrator');
    const weak = await c.request('POST', '/setup', { form: { token, email: 'root@example.com', username: 'root', password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.text).toMatch(/at least 10 characters/);
    const ok = await c.request('POST', '/setup', { form: { token, email: 'root@example.com', username: 'root', password: 'a fine long password' } });
    expect(ok.status).toBe(303);
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).json.roles).toBe('system_admin system_user');
    const reuse = await apiClient(h.url).request('POST', '/setup', { form: { token, email: 'two@example.com', username: 'second', password: 'a fine long password' } });
    expect(reuse.status).toBe(400);
    expect((await apiClient(h.url).request('GET', `/setup?token=${token}`)).status).toBe(400);
    expect((await apiClient(h.url).login('second', 'a fine long password')).status).toBe(401);
  });

  it('refuses a made-up setup token', async () => {
    const r = await apiClient(h.url).request('GET', '/setup?token=guess', { headers: { accept: 'text/html' } });
    expect(r.status).toBe(400);
    expect(r.text).toContain('setup link is invalid');
  });
});
