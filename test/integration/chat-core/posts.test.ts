import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';

describe.each(DIALECTS)('chat-core posts on %s', (dialect) => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness(dialect, { maxPostLength: 20 }); });
  afterAll(async () => { await h.close(); });

  /** A team, its owner and a channel the owner created. */
  const setup = async (type: 'O' | 'P' = 'O') => {
    const team = newTeamId();
    const owner = await h.user({ teams: memberOf(team) });
    const res = await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name: 'room', display_name: 'Room', type });
    return { team, owner, channel: res.body as { id: string } };
  };
  const post = (user: TestUser, body: Record<string, unknown>) => {
    h.clock.advance(1);
    return h.http().post('/api/v4/posts').set(...bearer(user)).send(body);
  };
  const joined = async (team: string, channelId: string, claims: Record<string, unknown> = {}) => {
    const user = await h.user({ teams: memberOf(team), ...claims });
    expect((await h.http().post(`/api/v4/channels/${channelId}/members`).set(...bearer(user)).send({ user_id: user.id })).status).toBe(201);
    return user;
  };

  it('creates a post in the Mattermost shape and counts it on the channel', async () => {
    const { owner, channel } = await setup();
    const res = await post(owner, { channel_id: channel.id, message: 'hello', props: { from_bot: 'no' }, pending_post_id: 'p1' });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toMatchObject({
      channel_id: channel.id, user_id: owner.id, root_id: '', original_id: '', message: 'hello', type: '', props: { from_bot: 'no' },
      hashtags: '', pending_post_id: 'p1', reply_count: 0, is_pinned: false, edit_at: 0, delete_at: 0, metadata: {},
    });
    expect(res.body.create_at).toBe(h.clock.now());
    const after = await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(owner));
    expect(after.body).toMatchObject({ total_msg_count: 1, last_post_at: h.clock.now() });
  });

  it('refuses a post from a team member who has not joined the channel', async () => {
    const { team, channel } = await setup();
    const bob = await h.user({ teams: memberOf(team) });
    expect((await post(bob, { channel_id: channel.id, message: 'hi' })).status).toBe(403);
  });

  it('counts the length in characters and refuses anything past maxPostLength', async () => {
    const { owner, channel } = await setup();
    expect((await post(owner, { channel_id: channel.id, message: '😀'.repeat(20) })).status).toBe(201);
    const long = await post(owner, { channel_id: channel.id, message: 'x'.repeat(21) });
    expect(long.status).toBe(400);
    expect(long.body.id).toBe('model.post.is_valid.msg.app_error');
  });

  it('refuses a reply whose root is missing, in another channel, or itself a reply', async () => {
    const { owner, channel } = await setup();
    const other = await setup();
    const root = (await post(owner, { channel_id: channel.id, message: 'root' })).body;
    const reply = await post(owner, { channel_id: channel.id, message: 'reply', root_id: root.id });
    expect(reply.status).toBe(201);
    const foreignRoot = (await post(other.owner, { channel_id: other.channel.id, message: 'x' })).body;
    for (const root_id of ['aaaaaaaaaaaaaaaaaaaaaaaaaa', foreignRoot.id, reply.body.id]) {
      const res = await post(owner, { channel_id: channel.id, message: 'bad', root_id });
      expect(res.status).toBe(400);
      expect(res.body.id).toBe('api.post.create_post.root_id.app_error');
    }
    expect((await h.http().get(`/api/v4/posts/${root.id}`).set(...bearer(owner))).body.reply_count).toBe(1);
  });

  it('refuses malformed bodies with 400 and a stable id, never a 500', async () => {
    const { owner, channel } = await setup();
    const broken = await h.http().post('/api/v4/posts').set(...bearer(owner)).set('Content-Type', 'application/json').send('{"channel_id":');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ id: 'api.context.invalid_body_param.app_error', status_code: 400, detailed_error: '' });
    expect(broken.text).not.toMatch(/at .*\.ts/);
    for (const body of [[], { channel_id: channel.id }, { channel_id: channel.id, message: 'x', props: 'str' }, { channel_id: 'x', message: 'x' },
      { channel_id: channel.id, message: 'x', type: 'system_join_channel' }, { channel_id: channel.id, message: 'nul\u0000byte' }]) {
      const res = await post(owner, body as Record<string, unknown>);
      expect(res.status).toBe(400);
      expect(typeof res.body.id).toBe('string');
    }
  });

  it('stores a custom post type up to the column\'s width and refuses a longer one', async () => {
    const { owner, channel } = await setup();
    const longest = `custom_${'a'.repeat(57)}`;
    expect((await post(owner, { channel_id: channel.id, message: 'x', type: longest })).body.type).toBe(longest);
    expect((await post(owner, { channel_id: channel.id, message: 'x', type: `${longest}a` })).status).toBe(400);
  });

  it('answers an unknown /api/v4 route with api.context.404.app_error', async () => {
    const { owner } = await setup();
    const res = await h.http().get('/api/v4/posts/aaaaaaaaaaaaaaaaaaaaaaaaaa/nothing-here').set(...bearer(owner));
    expect(res.status).toBe(404);
    expect(res.body.id).toBe('api.context.404.app_error');
    expect(res.headers['x-request-id']).toBe(res.body.request_id);
  });

  it('lets the author edit with PUT and patch, and marks the edit', async () => {
    const { owner, channel } = await setup();
    const created = (await post(owner, { channel_id: channel.id, message: 'first' })).body;
    h.clock.advance(5);
    const put = await h.http().put(`/api/v4/posts/${created.id}`).set(...bearer(owner)).send({ id: created.id, message: 'second' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ message: 'second', edit_at: h.clock.now(), update_at: h.clock.now() });
    const patch = await h.http().put(`/api/v4/posts/${created.id}/patch`).set(...bearer(owner)).send({ is_pinned: true });
    expect(patch.body).toMatchObject({ message: 'second', is_pinned: true });
    const mismatch = await h.http().put(`/api/v4/posts/${created.id}`).set(...bearer(owner)).send({ id: channel.id, message: 'x' });
    expect(mismatch.status).toBe(400);
  });

  it('refuses editing or deleting someone else\'s post, unless a team admin does it', async () => {
    const { team, owner, channel } = await setup();
    const bob = await joined(team, channel.id);
    const mine = (await post(owner, { channel_id: channel.id, message: 'mine' })).body;
    expect((await h.http().put(`/api/v4/posts/${mine.id}/patch`).set(...bearer(bob)).send({ message: 'hacked' })).status).toBe(403);
    expect((await h.http().delete(`/api/v4/posts/${mine.id}`).set(...bearer(bob))).status).toBe(403);
    expect((await h.http().get(`/api/v4/posts/${mine.id}`).set(...bearer(owner))).body.message).toBe('mine');
    const admin = await joined(team, channel.id, { teams: { [team]: ['team_user', 'team_admin'] } });
    expect((await h.http().put(`/api/v4/posts/${mine.id}/patch`).set(...bearer(admin)).send({ message: 'moderated' })).body.message).toBe('moderated');
    expect((await h.http().delete(`/api/v4/posts/${mine.id}`).set(...bearer(admin))).status).toBe(200);
  });

  it('soft-deletes a thread: gone from reads, kept as an empty tombstone for "since"', async () => {
    const { owner, channel } = await setup();
    const since = h.clock.now();
    const root = (await post(owner, { channel_id: channel.id, message: 'root' })).body;
    const reply = (await post(owner, { channel_id: channel.id, message: 'reply', root_id: root.id })).body;
    const del = await h.http().delete(`/api/v4/posts/${root.id}`).set(...bearer(owner));
    expect(del.body).toEqual({ status: 'OK' });
    expect((await h.http().get(`/api/v4/posts/${root.id}`).set(...bearer(owner))).status).toBe(404);
    expect((await h.http().get(`/api/v4/posts/${reply.id}`).set(...bearer(owner))).status).toBe(404);
    expect((await h.http().get(`/api/v4/channels/${channel.id}/posts`).set(...bearer(owner))).body.order).toEqual([]);
    const changed = await h.http().get(`/api/v4/channels/${channel.id}/posts?since=${since}`).set(...bearer(owner));
    expect(changed.body.order.sort()).toEqual([root.id, reply.id].sort());
    expect(changed.body.posts[root.id]).toMatchObject({ message: '', props: {} });
    expect(changed.body.posts[root.id].delete_at).toBeGreaterThan(0);
  });

  it('lets a public channel be read by a team member who has not joined, but not by another team', async () => {
    const { team, owner, channel } = await setup('O');
    const created = (await post(owner, { channel_id: channel.id, message: 'visible' })).body;
    const reader = await h.user({ teams: memberOf(team) });
    expect((await h.http().get(`/api/v4/posts/${created.id}`).set(...bearer(reader))).body.message).toBe('visible');
    const stranger = await h.user({ teams: memberOf(newTeamId()) });
    const refused = await h.http().get(`/api/v4/posts/${created.id}`).set(...bearer(stranger));
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('visible');
  });
});

describe('chat-core request edge cases', () => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness('sqlite'); });
  afterAll(async () => { await h.close(); });

  it('answers a malformed percent-encoding, an oversized body and a non-JSON body with 4xx JSON', async () => {
    const user = await h.user({ teams: memberOf(newTeamId()) });
    const badPath = await h.http().get('/api/v4/channels/%E0%A4%A').set(...bearer(user));
    expect(badPath.status).toBe(400);
    expect(badPath.headers['content-type']).toBe('application/json');
    const huge = await h.http().post('/api/v4/posts').set(...bearer(user)).send({ message: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.id).toBe('api.context.request_body_too_large.app_error');
    const deep = `{"channel_id":"aaaaaaaaaaaaaaaaaaaaaaaaaa","message":"x","props":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
    const nested = await h.http().post('/api/v4/posts').set(...bearer(user)).set('Content-Type', 'application/json').send(deep);
    expect(nested.status).toBe(400);
    expect(nested.body.id).toBe('model.post.is_valid.props.app_error');
    const form = await h.http().post('/api/v4/posts').set(...bearer(user)).type('form').send('channel_id=x&message=y');
    expect(form.status).toBe(400);
  });

  it('does not parse the body of a request it refuses to authenticate', async () => {
    const res = await h.http().post('/api/v4/posts').set('Content-Type', 'application/json').send('{broken');
    expect(res.status).toBe(401);
  });
});
