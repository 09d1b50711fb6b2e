import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';

describe.each(DIALECTS)('chat-core post lists on %s', (dialect) => {
  let h: ChatCoreHarness;
  let owner: TestUser;
  let channelId: string;
  /** p[0] is the oldest post, p[4] the newest. */
  const p: string[] = [];
  beforeAll(async () => {
    h = await startHarness(dialect);
    const team = newTeamId();
    owner = await h.user({ teams: memberOf(team) });
    channelId = (await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name: 'list', display_name: 'List', type: 'O' })).body.id;
    for (let i = 0; i < 5; i += 1) {
      h.clock.advance(10);
      p.push((await h.http().post('/api/v4/posts').set(...bearer(owner)).send({ channel_id: channelId, message: `m${i}` })).body.id);
    }
  });
  afterAll(async () => { await h.close(); });

  const list = async (query: string) => {
    const res = await h.http().get(`/api/v4/channels/${channelId}/posts?${query}`).set(...bearer(owner));
    expect(res.status).toBe(200);
    return res.body as { order: string[]; posts: Record<string, { message: string }>; next_post_id: string; prev_post_id: string; has_next: boolean };
  };

  it('pages from the newest post, newest first', async () => {
    const first = await list('per_page=2');
    expect(first).toMatchObject({ order: [p[4], p[3]], prev_post_id: p[2], next_post_id: '', has_next: true });
    expect(first.posts[p[4]!]?.message).toBe('m4');
    const last = await list('page=2&per_page=2');
    expect(last).toMatchObject({ order: [p[0]], prev_post_id: '', next_post_id: p[1], has_next: false });
  });

  it('pages back in time from a "before" post', async () => {
    expect(await list(`before=${p[3]}&per_page=2`)).toMatchObject({ order: [p[2], p[1]], next_post_id: p[3], prev_post_id: p[0], has_next: true });
    expect(await list(`before=${p[3]}&per_page=2&page=1`)).toMatchObject({ order: [p[0]], next_post_id: p[1], prev_post_id: '', has_next: false });
  });

  it('pages forward in time from an "after" post, still newest first', async () => {
    expect(await list(`after=${p[1]}&per_page=2`)).toMatchObject({ order: [p[3], p[2]], prev_post_id: p[1], next_post_id: p[4], has_next: true });
    expect(await list(`after=${p[3]}&per_page=2`)).toMatchObject({ order: [p[4]], next_post_id: '', has_next: false });
  });

  it('refuses a cursor that is not a post of this channel', async () => {
    const res = await h.http().get(`/api/v4/channels/${channelId}/posts?before=aaaaaaaaaaaaaaaaaaaaaaaaaa`).set(...bearer(owner));
    expect(res.status).toBe(400);
    expect(res.body.id).toBe('api.context.invalid_url_param.app_error');
  });

  it('sends the root of a listed reply in posts without putting it in order', async () => {
    h.clock.advance(10);
    const reply = (await h.http().post('/api/v4/posts').set(...bearer(owner)).send({ channel_id: channelId, message: 'late reply', root_id: p[0] })).body;
    const page = await list('per_page=1');
    expect(page.order).toEqual([reply.id]);
    expect(Object.keys(page.posts).sort()).toEqual([reply.id, p[0]].sort());
    expect(page.posts[p[0]!]).toMatchObject({ message: 'm0', reply_count: 1 });
  });
});
