/**
 * POST /api/v4/teams/{team_id}/posts/search and /api/v4/posts/search over HTTP: Mattermost's
 * PostSearchResults, the query language end to end, edits and deletes through the API, paging,
 * and the 400s for bad requests.
 */
import mm from '@mattermost/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';

const { Client4 } = mm;
const DAY = 86_400_000;
let serial = 0;
const uniqueName = (base: string) => `${base}${(serial += 1)}x${Math.random().toString(36).slice(2, 7)}`;

describe.each(DIALECTS)('post search over HTTP on %s', (dialect) => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => { await h.close(); });

  /** A user chat-core has seen, with a username of our choosing (from: resolves usernames). */
  const person = async (team: string, base: string, claims: Record<string, unknown> = {}) => {
    const username = uniqueName(base);
    const user = await h.user({ teams: memberOf(team), username, ...claims });
    expect((await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(user))).status).toBe(200);
    return { ...user, username };
  };
  const channel = async (owner: TestUser, team: string, type: 'O' | 'P', name = uniqueName('room')) => {
    const res = await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name, display_name: name, type });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string };
  };
  const join = async (actor: TestUser, channelId: string, userId: string) => {
    expect((await h.http().post(`/api/v4/channels/${channelId}/members`).set(...bearer(actor)).send({ user_id: userId })).status).toBe(201);
  };
  const post = async (user: TestUser, channelId: string, message: string) => {
    h.clock.advance(1);
    const res = await h.http().post('/api/v4/posts').set(...bearer(user)).send({ channel_id: channelId, message });
    expect(res.status).toBe(201);
    return res.body as { id: string; create_at: number };
  };
  /** The same user with an assertion minted now (the clock moves by days below, past any assertion's life). */
  const renewed = async <U extends TestUser>(user: U): Promise<U> => ({ ...user, ...(await h.user(user.claims)) });
  const search = (user: TestUser, team: string | undefined, body: Record<string, unknown>) =>
    h.http().post(team ? `/api/v4/teams/${team}/posts/search` : '/api/v4/posts/search').set(...bearer(user)).send(body);
  const orderFor = async (user: TestUser, team: string | undefined, terms: string, extra: Record<string, unknown> = {}) => {
    const res = await search(user, team, { terms, ...extra });
    expect(res.status).toBe(200);
    return res.body.order as string[];
  };

  it('answers Mattermost\'s PostSearchResults, newest first, with decorated posts', async () => {
    const team = newTeamId();
    const alice = await person(team, 'alice');
    const room = await channel(alice, team, 'O');
    const first = await post(alice, room.id, 'the launch checklist');
    const second = await post(alice, room.id, 'launch moved to Friday');
    await post(alice, room.id, 'unrelated chatter');
    const res = await search(alice, team, { terms: 'launch', is_or_search: false, time_zone_offset: 0, include_deleted_channels: false, page: 0, per_page: 60 });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(Object.keys(res.body).sort()).toEqual(['first_inaccessible_post_time', 'has_next', 'matches', 'next_post_id', 'order', 'posts', 'prev_post_id']);
    expect(res.body).toMatchObject({ order: [second.id, first.id], matches: null, next_post_id: '', prev_post_id: '', has_next: false, first_inaccessible_post_time: 0 });
    expect(res.body.posts[first.id]).toMatchObject({ id: first.id, channel_id: room.id, user_id: alice.id, message: 'the launch checklist', reply_count: 0, metadata: {} });
    expect(Object.keys(res.body.posts).sort()).toEqual([first.id, second.id].sort());
  });

  it('is what Client4.searchPostsWithParams calls, for one team and for all of them', async () => {
    const team = newTeamId();
    const other = newTeamId();
    const alice = await person(team, 'alice', { teams: memberOf(team, other) });
    const here = await post(alice, (await channel(alice, team, 'O')).id, 'roadmap for the team');
    const there = await post(alice, (await channel(alice, other, 'O')).id, 'roadmap elsewhere');
    const client = new Client4();
    client.setUrl(h.url);
    client.setToken(alice.token);
    expect((await client.searchPostsWithParams(team, { terms: 'roadmap', is_or_search: false } as never)).order).toEqual([here.id]);
    expect((await client.searchPostsWithParams('', { terms: 'roadmap', is_or_search: false } as never)).order).toEqual([there.id, here.id]);
    await expect(client.searchPostsWithParams(team, { terms: '', is_or_search: false } as never))
      .rejects.toMatchObject({ status_code: 400, server_error_id: 'api.context.invalid_body_param.app_error' });
  });

  it('finds by word, phrase, prefix, OR and exclusion', async () => {
    const team = newTeamId();
    const alice = await person(team, 'alice');
    const room = await channel(alice, team, 'O');
    const a = await post(alice, room.id, 'Database migration finished');
    const b = await post(alice, room.id, 'the migration of the database is slow');
    const c = await post(alice, room.id, 'backup finished');
    expect(await orderFor(alice, team, 'database migration')).toEqual([b.id, a.id]);
    expect(await orderFor(alice, team, '"database migration"')).toEqual([a.id]);
    expect(await orderFor(alice, team, 'migra*')).toEqual([b.id, a.id]);
    expect(await orderFor(alice, team, 'migra')).toEqual([]);
    expect(await orderFor(alice, team, 'backup slow', { is_or_search: true })).toEqual([c.id, b.id]);
    expect(await orderFor(alice, team, 'finished -backup')).toEqual([a.id]);
    expect(await orderFor(alice, team, 'database -"database is"')).toEqual([a.id]);
    expect(await orderFor(alice, team, '-finished')).toEqual([]);
  });

  it('filters by from:, in: and dates in the caller\'s time zone, alone or with words', async () => {
    const team = newTeamId();
    let alice = await person(team, 'alice');
    let bob = await person(team, 'bob');
    const ops = await channel(alice, team, 'O');
    const dev = await channel(alice, team, 'P');
    await join(alice, ops.id, bob.id);
    await join(alice, dev.id, bob.id);
    // The clock starts at 2025-01-15 12:00 UTC.
    const jan15 = await post(alice, ops.id, 'status report alpha');
    h.clock.advance(DAY);
    const jan16 = await post(bob = await renewed(bob), ops.id, 'status report beta');
    h.clock.advance(DAY);
    const jan17 = await post(bob = await renewed(bob), dev.id, 'status report gamma');
    alice = await renewed(alice);
    expect(await orderFor(alice, team, `from:${bob.username}`)).toEqual([jan17.id, jan16.id]);
    expect(await orderFor(alice, team, `status from:@${bob.username} from:${alice.username}`)).toEqual([jan17.id, jan16.id, jan15.id]);
    expect(await orderFor(alice, team, `status -from:${bob.username}`)).toEqual([jan15.id]);
    expect(await orderFor(alice, team, `status in:${ops.name}`)).toEqual([jan16.id, jan15.id]);
    expect(await orderFor(alice, team, `in:~${dev.name}`)).toEqual([jan17.id]);
    expect(await orderFor(alice, team, `status -in:${dev.name}`)).toEqual([jan16.id, jan15.id]);
    expect(await orderFor(alice, team, 'status on:2025-01-16')).toEqual([jan16.id]);
    expect(await orderFor(alice, team, 'status after:2025-01-15')).toEqual([jan17.id, jan16.id]);
    expect(await orderFor(alice, team, 'status before:2025-01-16')).toEqual([jan15.id]);
    expect(await orderFor(alice, team, 'after:2025-01-14 before:2025-01-17')).toEqual([jan16.id, jan15.id]);
    expect(await orderFor(alice, team, 'status -on:2025-01-16')).toEqual([jan17.id, jan15.id]);
    // 12:00 UTC on the 15th is already the 16th at UTC+13.
    expect(await orderFor(alice, team, 'status on:2025-01-16', { time_zone_offset: 13 * 3600 })).toEqual([jan15.id]);
    expect(await orderFor(alice, team, 'from:nobody-by-that-name')).toEqual([]);
    expect(await orderFor(alice, team, 'status in:no-such-channel')).toEqual([]);
    expect(await orderFor(alice, team, `status from:nobody from:${bob.username}`)).toEqual([jan17.id, jan16.id]);
  });

  it('finds an edited post by its new text only, and no longer finds a deleted one', async () => {
    const team = newTeamId();
    const alice = await person(team, 'alice');
    const room = await channel(alice, team, 'O');
    const created = await post(alice, room.id, 'meeting at noon');
    expect((await h.http().put(`/api/v4/posts/${created.id}/patch`).set(...bearer(alice)).send({ message: 'gathering at dusk' })).status).toBe(200);
    expect(await orderFor(alice, team, 'noon')).toEqual([]);
    expect(await orderFor(alice, team, 'dusk')).toEqual([created.id]);
    const res = await search(alice, team, { terms: 'dusk' });
    expect(res.body.posts[created.id]).toMatchObject({ message: 'gathering at dusk' });
    expect(res.body.posts[created.id].edit_at).toBeGreaterThan(0);
    expect((await h.http().delete(`/api/v4/posts/${created.id}`).set(...bearer(alice))).status).toBe(200);
    expect(await orderFor(alice, team, 'dusk')).toEqual([]);
    expect(await orderFor(alice, team, `from:${alice.username}`)).toEqual([]);
  });

  it('pages with page and per_page in a stable order, has_next telling whether more follow', async () => {
    const team = newTeamId();
    const alice = await person(team, 'alice');
    const room = await channel(alice, team, 'O');
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) ids.unshift((await post(alice, room.id, `ticket ${i}`)).id);
    const pages = [];
    for (let page = 0; page < 3; page += 1) pages.push((await search(alice, team, { terms: 'ticket', page, per_page: 3 })).body);
    expect(pages.map((p) => p.order)).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
    expect(pages.map((p) => p.has_next)).toEqual([true, true, false]);
    expect((await search(alice, team, { terms: 'ticket', page: 9, per_page: 3 })).body).toMatchObject({ order: [], posts: {}, has_next: false });
  });

  it('refuses bad requests with 400 and a Mattermost error id, never a 500', async () => {
    const team = newTeamId();
    const alice = await person(team, 'alice');
    const cases: [unknown, string][] = [
      [{}, 'api.context.invalid_body_param.app_error'],
      [{ terms: '' }, 'api.context.invalid_body_param.app_error'],
      [{ terms: 'x'.repeat(1001) }, 'api.context.invalid_body_param.app_error'],
      [{ terms: 'nul\u0000byte' }, 'api.context.invalid_body_param.app_error'],
      [{ terms: 'on:2025-02-30' }, 'api.context.invalid_body_param.app_error'],
      [{ terms: 'report before:last-week' }, 'api.context.invalid_body_param.app_error'],
      [{ terms: 'x', per_page: 201 }, 'api.context.invalid_body_param.app_error'],
      [{ terms: 'x', per_page: 0 }, 'api.context.invalid_body_param.app_error'],
      [{ terms: 'x', page: -1 }, 'api.context.invalid_body_param.app_error'],
      [{ terms: 'x', time_zone_offset: 86_400 }, 'api.context.invalid_body_param.app_error'],
      [[], 'api.post.search_posts.invalid_body.app_error'],
      [{ terms: 7 }, 'api.post.search_posts.invalid_body.app_error'],
      [{ terms: 'x', page: '1' }, 'api.post.search_posts.invalid_body.app_error'],
      [{ terms: 'x', per_page: 2.5 }, 'api.post.search_posts.invalid_body.app_error'],
      [{ terms: 'x', is_or_search: 'yes' }, 'api.post.search_posts.invalid_body.app_error'],
      [{ terms: 'x', include_deleted_channels: 1 }, 'api.post.search_posts.invalid_body.app_error'],
    ];
    for (const [body, id] of cases) {
      const res = await h.http().post(`/api/v4/teams/${team}/posts/search`).set(...bearer(alice)).send(body as object);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.body).toMatchObject({ id, status_code: 400 });
      expect(res.body.message.length).toBeGreaterThan(20);
    }
    const dateError = await search(alice, team, { terms: 'on:2025-02-30' });
    expect(dateError.body.message).toContain('YYYY-MM-DD');
    expect((await search(alice, team, { terms: 'x'.repeat(1000) })).status).toBe(200);
    expect((await search(alice, team, { terms: '   ' })).body).toMatchObject({ order: [], posts: {} });
    expect((await search(alice, team, { terms: 'x', per_page: 200, page: 0 })).status).toBe(200);
    const malformed = await h.http().post(`/api/v4/teams/${team}/posts/search`).set(...bearer(alice)).set('Content-Type', 'application/json').send('{"terms":');
    expect(malformed.status).toBe(400);
    expect((await h.http().post('/api/v4/teams/bad team!/posts/search').set(...bearer(alice)).send({ terms: 'x' })).status).toBe(400);
  });
});
