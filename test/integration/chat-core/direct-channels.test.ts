import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';

describe.each(DIALECTS)('chat-core direct and group channels on %s', (dialect) => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => { await h.close(); });

  /** A user chat-core has seen (any authenticated request puts them in the mirror). */
  const seen = async (team: string, claims: Record<string, unknown> = {}): Promise<TestUser> => {
    const user = await h.user({ teams: memberOf(team), ...claims });
    expect((await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(user))).status).toBe(200);
    return user;
  };
  const direct = (actor: TestUser, ids: string[]) => h.http().post('/api/v4/channels/direct').set(...bearer(actor)).send(ids);
  const group = (actor: TestUser, ids: string[]) => h.http().post('/api/v4/channels/group').set(...bearer(actor)).send(ids);
  const post = (actor: TestUser, channelId: string, message: string) =>
    h.http().post('/api/v4/posts').set(...bearer(actor)).send({ channel_id: channelId, message });

  it('opens one direct channel for two people, whoever asks first, and both can post and read it', async () => {
    const team = newTeamId();
    const alice = await seen(team);
    const bob = await seen(team);
    const first = await direct(alice, [alice.id, bob.id]);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ type: 'D', team_id: '', name: [alice.id, bob.id].sort().join('__') });
    const again = await direct(bob, [bob.id, alice.id]);
    expect(again.body.id).toBe(first.body.id);
    expect((await post(bob, first.body.id, 'hi alice')).status).toBe(201);
    const list = await h.http().get(`/api/v4/channels/${first.body.id}/posts`).set(...bearer(alice));
    expect(Object.values(list.body.posts as Record<string, { message: string }>).map((p) => p.message)).toEqual(['hi alice']);
    const mine = await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(alice));
    expect(mine.body.map((c: { id: string }) => c.id)).toContain(first.body.id);
  });

  it('ends with one direct channel when both people open it at the same moment', async () => {
    const team = newTeamId();
    const [alice, bob] = [await seen(team), await seen(team)];
    const answers = await Promise.all([direct(alice, [alice.id, bob.id]), direct(bob, [bob.id, alice.id]), direct(alice, [bob.id, alice.id])]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.id as string)).size).toBe(1);
    const members = await h.http().get(`/api/v4/channels/${answers[0]!.body.id}/members`).set(...bearer(alice));
    expect(members.body.map((m: { user_id: string }) => m.user_id).sort()).toEqual([alice.id, bob.id].sort());
  });

  it('keeps a direct channel closed to everyone else: get, posts, members and joining are refused', async () => {
    const team = newTeamId();
    const [alice, bob, eve] = [await seen(team), await seen(team), await seen(team)];
    const dm = (await direct(alice, [alice.id, bob.id])).body as { id: string };
    expect((await h.http().get(`/api/v4/channels/${dm.id}`).set(...bearer(eve))).status).toBe(403);
    expect((await h.http().get(`/api/v4/channels/${dm.id}/posts`).set(...bearer(eve))).status).toBe(403);
    expect((await post(eve, dm.id, 'let me in')).status).toBe(403);
    expect((await h.http().post(`/api/v4/channels/${dm.id}/members`).set(...bearer(eve)).send({ user_id: eve.id })).status).toBe(400);
    expect((await h.http().post(`/api/v4/channels/${dm.id}/members`).set(...bearer(alice)).send({ user_id: eve.id })).status).toBe(400);
  });

  it('refuses a direct channel the caller is not part of, with an unknown or deactivated user, or with a bad body', async () => {
    const team = newTeamId();
    const [alice, bob, carol] = [await seen(team), await seen(team), await seen(team)];
    expect((await direct(alice, [bob.id, carol.id])).status).toBe(403);
    const unknown = await direct(alice, [alice.id, 'never-seen-user']);
    expect(unknown.status).toBe(404);
    expect(unknown.body.id).toBe('app.user.missing_account.const');
    await h.http().post('/provision/v1/events').set(...bearer(await h.issuer.mintProvision()))
      .send({ events: [{ type: 'user.deactivated', user_id: carol.id }] }).expect(200);
    expect((await direct(alice, [alice.id, carol.id])).status).toBe(404);
    expect((await direct(alice, [alice.id])).status).toBe(400);
    expect((await h.http().post('/api/v4/channels/direct').set(...bearer(alice)).send({ a: 1 })).status).toBe(400);
  });

  it('lets a guest open a direct channel only with someone they already share a channel with', async () => {
    const team = newTeamId();
    const alice = await seen(team);
    const stranger = await seen(team);
    const guest = await seen(team, { guest: true, roles: ['system_guest'], teams: { [team]: ['team_guest'] } });
    const shared = await h.http().post('/api/v4/channels').set(...bearer(alice)).send({ team_id: team, name: 'guests-here', display_name: 'G', type: 'P' });
    expect((await h.http().post(`/api/v4/channels/${shared.body.id}/members`).set(...bearer(alice)).send({ user_id: guest.id })).status).toBe(201);
    expect((await direct(guest, [guest.id, alice.id])).status).toBe(201);
    const refused = await direct(guest, [guest.id, stranger.id]);
    expect(refused.status).toBe(403);
    // Nor may anyone pull the guest into a conversation with a stranger.
    expect((await direct(stranger, [stranger.id, guest.id])).status).toBe(403);
    expect((await group(alice, [alice.id, stranger.id, guest.id])).status).toBe(403);
    const channels = await h.http().get(`/api/v4/users/me/channels`).set(...bearer(stranger));
    expect(channels.body.filter((c: { type: string }) => c.type === 'D')).toEqual([]);
  });

  it('opens a group channel for three to eight people, adding the caller, named by its members', async () => {
    const team = newTeamId();
    const people = [await seen(team), await seen(team), await seen(team)];
    const [a, b, c] = people as [TestUser, TestUser, TestUser];
    const created = await group(a, [b.id, c.id]);
    expect(created.status).toBe(201);
    expect(created.body.type).toBe('G');
    expect(created.body.display_name).toBe(people.map((p) => p.claims.username as string).sort().join(', '));
    expect((await group(c, [a.id, b.id, c.id])).body.id).toBe(created.body.id);
    const members = await h.http().get(`/api/v4/channels/${created.body.id}/members`).set(...bearer(b));
    expect(members.body.map((m: { user_id: string }) => m.user_id).sort()).toEqual([a.id, b.id, c.id].sort());
    expect((await group(a, [b.id])).status).toBe(400);
    const nine = [a.id, ...Array.from({ length: 8 }, (_, i) => `someone-${i}`)];
    expect((await group(a, nine)).status).toBe(400);
  });

  it('counts every direct message as a mention for the other person, and clears it on view', async () => {
    const team = newTeamId();
    const [alice, bob] = [await seen(team), await seen(team)];
    const dm = (await direct(alice, [alice.id, bob.id])).body as { id: string };
    await post(alice, dm.id, 'one');
    await post(alice, dm.id, 'two');
    const unread = await h.http().get(`/api/v4/users/me/channels/${dm.id}/unread`).set(...bearer(bob));
    expect(unread.body).toMatchObject({ channel_id: dm.id, msg_count: 2, mention_count: 2 });
    const viewed = await h.http().post('/api/v4/channels/members/me/view').set(...bearer(bob)).send({ channel_id: dm.id, prev_channel_id: '' });
    expect(viewed.status).toBe(200);
    expect(viewed.body.last_viewed_at_times[dm.id]).toBe(h.clock.now());
    const after = await h.http().get(`/api/v4/users/me/channels/${dm.id}/unread`).set(...bearer(bob));
    expect(after.body).toMatchObject({ msg_count: 0, mention_count: 0 });
  });
});
