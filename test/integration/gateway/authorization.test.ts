import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertEveryRouteDeclared, listRoutes } from '../../../src/authz/route-table.js';
import { ADMIN, apiClient, BACKENDS, startHarness, type Harness } from '../../support/gateway-harness.js';

describe('the route table', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness('embedded'); });
  afterAll(async () => { await h?.close(); });

  it('has an access declaration for every route the gateway serves', () => {
    const routes = listRoutes(h.gw.gateway.app);
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.filter((r) => !r.declared)).toEqual([]);
  });

  it('refuses to build an app with a route that bypassed the table', () => {
    const app = express();
    app.get('/api/v4/sneaky', (_req, res) => { res.send('no checks here'); });
    expect(() => assertEveryRouteDeclared(app)).toThrow(/GET \/api\/v4\/sneaky/);
  });

  it('answers an unknown /api/v4 route with a Mattermost-shaped 404', async () => {
    const r = await apiClient(h.url).request('GET', '/api/v4/nothing/here');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ id: 'api.context.404.app_error', status_code: 404 });
    expect(typeof r.json.request_id).toBe('string');
    expect(r.json.request_id).toBe(r.headers.get('x-request-id'));
  });
});

describe.each(BACKENDS)('authorization across teams and roles (%s)', (backend) => {
  let h: Harness;
  const admin = () => { const c = apiClient(h.url); return c.login(ADMIN.username, ADMIN.password).then(() => c); };
  let teamA: { id: string };
  let teamB: { id: string };
  let alice: ReturnType<typeof apiClient>;
  let guest: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    h = await startHarness(backend, { config: { guests: { enabled: true } } });
    const a = await admin();
    const mk = async (username: string) => {
      const r = await a.request('POST', '/api/v4/users', { body: { email: `${username}@example.com`, username, password: 'a long enough password' } });
      expect(r.status).toBe(201);
      return r.json as { id: string };
    };
    const aliceUser = await mk('alice');
    const guestUser = await mk('gus');
    expect((await a.request('PUT', `/api/v4/users/${guestUser.id}/roles`, { body: { roles: 'system_guest' } })).status).toBe(200);
    teamA = (await a.request('POST', '/api/v4/teams', { body: { name: 'team-a', display_name: 'A', type: 'O' } })).json;
    teamB = (await a.request('POST', '/api/v4/teams', { body: { name: 'team-b', display_name: 'B', type: 'I' } })).json;
    expect((await a.request('POST', `/api/v4/teams/${teamA.id}/members`, { body: { team_id: teamA.id, user_id: aliceUser.id } })).status).toBe(201);
    expect((await a.request('POST', `/api/v4/teams/${teamA.id}/members`, { body: { team_id: teamA.id, user_id: guestUser.id } })).status).toBe(201);
    alice = apiClient(h.url);
    expect((await alice.login('alice', 'a long enough password')).status).toBe(200);
    guest = apiClient(h.url);
    expect((await guest.login('gus', 'a long enough password')).status).toBe(200);
  });
  afterAll(async () => { await h?.close(); });

  it('lets a member of team A see team A', async () => {
    expect((await alice.request('GET', `/api/v4/teams/${teamA.id}`)).status).toBe(200);
  });

  it('refuses a member of team A in team B by id, and does not reveal team B by name', async () => {
    const byId = await alice.request('GET', `/api/v4/teams/${teamB.id}`);
    expect(byId.status).toBe(403);
    expect(byId.json.id).toBe('api.context.permissions.app_error');
    expect((await alice.request('GET', '/api/v4/teams/name/team-b')).status).toBe(404);
    expect((await alice.request('GET', `/api/v4/teams/${teamB.id}/members`)).status).toBe(403);
    const join = await alice.request('POST', `/api/v4/teams/${teamB.id}/members`, { body: { team_id: teamB.id, user_id: 'x' } });
    expect(join.status).toBe(403);
  });

  it('refuses a member of team A a channel in team B through the proxy', async () => {
    const r = await alice.request('POST', '/api/v4/channels', { body: { team_id: teamB.id, name: 'sneak', display_name: 'Sneak', type: 'O' } });
    expect(r.status).toBe(403);
    const list = await alice.request('GET', `/api/v4/teams/${teamB.id}/channels`);
    expect([403, 404]).toContain(list.status);
  });

  it('refuses a system guest create_team and create_public_channel', async () => {
    const team = await guest.request('POST', '/api/v4/teams', { body: { name: 'guest-team', display_name: 'G', type: 'O' } });
    expect(team.status).toBe(403);
    const channel = await guest.request('POST', '/api/v4/channels', { body: { team_id: teamA.id, name: 'guest-chan', display_name: 'G', type: 'O' } });
    expect(channel.status).toBe(403);
    const priv = await guest.request('POST', '/api/v4/channels', { body: { team_id: teamA.id, name: 'guest-priv', display_name: 'G', type: 'P' } });
    expect(priv.status).toBe(403);
  });

  it('refuses a plain user the admin-only routes', async () => {
    expect((await alice.request('POST', '/api/v4/users', { body: { email: 'x@example.com', username: 'xavier', password: 'a long enough password' } })).status).toBe(403);
    const me = (await alice.request('GET', '/api/v4/users/me')).json as { id: string };
    expect((await alice.request('PUT', `/api/v4/users/${me.id}/roles`, { body: { roles: 'system_admin system_user' } })).status).toBe(403);
    expect((await alice.request('POST', `/api/v4/users/${me.id}/tokens`, { body: { description: 'mine' } })).status).toBe(403);
  });

  it('refuses a team member promoting themselves to team admin', async () => {
    const me = (await alice.request('GET', '/api/v4/users/me')).json as { id: string };
    const r = await alice.request('PUT', `/api/v4/teams/${teamA.id}/members/${me.id}/roles`, { body: { roles: 'team_user team_admin' } });
    expect(r.status).toBe(403);
  });

  it("refuses one user listing or revoking another user's sessions", async () => {
    const a = await admin();
    const adminId = ((await a.request('GET', '/api/v4/users/me')).json as { id: string }).id;
    expect((await alice.request('GET', `/api/v4/users/${adminId}/sessions`)).status).toBe(403);
    expect((await alice.request('POST', `/api/v4/users/${adminId}/sessions/revoke/all`)).status).toBe(403);
    expect((await a.request('GET', '/api/v4/users/me')).status).toBe(200);
  });

  it('applies a team role change to the very next request', async () => {
    const a = await admin();
    const me = (await alice.request('GET', '/api/v4/users/me')).json as { id: string };
    expect((await a.request('PUT', `/api/v4/teams/${teamA.id}/members/${me.id}/roles`, { body: { roles: 'team_user team_admin' } })).status).toBe(200);
    const member = await alice.request('GET', `/api/v4/teams/${teamA.id}/members/${me.id}`);
    expect(member.json).toMatchObject({ scheme_admin: true });
    expect((await a.request('DELETE', `/api/v4/teams/${teamA.id}/members/${me.id}`)).status).toBe(200);
    expect((await alice.request('GET', `/api/v4/teams/${teamA.id}`)).status).toBe(403);
  });
});
