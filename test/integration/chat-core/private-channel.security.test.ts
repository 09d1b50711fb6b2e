/**
 * One private channel, with a post, a reply, a pin, a reaction and a file in it, seen by three
 * people who must learn nothing of it: a member of the same team who is not in the channel, a guest
 * of the team, and a member of another team. Every read endpoint refuses them, search finds
 * nothing, and their open websockets receive none of the channel's events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';
import { connect, type TestSocket } from './ws-client.js';

describe.each(DIALECTS)('a private channel is invisible to non-members on %s', (dialect) => {
  let h: ChatCoreHarness;
  const sockets: TestSocket[] = [];
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate();
    await h.close();
  });

  it('refuses every read, search and event to an outsider, a guest and another team', async () => {
    const team = newTeamId();
    const owner = await h.user({ teams: memberOf(team) });
    const member = await h.user({ teams: memberOf(team) });
    const outsiders: Record<string, TestUser> = {
      'team member': await h.user({ teams: memberOf(team) }),
      guest: await h.user({ teams: { [team]: ['team_guest'] }, guest: true, roles: ['system_guest'] }),
      'other team': await h.user({ teams: memberOf(newTeamId()) }),
    };
    const channel = (await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name: 'secret-plans', display_name: 'Secret', type: 'P' })).body as { id: string };
    await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(member)).expect(200);
    await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(owner)).send({ user_id: member.id }).expect(201);

    const watchers = await Promise.all([member, ...Object.values(outsiders)].map(async (u) => {
      const socket = await connect(h.url, u.token);
      sockets.push(socket);
      await socket.next((m) => m.event === 'hello');
      return socket;
    }));

    const upload = await h.http().post('/api/v4/files').set(...bearer(owner)).field('channel_id', channel.id).attach('files', Buffer.from('the plan'), 'plan.txt');
    expect(upload.status).toBe(201);
    const fileId = upload.body.file_infos[0].id as string;
    const root = (await h.http().post('/api/v4/posts').set(...bearer(owner)).send({ channel_id: channel.id, message: 'zanzibar rendezvous', file_ids: [fileId] })).body as { id: string };
    h.clock.advance(1);
    await h.http().post('/api/v4/posts').set(...bearer(member)).send({ channel_id: channel.id, root_id: root.id, message: 'zanzibar at noon' }).expect(201);
    await h.http().post(`/api/v4/posts/${root.id}/pin`).set(...bearer(owner)).expect(200);
    await h.http().post('/api/v4/reactions').set(...bearer(member)).send({ user_id: member.id, post_id: root.id, emoji_name: 'eyes' }).expect(200);

    const reads = [
      `/api/v4/channels/${channel.id}`, `/api/v4/teams/${team}/channels/name/secret-plans`,
      `/api/v4/channels/${channel.id}/posts`, `/api/v4/channels/${channel.id}/posts?since=1`,
      `/api/v4/posts/${root.id}`, `/api/v4/posts/${root.id}/thread`, `/api/v4/channels/${channel.id}/pinned`,
      `/api/v4/channels/${channel.id}/stats`, `/api/v4/channels/${channel.id}/members`,
      `/api/v4/channels/${channel.id}/members/${owner.id}`, `/api/v4/posts/${root.id}/reactions`,
      `/api/v4/posts/${root.id}/files/info`, `/api/v4/files/${fileId}`, `/api/v4/files/${fileId}/info`,
      `/api/v4/users/me/channels/${channel.id}/unread`,
    ];
    for (const [who, user] of Object.entries(outsiders)) {
      for (const path of reads) {
        const res = await h.http().get(path).set(...bearer(user));
        expect([403, 404], `${who} GET ${path} answered ${res.status}`).toContain(res.status);
        expect(JSON.stringify(res.body)).not.toContain('zanzibar');
      }
      const bulk = await h.http().post('/api/v4/posts/ids/reactions').set(...bearer(user)).send([root.id]);
      expect([403, 404], `${who} bulk reactions`).toContain(bulk.status);
      const search = await h.http().post('/api/v4/posts/search').set(...bearer(user)).send({ terms: 'zanzibar', is_or_search: false });
      expect(search.status === 200 ? search.body.order : [], `${who} search`).toEqual([]);
      const inChannel = await h.http().post(`/api/v4/teams/${team}/posts/search`).set(...bearer(user)).send({ terms: 'in:secret-plans zanzibar' });
      expect(inChannel.status === 200 ? inChannel.body.order : [], `${who} search in:`).toEqual([]);
      const mine = await h.http().get('/api/v4/users/me/channels').set(...bearer(user));
      expect(mine.body.map((c: { id: string }) => c.id), `${who} my channels`).not.toContain(channel.id);
      expect((await h.http().post('/api/v4/posts').set(...bearer(user)).send({ channel_id: channel.id, message: 'hi' })).status).toBe(403);
    }
    // The member, as a control, sees it all.
    expect((await h.http().post('/api/v4/posts/search').set(...bearer(member)).send({ terms: 'zanzibar' })).body.order).toHaveLength(2);
    expect((await h.http().get(`/api/v4/files/${fileId}`).set(...bearer(member))).status).toBe(200);

    const [memberSocket, ...outsiderSockets] = watchers as [TestSocket, ...TestSocket[]];
    await memberSocket.next((m) => m.event === 'reaction_added');
    for (const [i, socket] of outsiderSockets.entries()) {
      await socket.pingRoundTrip(100 + i);
      const leaked = socket.received.filter((m) => m.event !== 'hello' && m.seq_reply === undefined);
      expect(leaked, `websocket of ${Object.keys(outsiders)[i]}`).toEqual([]);
    }
    expect(memberSocket.received.map((m) => m.event)).toEqual(expect.arrayContaining(['posted', 'post_edited', 'reaction_added']));
  });
});
