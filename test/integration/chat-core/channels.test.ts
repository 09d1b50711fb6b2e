import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';

describe.each(DIALECTS)('chat-core channels on %s', (dialect) => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => { await h.close(); });

  const createChannel = (user: TestUser, body: Record<string, unknown>) =>
    h.http().post('/api/v4/channels').set(...bearer(user)).send(body);

  it('creates a public channel and makes the creator its admin member', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const res = await createChannel(alice, { team_id: team, name: 'town-square', display_name: 'Town Square', type: 'O', purpose: 'all' });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toMatchObject({ team_id: team, name: 'town-square', display_name: 'Town Square', type: 'O', purpose: 'all', header: '', creator_id: alice.id, delete_at: 0, total_msg_count: 0, group_constrained: false });
    expect(res.body.id).toMatch(/^[a-z0-9]{26}$/);
    const member = await h.http().get(`/api/v4/channels/${res.body.id}/members/me`).set(...bearer(alice));
    expect(member.status).toBe(200);
    expect(member.body).toMatchObject({ channel_id: res.body.id, user_id: alice.id, roles: 'channel_user channel_admin', scheme_admin: true, scheme_guest: false });
  });

  it('refuses to create a channel in a team the assertion does not name', async () => {
    const alice = await h.user({ teams: memberOf(newTeamId()) });
    const res = await createChannel(alice, { team_id: newTeamId(), name: 'x', display_name: 'X', type: 'O' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ id: 'api.context.permissions.app_error', status_code: 403 });
  });

  it.each(['Upper', 'with space', '', 'a'.repeat(65), 'dots.not.allowed'])('refuses the channel name %j', async (name) => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const res = await createChannel(alice, { team_id: team, name, display_name: 'X', type: 'O' });
    expect(res.status).toBe(400);
    expect(res.body.id).toBe('model.channel.is_valid.name.app_error');
  });

  it('refuses a type other than O or P, and an empty display name', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    expect((await createChannel(alice, { team_id: team, name: 'd', display_name: 'D', type: 'D' })).body.id).toBe('model.channel.is_valid.type.app_error');
    expect((await createChannel(alice, { team_id: team, name: 'd', display_name: '  ', type: 'O' })).body.id).toBe('model.channel.is_valid.display_name.app_error');
    expect((await createChannel(alice, { team_id: team, name: 'd', display_name: 'a\u0000b', type: 'O' })).body.id).toBe('model.channel.is_valid.display_name.app_error');
    expect((await createChannel(alice, { team_id: team, name: 'd', display_name: 'D', type: 'O', header: '\u0000' })).body.id).toBe('model.channel.is_valid.header.app_error');
  });

  it('refuses a duplicate name in the same team but allows it in another team', async () => {
    const [teamA, teamB] = [newTeamId(), newTeamId()];
    const alice = await h.user({ teams: memberOf(teamA, teamB) });
    expect((await createChannel(alice, { team_id: teamA, name: 'dev', display_name: 'Dev', type: 'O' })).status).toBe(201);
    const again = await createChannel(alice, { team_id: teamA, name: 'dev', display_name: 'Dev 2', type: 'P' });
    expect(again.status).toBe(400);
    expect(again.body.id).toBe('store.sql_channel.save_channel.exists.app_error');
    expect((await createChannel(alice, { team_id: teamB, name: 'dev', display_name: 'Dev', type: 'O' })).status).toBe(201);
  });

  it('refuses channel creation to a guest', async () => {
    const team = newTeamId();
    const guest = await h.user({ teams: { [team]: ['team_guest'] }, roles: ['system_guest'], guest: true });
    const res = await createChannel(guest, { team_id: team, name: 'g', display_name: 'G', type: 'P' });
    expect(res.status).toBe(403);
  });

  it('finds a channel by id and by name, and answers 404 for an unknown one', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const { body: channel } = await createChannel(alice, { team_id: team, name: 'general', display_name: 'General', type: 'O' });
    expect((await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(alice))).body.id).toBe(channel.id);
    const byName = await h.http().get(`/api/v4/teams/${team}/channels/name/general`).set(...bearer(alice));
    expect(byName.body.id).toBe(channel.id);
    const missing = await h.http().get(`/api/v4/teams/${team}/channels/name/nope`).set(...bearer(alice));
    expect(missing.status).toBe(404);
    expect((await h.http().get('/api/v4/channels/aaaaaaaaaaaaaaaaaaaaaaaaaa').set(...bearer(alice))).status).toBe(404);
    const malformed = await h.http().get('/api/v4/channels/not-an-id').set(...bearer(alice));
    expect(malformed.status).toBe(400);
    expect(malformed.body.id).toBe('api.context.invalid_url_param.app_error');
  });

  it('lists a team\'s public channels page by page, never its private ones', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    for (const name of ['a1', 'a2', 'a3']) await createChannel(alice, { team_id: team, name, display_name: name.toUpperCase(), type: 'O' });
    await createChannel(alice, { team_id: team, name: 'secret', display_name: 'Secret', type: 'P' });
    const bob = await h.user({ teams: memberOf(team) });
    const first = await h.http().get(`/api/v4/teams/${team}/channels?page=0&per_page=2`).set(...bearer(bob));
    const second = await h.http().get(`/api/v4/teams/${team}/channels?page=1&per_page=2`).set(...bearer(bob));
    expect(first.body.map((c: { name: string }) => c.name)).toEqual(['a1', 'a2']);
    expect(second.body.map((c: { name: string }) => c.name)).toEqual(['a3']);
    expect((await h.http().get(`/api/v4/teams/${team}/channels?per_page=abc`).set(...bearer(bob))).status).toBe(400);
  });

  it('lists my channels in a team for "me" or my own id, never for someone else', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const bob = await h.user({ teams: memberOf(team) });
    await createChannel(alice, { team_id: team, name: 'mine', display_name: 'Mine', type: 'P' });
    const mine = await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(alice));
    expect(mine.body.map((c: { name: string }) => c.name)).toEqual(['mine']);
    const byId = await h.http().get(`/api/v4/users/${alice.id}/teams/${team}/channels`).set(...bearer(alice));
    expect(byId.body).toHaveLength(1);
    const memberships = await h.http().get(`/api/v4/users/me/teams/${team}/channels/members`).set(...bearer(alice));
    expect(memberships.body).toMatchObject([{ user_id: alice.id, roles: 'channel_user channel_admin' }]);
    const snoop = await h.http().get(`/api/v4/users/${alice.id}/teams/${team}/channels`).set(...bearer(bob));
    expect(snoop.status).toBe(403);
    expect(Array.isArray(snoop.body)).toBe(false);
  });

  it('lets a team member read a public channel, but not a private one they are not in', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const bob = await h.user({ teams: memberOf(team) });
    const pub = (await createChannel(alice, { team_id: team, name: 'pub', display_name: 'Pub', type: 'O' })).body;
    const priv = (await createChannel(alice, { team_id: team, name: 'priv', display_name: 'Priv', type: 'P' })).body;
    expect((await h.http().get(`/api/v4/channels/${pub.id}`).set(...bearer(bob))).status).toBe(200);
    expect((await h.http().get(`/api/v4/channels/${pub.id}/members`).set(...bearer(bob))).status).toBe(200);
    for (const path of [`/api/v4/channels/${priv.id}`, `/api/v4/channels/${priv.id}/members`, `/api/v4/channels/${priv.id}/posts`]) {
      const res = await h.http().get(path).set(...bearer(bob));
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('Priv');
    }
  });

  it('never shows a guest a public channel they are not a member of', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const pub = (await createChannel(alice, { team_id: team, name: 'lobby', display_name: 'Lobby', type: 'O' })).body;
    const guest = await h.user({ teams: { [team]: ['team_guest'] }, roles: ['system_guest'], guest: true });
    expect((await h.http().get(`/api/v4/channels/${pub.id}`).set(...bearer(guest))).status).toBe(403);
    expect((await h.http().get(`/api/v4/channels/${pub.id}/posts`).set(...bearer(guest))).status).toBe(403);
    expect((await h.http().get(`/api/v4/teams/${team}/channels`).set(...bearer(guest))).status).toBe(403);
    const join = await h.http().post(`/api/v4/channels/${pub.id}/members`).set(...bearer(guest)).send({ user_id: guest.id });
    expect(join.status).toBe(403);
  });

  it('refuses, without data, a valid token asking about a team it does not name', async () => {
    const [teamA, teamB] = [newTeamId(), newTeamId()];
    const owner = await h.user({ teams: memberOf(teamB) });
    const channel = (await createChannel(owner, { team_id: teamB, name: 'b-only', display_name: 'B only', type: 'O' })).body;
    const outsider = await h.user({ teams: memberOf(teamA), roles: ['system_admin', 'system_user'] });
    const paths = [
      `/api/v4/channels/${channel.id}`, `/api/v4/channels/${channel.id}/posts`, `/api/v4/channels/${channel.id}/members`,
      `/api/v4/teams/${teamB}/channels`, `/api/v4/teams/${teamB}/channels/name/b-only`, `/api/v4/users/me/teams/${teamB}/channels`,
    ];
    for (const path of paths) {
      const res = await h.http().get(path).set(...bearer(outsider));
      expect(res.status).toBe(403);
      expect(res.body.id).toBe('api.context.permissions.app_error');
      expect(JSON.stringify(res.body)).not.toContain('b-only');
    }
  });
});
