import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';

describe.each(DIALECTS)('chat-core channel members on %s', (dialect) => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => { await h.close(); });

  const channelOf = async (owner: TestUser, team: string, type: 'O' | 'P') => {
    const res = await h.http().post('/api/v4/channels').set(...bearer(owner))
      .send({ team_id: team, name: `c${Math.random().toString(36).slice(2, 10)}`, display_name: 'C', type });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  /** A user chat-core has seen (any authenticated request puts them in the mirror). */
  const seenUser = async (team: string, claims: Record<string, unknown> = {}) => {
    const user = await h.user({ teams: memberOf(team), ...claims });
    expect((await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(user))).status).toBe(200);
    return user;
  };
  const add = (actor: TestUser, channelId: string, userId: string) =>
    h.http().post(`/api/v4/channels/${channelId}/members`).set(...bearer(actor)).send({ user_id: userId });

  it('lets a team member join a public channel, and answers a second join with the same membership', async () => {
    const team = newTeamId();
    const channel = await channelOf(await h.user({ teams: memberOf(team) }), team, 'O');
    const bob = await h.user({ teams: memberOf(team) });
    const first = await add(bob, channel.id, bob.id);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ channel_id: channel.id, user_id: bob.id, roles: 'channel_user', scheme_user: true, scheme_admin: false });
    expect((await add(bob, channel.id, bob.id)).body).toEqual(first.body);
  });

  it('refuses to let a non-member join a private channel', async () => {
    const team = newTeamId();
    const channel = await channelOf(await h.user({ teams: memberOf(team) }), team, 'P');
    const bob = await h.user({ teams: memberOf(team) });
    expect((await add(bob, channel.id, bob.id)).status).toBe(403);
  });

  it('lets a channel member add a team member, and refuses an outsider doing the same', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const priv = await channelOf(alice, team, 'P');
    const carol = await seenUser(team);
    expect((await add(alice, priv.id, carol.id)).status).toBe(201);
    const pub = await channelOf(alice, team, 'O');
    const outsider = await seenUser(team);
    const dave = await seenUser(team);
    const refused = await add(outsider, pub.id, dave.id);
    expect(refused.status).toBe(403);
    const members = await h.http().get(`/api/v4/channels/${pub.id}/members`).set(...bearer(alice));
    expect(members.body.map((m: { user_id: string }) => m.user_id)).toEqual([alice.id]);
  });

  it('refuses to add a user chat-core has never seen, or one outside the channel\'s team', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const channel = await channelOf(alice, team, 'O');
    const unknown = await add(alice, channel.id, 'nobody-we-know');
    expect(unknown.status).toBe(404);
    expect(unknown.body.id).toBe('app.user.missing_account.const');
    const stranger = await seenUser(newTeamId());
    const elsewhere = await add(alice, channel.id, stranger.id);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.id).toBe('api.channel.add_user.to.channel.failed.not_team_member.app_error');
    expect((await add(alice, channel.id, '../etc')).status).toBe(400);
  });

  it('gives an added guest the channel_guest role', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const channel = await channelOf(alice, team, 'P');
    const guest = await seenUser(team, { teams: { [team]: ['team_guest'] }, roles: ['system_guest'], guest: true });
    const res = await add(alice, channel.id, guest.id);
    expect(res.body).toMatchObject({ roles: 'channel_guest', scheme_guest: true, scheme_user: false, scheme_admin: false });
    expect((await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(guest))).status).toBe(200);
  });

  it('pages through a channel\'s members', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const channel = await channelOf(alice, team, 'O');
    for (let i = 0; i < 3; i += 1) await add(alice, channel.id, (await seenUser(team)).id);
    const page0 = await h.http().get(`/api/v4/channels/${channel.id}/members?page=0&per_page=3`).set(...bearer(alice));
    const page1 = await h.http().get(`/api/v4/channels/${channel.id}/members?page=1&per_page=3`).set(...bearer(alice));
    expect(page0.body).toHaveLength(3);
    expect(page1.body).toHaveLength(1);
  });

  it('lets a member leave, refuses removing others without the permission, and 404s a non-member', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const channel = await channelOf(alice, team, 'P');
    const bob = await seenUser(team);
    const carol = await seenUser(team);
    await add(alice, channel.id, bob.id);
    const outsider = await seenUser(team);
    expect((await h.http().delete(`/api/v4/channels/${channel.id}/members/${bob.id}`).set(...bearer(outsider))).status).toBe(403);
    const leave = await h.http().delete(`/api/v4/channels/${channel.id}/members/me`).set(...bearer(bob));
    expect(leave.status).toBe(200);
    expect(leave.body).toEqual({ status: 'OK' });
    expect((await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(bob))).status).toBe(403);
    expect((await h.http().delete(`/api/v4/channels/${channel.id}/members/${carol.id}`).set(...bearer(alice))).status).toBe(404);
  });

  it('lets a team admin remove a member from a private channel they are not in', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const channel = await channelOf(alice, team, 'P');
    const bob = await seenUser(team);
    await add(alice, channel.id, bob.id);
    const admin = await h.user({ teams: { [team]: ['team_user', 'team_admin'] } });
    expect((await h.http().delete(`/api/v4/channels/${channel.id}/members/${bob.id}`).set(...bearer(admin))).status).toBe(200);
  });
});
