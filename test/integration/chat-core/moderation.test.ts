import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';

describe.each(DIALECTS)('chat-core channel moderation, archive and roles on %s', (dialect) => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => { await h.close(); });

  interface Room { team: string; owner: TestUser; admin: TestUser; member: TestUser; guest: TestUser; channelId: string }

  /** A public channel with its creator, a team admin, a plain member and a guest, all members. */
  const room = async (type: 'O' | 'P' = 'O'): Promise<Room> => {
    const team = newTeamId();
    const owner = await h.user({ teams: memberOf(team) });
    const admin = await h.user({ teams: { [team]: ['team_user', 'team_admin'] } });
    const member = await h.user({ teams: memberOf(team) });
    const guest = await h.user({ teams: { [team]: ['team_guest'] }, guest: true, roles: ['system_guest'] });
    const created = await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name: 'announcements', display_name: 'Announcements', type });
    for (const user of [admin, member, guest]) {
      expect((await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(user))).status).toBe(200);
      expect((await h.http().post(`/api/v4/channels/${created.body.id}/members`).set(...bearer(owner)).send({ user_id: user.id })).status).toBe(201);
    }
    return { team, owner, admin, member, guest, channelId: created.body.id };
  };
  const post = (actor: TestUser, channelId: string, message: string) =>
    h.http().post('/api/v4/posts').set(...bearer(actor)).send({ channel_id: channelId, message });
  const moderate = (actor: TestUser, channelId: string, patch: object) =>
    h.http().put(`/api/v4/channels/${channelId}/moderations/patch`).set(...bearer(actor)).send(patch);
  const postCount = async (channelId: string, reader: TestUser) =>
    ((await h.http().get(`/api/v4/channels/${channelId}/posts`).set(...bearer(reader))).body.order as string[]).length;

  it('makes a channel read-only for members and guests, while its admins still post', async () => {
    const r = await room();
    const patched = await moderate(r.admin, r.channelId, [{ name: 'create_post', roles: { members: false, guests: false } }]);
    expect(patched.status).toBe(200);
    expect(patched.body.find((m: { name: string }) => m.name === 'create_post').roles).toEqual({
      members: { value: false, enabled: true }, guests: { value: false, enabled: true },
    });
    for (const writer of [r.member, r.guest]) {
      const refused = await post(writer, r.channelId, 'can I?');
      expect(refused.status).toBe(403);
      expect(refused.body.id).toBe('api.context.permissions.app_error');
    }
    expect((await post(r.owner, r.channelId, 'the channel admin can')).status).toBe(201);
    expect((await post(r.admin, r.channelId, 'and the team admin')).status).toBe(201);
    expect(await postCount(r.channelId, r.member)).toBe(2);
    const read = await h.http().get(`/api/v4/channels/${r.channelId}/moderations`).set(...bearer(r.admin));
    expect(read.body.map((m: { name: string }) => m.name)).toEqual(['create_post', 'create_reactions', 'manage_members', 'use_channel_mentions']);
    // Giving it back restores the scheme's answer.
    await moderate(r.admin, r.channelId, [{ name: 'create_post', roles: { members: true } }]);
    expect((await post(r.member, r.channelId, 'back')).status).toBe(201);
    expect((await post(r.guest, r.channelId, 'still muted')).status).toBe(403);
  });

  it('never grants through moderation what the scheme does not, and keeps plain members out of it', async () => {
    const r = await room();
    const list = await moderate(r.admin, r.channelId, [{ name: 'use_channel_mentions', roles: { guests: true } }]);
    expect(list.body.find((m: { name: string }) => m.name === 'use_channel_mentions').roles.guests).toEqual({ value: false, enabled: false });
    expect(list.body.find((m: { name: string }) => m.name === 'manage_members').roles.guests).toBeUndefined();
    const byMember = await moderate(r.member, r.channelId, [{ name: 'create_post', roles: { members: false } }]);
    expect(byMember.status).toBe(403);
    expect((await moderate(r.owner, r.channelId, [{ name: 'create_post', roles: { members: false } }])).status).toBe(403);
    expect((await post(r.member, r.channelId, 'not muted by a plain member')).status).toBe(201);
    for (const bad of [{}, [{ name: 'delete_everything', roles: { members: false } }], [{ name: 'create_post', roles: { members: 'no' } }]]) {
      const res = await moderate(r.admin, r.channelId, bad);
      expect(res.status).toBe(400);
    }
  });

  it('stops members from managing members when manage_members is moderated off', async () => {
    const r = await room();
    const newcomer = await h.user({ teams: memberOf(r.team) });
    await h.http().get(`/api/v4/users/me/teams/${r.team}/channels`).set(...bearer(newcomer));
    await moderate(r.admin, r.channelId, [{ name: 'manage_members', roles: { members: false } }]);
    expect((await h.http().post(`/api/v4/channels/${r.channelId}/members`).set(...bearer(r.member)).send({ user_id: newcomer.id })).status).toBe(403);
    expect((await h.http().delete(`/api/v4/channels/${r.channelId}/members/${r.guest.id}`).set(...bearer(r.member))).status).toBe(403);
    expect((await h.http().post(`/api/v4/channels/${r.channelId}/members`).set(...bearer(r.admin)).send({ user_id: newcomer.id })).status).toBe(201);
  });

  it('does not let @channel notify when channel mentions are moderated off, but @username still does', async () => {
    const r = await room();
    await moderate(r.admin, r.channelId, [{ name: 'use_channel_mentions', roles: { members: false } }]);
    await post(r.member, r.channelId, '@channel lunch?');
    const unread = async (u: TestUser) => (await h.http().get(`/api/v4/users/me/channels/${r.channelId}/unread`).set(...bearer(u))).body;
    expect((await unread(r.owner)).mention_count).toBe(0);
    await post(r.member, r.channelId, `ping @${r.owner.claims.username as string}.`);
    expect((await unread(r.owner)).mention_count).toBe(1);
    await post(r.owner, r.channelId, '@here all hands');
    expect((await unread(r.member)).mention_count).toBe(1);
    expect((await unread(r.owner)).mention_count).toBe(0);
  });

  it('archives a channel: members read it, nobody writes, and a team admin restores it', async () => {
    const r = await room();
    await post(r.member, r.channelId, 'before');
    expect((await h.http().delete(`/api/v4/channels/${r.channelId}`).set(...bearer(r.guest))).status).toBe(403);
    expect((await h.http().delete(`/api/v4/channels/${r.channelId}`).set(...bearer(r.owner))).status).toBe(200);
    expect((await h.http().delete(`/api/v4/channels/${r.channelId}`).set(...bearer(r.owner))).status).toBe(400);
    const got = await h.http().get(`/api/v4/channels/${r.channelId}`).set(...bearer(r.member));
    expect(got.body.delete_at).toBe(h.clock.now());
    expect(await postCount(r.channelId, r.member)).toBe(1);
    expect((await post(r.member, r.channelId, 'after')).status).toBe(403);
    expect((await h.http().post(`/api/v4/channels/${r.channelId}/restore`).set(...bearer(r.owner))).status).toBe(403);
    const restored = await h.http().post(`/api/v4/channels/${r.channelId}/restore`).set(...bearer(r.admin));
    expect(restored.status).toBe(200);
    expect(restored.body.delete_at).toBe(0);
    expect((await post(r.member, r.channelId, 'after restore')).status).toBe(201);
  });

  it('makes a member a channel admin and back, never a guest, and only for those who manage roles', async () => {
    const r = await room('P');
    const roles = (actor: TestUser, userId: string, value: string) =>
      h.http().put(`/api/v4/channels/${r.channelId}/members/${userId}/roles`).set(...bearer(actor)).send({ roles: value });
    expect((await roles(r.member, r.member.id, 'channel_user channel_admin')).status).toBe(403);
    expect((await roles(r.owner, r.member.id, 'channel_user channel_admin')).status).toBe(200);
    const member = await h.http().get(`/api/v4/channels/${r.channelId}/members/${r.member.id}`).set(...bearer(r.owner));
    expect(member.body).toMatchObject({ roles: 'channel_user channel_admin', scheme_admin: true });
    expect((await roles(r.owner, r.guest.id, 'channel_user channel_admin')).status).toBe(400);
    expect((await roles(r.owner, r.member.id, 'system_admin')).status).toBe(400);
    const scheme = await h.http().put(`/api/v4/channels/${r.channelId}/members/${r.member.id}/schemeRoles`).set(...bearer(r.owner))
      .send({ scheme_user: true, scheme_admin: false });
    expect(scheme.status).toBe(200);
    expect((await h.http().get(`/api/v4/channels/${r.channelId}/members/${r.member.id}`).set(...bearer(r.owner))).body.scheme_admin).toBe(false);
  });

  it('answers threads, pins and stats for readers only', async () => {
    const r = await room('P');
    const root = (await post(r.member, r.channelId, 'root')).body as { id: string };
    h.clock.advance(1);
    const reply = await h.http().post('/api/v4/posts').set(...bearer(r.owner)).send({ channel_id: r.channelId, message: 'reply', root_id: root.id });
    const thread = await h.http().get(`/api/v4/posts/${reply.body.id}/thread`).set(...bearer(r.guest));
    expect(thread.body.order).toEqual([reply.body.id, root.id]);
    expect(thread.body.posts[root.id].reply_count).toBe(1);
    expect((await h.http().post(`/api/v4/posts/${root.id}/pin`).set(...bearer(r.member))).status).toBe(200);
    const pinned = await h.http().get(`/api/v4/channels/${r.channelId}/pinned`).set(...bearer(r.owner));
    expect(pinned.body.order).toEqual([root.id]);
    expect(pinned.body.posts[root.id].is_pinned).toBe(true);
    const stats = await h.http().get(`/api/v4/channels/${r.channelId}/stats`).set(...bearer(r.owner));
    expect(stats.body).toMatchObject({ channel_id: r.channelId, member_count: 4, guest_count: 1, pinnedpost_count: 1 });
    const outsider = await h.user({ teams: memberOf(r.team) });
    for (const path of [`/api/v4/posts/${root.id}/thread`, `/api/v4/channels/${r.channelId}/pinned`, `/api/v4/channels/${r.channelId}/stats`]) {
      expect((await h.http().get(path).set(...bearer(outsider))).status).toBe(403);
    }
    expect((await h.http().post(`/api/v4/posts/${root.id}/pin`).set(...bearer(outsider))).status).toBe(403);
  });
});
