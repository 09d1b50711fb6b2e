import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, BACKENDS, startHarness, type Harness } from '../../support/gateway-harness.js';

describe.each(BACKENDS)('users and personal access tokens (%s)', (backend) => {
  let h: Harness;
  let admin: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    h = await startHarness(backend, { config: { passwordPolicy: { minimumLength: 12, requireSymbol: true } } });
    admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
  });
  afterAll(async () => { await h?.close(); });

  it('lets an admin create a user, and shows the e-mail only to the user and admins', async () => {
    const r = await admin.request('POST', '/api/v4/users', { body: { email: 'dana@example.com', username: 'dana', password: 'twelve chars!', first_name: 'Dana', last_name: 'Scully' } });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ username: 'dana', email: 'dana@example.com', first_name: 'Dana', roles: 'system_user', delete_at: 0 });
    const dana = apiClient(h.url);
    expect((await dana.login('dana', 'twelve chars!')).status).toBe(200);
    const adminId = (await admin.request('GET', '/api/v4/users/me')).json.id;
    const seen = await dana.request('GET', `/api/v4/users/${adminId}`);
    expect(seen.status).toBe(200);
    expect(seen.json.email).toBe('');
    expect((await admin.request('GET', `/api/v4/users/${r.json.id}`)).json.email).toBe('dana@example.com');
  });

  it('lists everything wrong with a password against the policy at once', async () => {
    const r = await admin.request('POST', '/api/v4/users', { body: { email: 'eve@example.com', username: 'eve', password: 'short' } });
    expect(r.status).toBe(400);
    expect(r.json.id).toBe('model.user.is_valid.pwd.app_error');
    expect(r.json.message).toMatch(/at least 12 characters/);
    expect(r.json.message).toMatch(/a symbol/);
    // Nothing was written.
    expect((await apiClient(h.url).login('eve', 'short')).status).toBe(401);
    const list = await admin.request('GET', '/api/v4/users?per_page=200');
    expect(list.json.map((u: { username: string }) => u.username)).not.toContain('eve');
  });

  it('refuses a duplicate user with a stable error and no second record', async () => {
    const body = { email: 'frank@example.com', username: 'frank', password: 'twelve chars!' };
    expect((await admin.request('POST', '/api/v4/users', { body })).status).toBe(201);
    const dup = await admin.request('POST', '/api/v4/users', { body: { ...body, username: 'frank2' } });
    expect(dup.status).toBe(400);
    expect(dup.json.id).toBe('app.user.save.existing.app_error');
  });

  it('refuses open sign-up by default', async () => {
    const r = await apiClient(h.url).request('POST', '/api/v4/users', { body: { email: 'anon@example.com', username: 'anon', password: 'twelve chars!' } });
    expect(r.status).toBe(401);
  });

  it('creates, uses, lists and revokes a personal access token', async () => {
    const me = (await admin.request('GET', '/api/v4/users/me')).json;
    const created = await admin.request('POST', `/api/v4/users/${me.id}/tokens`, { body: { description: 'deploy bot' } });
    expect(created.status).toBe(200);
    const { token, id } = created.json as { token: string; id: string };
    expect(token).toMatch(/^gh_/);
    const bot = apiClient(h.url);
    bot.token = token;
    expect((await bot.request('GET', '/api/v4/users/me')).json.id).toBe(me.id);
    const list = await admin.request('GET', `/api/v4/users/${me.id}/tokens`);
    expect(list.json).toEqual([expect.objectContaining({ id, description: 'deploy bot', is_active: true })]);
    expect(list.text).not.toContain(token);
    expect((await admin.request('POST', '/api/v4/users/tokens/revoke', { body: { token_id: id } })).status).toBe(200);
    expect((await bot.request('GET', '/api/v4/users/me')).status).toBe(401);
    expect((await bot.request('GET', '/api/v4/channels/x')).status).toBe(401);
  });

  it('ends every session of a deactivated user at once and refuses their login', async () => {
    const created = await admin.request('POST', '/api/v4/users', { body: { email: 'gone@example.com', username: 'gone', password: 'twelve chars!' } });
    const gone = apiClient(h.url);
    await gone.login('gone', 'twelve chars!');
    expect((await gone.request('GET', '/api/v4/users/me')).status).toBe(200);
    expect((await admin.request('DELETE', `/api/v4/users/${created.json.id}`)).status).toBe(200);
    expect((await gone.request('GET', '/api/v4/users/me')).status).toBe(401);
    const again = await gone.login('gone', 'twelve chars!');
    expect(again.status).toBe(401);
    expect(again.json.id).toBe('api.user.login.invalid_credentials_email_username');
  });

  it('ends the sessions of a user whose system roles change', async () => {
    const created = await admin.request('POST', '/api/v4/users', { body: { email: 'promo@example.com', username: 'promo', password: 'twelve chars!' } });
    const promo = apiClient(h.url);
    await promo.login('promo', 'twelve chars!');
    expect((await admin.request('PUT', `/api/v4/users/${created.json.id}/roles`, { body: { roles: 'system_user system_admin' } })).status).toBe(200);
    expect((await promo.request('GET', '/api/v4/users/me')).status).toBe(401);
    await promo.login('promo', 'twelve chars!');
    expect((await promo.request('GET', '/api/v4/users/me')).json.roles).toBe('system_admin system_user');
    expect((await admin.request('PUT', `/api/v4/users/${created.json.id}/roles`, { body: { roles: 'root' } })).status).toBe(400);
  });

  it('answers Mattermost team shapes', async () => {
    const team = await admin.request('POST', '/api/v4/teams', { body: { name: 'shapes', display_name: 'Shapes', type: 'I' } });
    expect(team.json).toMatchObject({ name: 'shapes', display_name: 'Shapes', type: 'I', delete_at: 0, allow_open_invite: false });
    expect((await admin.request('GET', '/api/v4/teams/name/shapes')).json.id).toBe(team.json.id);
    const members = await admin.request('GET', `/api/v4/teams/${team.json.id}/members`);
    expect(members.json[0]).toMatchObject({ team_id: team.json.id, roles: 'team_user team_admin', scheme_admin: true, scheme_user: true });
    const bad = await admin.request('POST', '/api/v4/teams', { body: { name: 'Not A Name!', display_name: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.json.id).toBe('model.team.is_valid.app_error');
    const badRoles = await admin.request('PUT', `/api/v4/teams/${team.json.id}/members/${members.json[0].user_id}/roles`, { body: { roles: 'system_admin' } });
    expect(badRoles.status).toBe(400);
  });
});
