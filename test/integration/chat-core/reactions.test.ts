/**
 * Reactions over HTTP and the websocket, on both dialects. chat-core runs on a store the test can
 * also open (a SQLite file or a PostgreSQL database), so the test can set channel moderation and
 * archive a channel the way their own routes will write them, and check what was (not) written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startStoredHarness, type StoredHarness, type TestUser } from './harness.js';
import { connect, type TestSocket } from './ws-client.js';

describe.each(DIALECTS)('chat-core reactions on %s', (dialect) => {
  let h: StoredHarness;
  const sockets: TestSocket[] = [];
  beforeAll(async () => { h = await startStoredHarness(dialect); });
  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await h.close();
  });

  /** A team, alice (who created the channel, so its admin), bob (a plain member) and a post by alice. */
  const setup = async (type: 'O' | 'P' = 'O') => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const bob = await h.user({ teams: memberOf(team) });
    const channel = (await h.http().post('/api/v4/channels').set(...bearer(alice)).send({ team_id: team, name: 'room', display_name: 'Room', type })).body as { id: string };
    await h.http().get('/api/v4/emoji').set(...bearer(bob));
    expect((await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(alice)).send({ user_id: bob.id })).status).toBe(201);
    h.clock.advance(1);
    const post = (await h.http().post('/api/v4/posts').set(...bearer(alice)).send({ channel_id: channel.id, message: 'react to me' })).body as { id: string; update_at: number };
    return { team, alice, bob, channel, post };
  };
  const react = (user: TestUser, postId: string, emoji_name: string, user_id = user.id) => {
    h.clock.advance(1);
    return h.http().post('/api/v4/reactions').set(...bearer(user)).send({ user_id, post_id: postId, emoji_name });
  };
  const unreact = (user: TestUser, postId: string, emojiName: string, userId = user.id) => {
    h.clock.advance(1);
    return h.http().delete(`/api/v4/users/${userId}/posts/${postId}/reactions/${encodeURIComponent(emojiName)}`).set(...bearer(user));
  };
  const getPost = async (user: TestUser, postId: string) => (await h.http().get(`/api/v4/posts/${postId}`).set(...bearer(user))).body;
  const storedReactions = (postId: string) => h.db.selectFrom('reactions').selectAll().where('post_id', '=', postId).execute();
  const moderate = (channelId: string, moderations: unknown) =>
    h.db.updateTable('channels').set({ moderations: JSON.stringify(moderations) }).where('id', '=', channelId).execute();
  const open = async (user: TestUser) => {
    const socket = await connect(h.url, user.token);
    sockets.push(socket);
    await socket.next((m) => m.event === 'hello');
    return socket;
  };

  it('adds, lists and removes reactions between two members, keeping has_reactions and update_at right', async () => {
    const { alice, bob, channel, post } = await setup();
    expect((await getPost(alice, post.id)).has_reactions).toBe(false);

    const added = await react(bob, post.id, '+1');
    expect(added.status).toBe(200);
    expect(added.headers['content-type']).toBe('application/json');
    expect(added.body).toEqual({
      user_id: bob.id, post_id: post.id, emoji_name: '+1', create_at: h.clock.now(), update_at: h.clock.now(), delete_at: 0,
      remote_id: '', channel_id: channel.id,
    });
    const flagged = await getPost(alice, post.id);
    expect(flagged).toMatchObject({ has_reactions: true, update_at: h.clock.now() });
    expect(flagged.metadata.reactions).toEqual([added.body]);

    await react(alice, post.id, '+1');
    await react(alice, post.id, 'party_parrot');
    const listed = await h.http().get(`/api/v4/posts/${post.id}/reactions`).set(...bearer(bob));
    expect(listed.body.map((r: { user_id: string; emoji_name: string }) => [r.user_id, r.emoji_name]))
      .toEqual([[bob.id, '+1'], [alice.id, '+1'], [alice.id, 'party_parrot']]);

    expect((await unreact(bob, post.id, '+1')).body).toEqual({ status: 'OK' });
    expect(await getPost(bob, post.id)).toMatchObject({ has_reactions: true, update_at: h.clock.now() });
    expect((await unreact(alice, post.id, '+1')).status).toBe(200);
    expect((await h.http().delete(`/api/v4/users/me/posts/${post.id}/reactions/party_parrot`).set(...bearer(alice))).status).toBe(200);

    const cleared = await getPost(alice, post.id);
    expect(cleared).toMatchObject({ has_reactions: false, metadata: {} });
    expect(cleared.metadata.reactions).toBeUndefined();
    expect(await storedReactions(post.id)).toEqual([]);
    expect((await h.http().get(`/api/v4/posts/${post.id}/reactions`).set(...bearer(bob))).body).toEqual([]);
  });

  it('answers a repeated reaction with the first one and changes nothing', async () => {
    const { bob, post } = await setup();
    const first = await react(bob, post.id, 'eyes');
    const postAfterFirst = await getPost(bob, post.id);
    const second = await react(bob, post.id, 'eyes');
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await storedReactions(post.id)).toHaveLength(1);
    expect((await getPost(bob, post.id)).update_at).toBe(postAfterFirst.update_at);
    // Removing one that is not there is not an error either, and does not touch the post.
    expect((await unreact(bob, post.id, 'tada')).status).toBe(200);
    expect((await getPost(bob, post.id)).update_at).toBe(postAfterFirst.update_at);
  });

  it('answers the reactions of many posts at once, with [] for a post without any', async () => {
    const { alice, bob, channel, post } = await setup();
    const quiet = (await h.http().post('/api/v4/posts').set(...bearer(alice)).send({ channel_id: channel.id, message: 'quiet' })).body;
    await react(bob, post.id, 'heart');
    const bulk = await h.http().post('/api/v4/posts/ids/reactions').set(...bearer(alice)).send([post.id, quiet.id, post.id]);
    expect(bulk.status).toBe(200);
    expect(Object.keys(bulk.body).sort()).toEqual([post.id, quiet.id].sort());
    expect(bulk.body[quiet.id]).toEqual([]);
    expect(bulk.body[post.id]).toMatchObject([{ user_id: bob.id, emoji_name: 'heart' }]);

    const notArray = await h.http().post('/api/v4/posts/ids/reactions').set(...bearer(alice)).send({ ids: [post.id] });
    expect(notArray.status).toBe(400);
    expect(notArray.body.id).toBe('api.payload.parse.error');
    const tooMany = Array.from({ length: 201 }, (_, i) => `${'a'.repeat(23)}${String(i).padStart(3, '0')}`);
    expect((await h.http().post('/api/v4/posts/ids/reactions').set(...bearer(alice)).send(tooMany)).status).toBe(400);

    const other = await setup('P');
    const refused = await h.http().post('/api/v4/posts/ids/reactions').set(...bearer(alice)).send([post.id, other.post.id]);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('heart');
  });

  it('tells connected channel members about reactions, and nobody else', async () => {
    const { team, alice, bob, channel, post } = await setup();
    const carol = await h.user({ teams: memberOf(team) });
    const [aliceWs, carolWs] = [await open(alice), await open(carol)];
    const added = await react(bob, post.id, 'rocket');
    const event = await aliceWs.next((m) => m.event === 'reaction_added');
    expect(event.broadcast).toMatchObject({ channel_id: channel.id });
    expect(JSON.parse(event.data!.reaction as string)).toEqual(added.body);

    await unreact(bob, post.id, 'rocket');
    const removed = await aliceWs.next((m) => m.event === 'reaction_removed');
    expect(JSON.parse(removed.data!.reaction as string)).toMatchObject({ user_id: bob.id, post_id: post.id, emoji_name: 'rocket', delete_at: h.clock.now() });

    // alice got both in the channel's fan-out, after which a round trip proves carol got neither.
    const seenByCarol = await carolWs.pingRoundTrip(3);
    expect(seenByCarol.concat(carolWs.received).some((m) => m.event === 'reaction_added' || m.event === 'reaction_removed')).toBe(false);
  });

  it('refuses reacting as someone else, or in a channel you may not react in', async () => {
    const { team, alice, bob, post } = await setup();
    const forged = await react(bob, post.id, '+1', alice.id);
    expect(forged.status).toBe(403);
    expect(forged.body.id).toBe('api.reaction.save_reaction.user_id.app_error');

    const secret = await setup('P');
    const outsider = await h.user({ teams: memberOf(secret.team) });
    const privateRefused = await react(outsider, secret.post.id, '+1');
    expect(privateRefused.status).toBe(403);
    expect(privateRefused.body.id).toBe('api.context.permissions.app_error');
    // A team member who has not joined a public channel may read it, not react in it.
    const reader = await h.user({ teams: memberOf(team) });
    expect((await react(reader, post.id, '+1')).status).toBe(403);
    expect(await storedReactions(post.id)).toEqual([]);
    expect(await storedReactions(secret.post.id)).toEqual([]);
  });

  it('refuses members when create_reactions is moderated off for them, but not the channel admin', async () => {
    const { alice, bob, channel, post } = await setup();
    expect((await react(bob, post.id, 'wave')).status).toBe(200);
    await moderate(channel.id, { create_reactions: { members: false } });
    const added = await react(bob, post.id, '+1');
    expect(added.status).toBe(403);
    expect(added.body.id).toBe('api.context.permissions.app_error');
    expect((await unreact(bob, post.id, 'wave')).status).toBe(403);
    expect((await storedReactions(post.id)).map((r) => [r.user_id, r.emoji_name])).toEqual([[bob.id, 'wave']]);
    expect((await react(alice, post.id, '+1')).status).toBe(200);
  });

  it('refuses a guest when create_reactions is moderated off for guests, while members still react', async () => {
    const { team, alice, bob, channel, post } = await setup('P');
    const guest = await h.user({ guest: true, roles: ['system_guest'], teams: { [team]: ['team_guest'] } });
    await h.http().get('/api/v4/emoji').set(...bearer(guest));
    expect((await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(alice)).send({ user_id: guest.id })).status).toBe(201);
    expect((await react(guest, post.id, 'smile')).status).toBe(200);

    await moderate(channel.id, { create_reactions: { guests: false } });
    const refused = await react(guest, post.id, 'heart');
    expect(refused.status).toBe(403);
    expect((await unreact(guest, post.id, 'smile')).status).toBe(403);
    expect((await react(bob, post.id, 'heart')).status).toBe(200);
    expect((await storedReactions(post.id)).map((r) => r.user_id).sort()).toEqual([guest.id, bob.id].sort());
  });

  it('refuses changes in an archived channel and on a deleted post', async () => {
    const { bob, channel, post } = await setup();
    expect((await react(bob, post.id, 'wave')).status).toBe(200);
    await h.db.updateTable('channels').set({ delete_at: h.clock.now() }).where('id', '=', channel.id).execute();
    const added = await react(bob, post.id, '+1');
    expect(added.status).toBe(403);
    expect(added.body.id).toBe('api.reaction.save.archived_channel.app_error');
    const removed = await unreact(bob, post.id, 'wave');
    expect(removed.status).toBe(403);
    expect(removed.body.id).toBe('api.reaction.delete.archived_channel.app_error');
    expect(await storedReactions(post.id)).toHaveLength(1);

    const live = await setup();
    expect((await h.http().delete(`/api/v4/posts/${live.post.id}`).set(...bearer(live.alice))).status).toBe(200);
    const onDeleted = await react(live.bob, live.post.id, '+1');
    expect(onDeleted.status).toBe(404);
    expect(onDeleted.body.id).toBe('app.post.get.app_error');
    expect(await storedReactions(live.post.id)).toEqual([]);
  });

  it('refuses removing someone else\'s reaction', async () => {
    const { alice, bob, post } = await setup();
    expect((await react(bob, post.id, '+1')).status).toBe(200);
    const refused = await unreact(alice, post.id, '+1', bob.id);
    expect(refused.status).toBe(403);
    expect(await storedReactions(post.id)).toHaveLength(1);
  });

  it('refuses malformed reactions with stable ids and writes nothing', async () => {
    const { bob, post } = await setup();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ user_id: bob.id, post_id: post.id, emoji_name: 'not valid' }, 'model.reaction.is_valid.emoji_name.app_error'],
      [{ user_id: bob.id, post_id: post.id, emoji_name: '<img>' }, 'model.reaction.is_valid.emoji_name.app_error'],
      [{ user_id: bob.id, post_id: post.id, emoji_name: 'x'.repeat(65) }, 'api.reaction.save_reaction.invalid.app_error'],
      [{ user_id: bob.id, post_id: post.id, emoji_name: '' }, 'api.reaction.save_reaction.invalid.app_error'],
      [{ user_id: bob.id, post_id: 'nope', emoji_name: 'smile' }, 'api.reaction.save_reaction.invalid.app_error'],
      [{ user_id: bob.id, post_id: post.id, emoji_name: 7 }, 'api.reaction.save_reaction.invalid.app_error'],
    ];
    for (const [body, id] of cases) {
      const res = await h.http().post('/api/v4/reactions').set(...bearer(bob)).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.id).toBe(id);
    }
    const array = await h.http().post('/api/v4/reactions').set(...bearer(bob)).send([]);
    expect(array.body.id).toBe('api.context.invalid_body_param.app_error');
    const badParam = await h.http().delete(`/api/v4/users/${bob.id}/posts/${post.id}/reactions/bad%20name`).set(...bearer(bob));
    expect(badParam.status).toBe(400);
    expect(badParam.body.id).toBe('api.context.invalid_url_param.app_error');
    expect(await storedReactions(post.id)).toEqual([]);
  });

  it('caps a post at 50 different emoji, while more people may still use one already there', async () => {
    const { alice, bob, post } = await setup();
    for (let i = 0; i < 50; i += 1) expect((await react(alice, post.id, `e${i}`)).status).toBe(200);
    const over = await react(alice, post.id, 'one_more');
    expect(over.status).toBe(400);
    expect(over.body.id).toBe('app.reaction.save.save.too_many_reactions');
    expect((await react(bob, post.id, 'e7')).status).toBe(200);
    expect(await storedReactions(post.id)).toHaveLength(51);
  });

  it('holds the 50-emoji cap when many different reactions arrive at once', async () => {
    const { alice, post } = await setup();
    const answers = await Promise.all(Array.from({ length: 56 }, (_, i) =>
      h.http().post('/api/v4/reactions').set(...bearer(alice)).send({ user_id: alice.id, post_id: post.id, emoji_name: `burst${i}` })));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(50);
    expect(answers.filter((res) => res.status !== 200).map((res) => res.body.id)).toEqual(Array(6).fill('app.reaction.save.save.too_many_reactions'));
    expect(await storedReactions(post.id)).toHaveLength(50);
    expect((await getPost(alice, post.id)).has_reactions).toBe(true);
  });
});
