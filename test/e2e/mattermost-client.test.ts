/**
 * An unmodified @mattermost/client against a gateway + chat-core started by the test.
 */
import mm from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, BACKENDS, startHarness, type Harness } from '../support/gateway-harness.js';

const { Client4 } = mm;

describe.each(BACKENDS)('@mattermost/client scenario (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(backend); });
  afterAll(async () => { await h?.close(); });

  it('logs in, reads itself, creates a team, a channel and a post, reads posts, logs out, and is then refused', async () => {
    const client = new Client4();
    client.setUrl(h.url);
    const user = await client.login(ADMIN.username, ADMIN.password);
    expect(user.username).toBe(ADMIN.username);
    expect(client.getToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const me = await client.getMe();
    expect(me.id).toBe(user.id);
    expect(me.roles).toContain('system_admin');

    const team = await client.createTeam({ name: `eng-${backend}`, display_name: 'Engineering', type: 'O' } as Team);
    expect(team.name).toBe(`eng-${backend}`);
    expect((await client.getMyTeams()).map((t) => t.id)).toContain(team.id);

    const channel = await client.createChannel({ team_id: team.id, name: 'town-talk', display_name: 'Town Talk', type: 'O' } as Channel);
    expect(channel.team_id).toBe(team.id);

    const post = await client.createPost({ channel_id: channel.id, message: 'hello from Client4' } as Post);
    expect(post.message).toBe('hello from Client4');
    expect(post.user_id).toBe(user.id);

    const posts = await client.getPosts(channel.id);
    expect(posts.order).toContain(post.id);
    expect(posts.posts[post.id]!.message).toBe('hello from Client4');

    await client.logout();
    await expect(client.getMe()).rejects.toMatchObject({ status_code: 401 });
  });

  it('reports a wrong password with the Mattermost error id', async () => {
    const client = new Client4();
    client.setUrl(h.url);
    await expect(client.login(ADMIN.username, 'not it')).rejects.toMatchObject({
      status_code: 401, server_error_id: 'api.user.login.invalid_credentials_email_username',
    });
  });
});
