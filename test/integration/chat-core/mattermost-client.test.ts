/**
 * @mattermost/client, unmodified, against chat-core: it parses JSON only when Content-Type is
 * exactly application/json and sends `Authorization: BEARER <token>` (STACK.md "Pitfalls").
 */
import mm from '@mattermost/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, memberOf, newTeamId, startHarness, type ChatCoreHarness } from './harness.js';

const { Client4 } = mm;

describe.each(DIALECTS)('@mattermost/client against chat-core on %s', (dialect) => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => { await h.close(); });

  it('creates a channel, posts, reads the posts back and sees errors as parsed objects', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const client = new Client4();
    client.setUrl(h.url);
    client.setToken(alice.token);
    const channel = await client.createChannel({ team_id: team, name: 'client-test', display_name: 'Client test', type: 'O' } as never);
    expect(channel).toMatchObject({ name: 'client-test', team_id: team });
    const post = await client.createPost({ channel_id: channel.id, message: 'from Client4' } as never);
    expect(post.message).toBe('from Client4');
    const list = await client.getPosts(channel.id, 0, 30);
    expect(list.order).toEqual([post.id]);
    expect(list.posts[post.id]?.message).toBe('from Client4');
    expect((await client.getMyChannels(team)).map((c) => c.id)).toEqual([channel.id]);
    const patched = await client.patchPost({ id: post.id, message: 'edited' });
    expect(patched.message).toBe('edited');
    await expect(client.getChannel('aaaaaaaaaaaaaaaaaaaaaaaaaa')).rejects.toMatchObject({ status_code: 404, server_error_id: 'app.channel.get.existing.app_error' });
  });
});
