import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVISION_PATH } from '../../../chat-core/contract.js';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';
import { connect, type TestSocket } from './ws-client.js';

describe.each(DIALECTS)('chat-core websocket on %s', (dialect) => {
  let h: ChatCoreHarness;
  const sockets: TestSocket[] = [];
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate();
    await h.close();
  });
  const open = async (user: TestUser) => {
    const socket = await connect(h.url, user.token);
    sockets.push(socket);
    return socket;
  };

  it('greets a connection with Mattermost\'s hello and answers ping', async () => {
    const alice = await h.user({ teams: memberOf(newTeamId()) });
    const socket = await open(alice);
    const hello = await socket.next((m) => m.event === 'hello');
    expect(hello).toMatchObject({ event: 'hello', seq: 0, broadcast: { user_id: alice.id, channel_id: '', team_id: '' } });
    expect(hello.data).toMatchObject({ connection_id: expect.stringMatching(/^[a-z0-9]{26}$/), server_version: expect.any(String) });
    const [reply] = await socket.pingRoundTrip(7);
    expect(reply).toMatchObject({ status: 'OK', seq_reply: 7, data: { text: 'pong' } });
  });

  it('refuses an upgrade without a valid assertion', async () => {
    await expect(connect(h.url, 'not-a-token')).rejects.toMatchObject({ statusCode: 401 });
    await expect(connect(h.url, await h.issuer.mintProvision())).rejects.toMatchObject({ statusCode: 401 });
  });

  it('delivers "posted" to connected channel members only', async () => {
    const team = newTeamId();
    const [alice, bob, carol] = await Promise.all([0, 1, 2].map(() => h.user({ teams: memberOf(team) })));
    const channel = (await h.http().post('/api/v4/channels').set(...bearer(alice!)).send({ team_id: team, name: 'live', display_name: 'Live', type: 'O' })).body;
    await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(bob!)).send({ user_id: bob!.id });
    const [aliceWs, bobWs, carolWs] = await Promise.all([alice!, bob!, carol!].map(open));
    const created = await h.http().post('/api/v4/posts').set(...bearer(alice!)).send({ channel_id: channel.id, message: 'hi all' });
    const isPosted = (m: { event?: string }) => m.event === 'posted';
    for (const ws of [aliceWs!, bobWs!]) {
      const event = await ws.next(isPosted);
      expect(event).toMatchObject({ event: 'posted', broadcast: { channel_id: channel.id }, data: { channel_name: 'live', channel_type: 'O', team_id: team } });
      expect(JSON.parse(event.data!.post as string)).toMatchObject({ id: created.body.id, message: 'hi all', user_id: alice!.id });
      expect(event.seq).toBeGreaterThan(0);
    }
    // bob's copy was written in the same fan-out as carol's would have been: a round trip after it proves none came.
    const seenByCarol = await carolWs!.pingRoundTrip(1);
    expect(seenByCarol.some(isPosted)).toBe(false);
    expect(carolWs!.received.some(isPosted)).toBe(false);
  });

  it('closes a user\'s sockets when the gateway deactivates them', async () => {
    const dave = await h.user({ teams: memberOf(newTeamId()) });
    const socket = await open(dave);
    await socket.next((m) => m.event === 'hello');
    const res = await h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision())).send({ events: [{ type: 'user.deactivated', user_id: dave.id }] });
    expect(res.status).toBe(200);
    expect(await socket.closed).toMatchObject({ code: 1008 });
    await expect(connect(h.url, dave.token)).rejects.toMatchObject({ statusCode: 401 });
  });
});
