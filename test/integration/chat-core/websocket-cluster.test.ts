/**
 * Two chat-core nodes on one PostgreSQL database and one Redis: an event caused on one node reaches
 * the sockets held by the other, and still only the channel's members.
 */
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatCore, type RunningChatCore } from '../../../chat-core/src/main.js';
import { createTestIssuer, randomUserId, type TestIssuer } from '../../support/assertions.js';
import { createTestPostgres, type TestPostgres } from '../../support/databases.js';
import { connect, type TestSocket } from './ws-client.js';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('chat-core websocket fan-out across two nodes through Redis', () => {
  let issuer: TestIssuer;
  let postgres: TestPostgres;
  const nodes: RunningChatCore[] = [];
  const sockets: TestSocket[] = [];
  const urlOf = (node: RunningChatCore) => `http://127.0.0.1:${(node.server.address() as AddressInfo).port}`;

  beforeAll(async () => {
    issuer = await createTestIssuer({ algorithm: 'EdDSA' });
    postgres = await createTestPostgres('gh_chat_cluster');
    const prefix = `gh-test-${randomBytes(4).toString('hex')}:`;
    for (let i = 0; i < 2; i += 1) {
      nodes.push(await startChatCore({
        config: {
          databaseUrl: postgres.url, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, algorithm: issuer.algorithm,
          clockSkewSeconds: 30, jwksCooldownMs: 30_000, maxPostLength: 16_383, redisUrl: REDIS_URL, redisKeyPrefix: prefix,
        },
        logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0,
      }));
    }
  });
  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    for (const node of nodes) await node.close();
    await issuer?.close();
    await postgres?.drop();
  });

  const user = async (team: string) => {
    const id = randomUserId();
    return { id, token: await issuer.mint({ sub: id, username: `u${id.slice(0, 8)}`, name: 'U', teams: { [team]: ['team_user'] } }) };
  };
  const open = async (node: RunningChatCore, token: string) => {
    const socket = await connect(urlOf(node), token);
    sockets.push(socket);
    await socket.next((m) => m.event === 'hello');
    return socket;
  };

  it('delivers a post made on node A to a member connected to node B, and not to a non-member there', async () => {
    const [nodeA, nodeB] = nodes as [RunningChatCore, RunningChatCore];
    const team = randomUserId();
    const [alice, bob, eve] = [await user(team), await user(team), await user(team)];
    const channel = await request(nodeA.server).post('/api/v4/channels').set('Authorization', `Bearer ${alice.token}`)
      .send({ team_id: team, name: 'cluster', display_name: 'Cluster', type: 'P' });
    // Bob is seen by node A's mirror through any request, then added by Alice.
    await request(nodeA.server).get(`/api/v4/users/me/teams/${team}/channels`).set('Authorization', `Bearer ${bob.token}`).expect(200);
    await request(nodeA.server).post(`/api/v4/channels/${channel.body.id}/members`).set('Authorization', `Bearer ${alice.token}`).send({ user_id: bob.id }).expect(201);
    const bobOnB = await open(nodeB, bob.token);
    const eveOnB = await open(nodeB, eve.token);
    const posted = await request(nodeA.server).post('/api/v4/posts').set('Authorization', `Bearer ${alice.token}`)
      .send({ channel_id: channel.body.id, message: 'across nodes' });
    expect(posted.status).toBe(201);
    const event = await bobOnB.next((m) => m.event === 'posted');
    expect(JSON.parse(event.data!.post as string)).toMatchObject({ id: posted.body.id, message: 'across nodes' });
    expect(event.broadcast).toMatchObject({ channel_id: channel.body.id });
    expect(event.seq).toBe(1);
    // A ping round trip after the event proves nothing else is on its way to Eve.
    await eveOnB.pingRoundTrip(3);
    await bobOnB.pingRoundTrip(4);
    expect(eveOnB.received.filter((m) => m.event === 'posted')).toEqual([]);
  });

  it('keeps each connection\'s sequence numbers gapless when events come from both nodes', async () => {
    const [nodeA, nodeB] = nodes as [RunningChatCore, RunningChatCore];
    const team = randomUserId();
    const [alice, bob] = [await user(team), await user(team)];
    const channel = await request(nodeA.server).post('/api/v4/channels').set('Authorization', `Bearer ${alice.token}`)
      .send({ team_id: team, name: 'seq', display_name: 'Seq', type: 'O' });
    await request(nodeB.server).post(`/api/v4/channels/${channel.body.id}/members`).set('Authorization', `Bearer ${bob.token}`).send({ user_id: bob.id }).expect(201);
    const aliceOnB = await open(nodeB, alice.token);
    for (let i = 0; i < 6; i += 1) {
      const node = i % 2 === 0 ? nodeA : nodeB;
      await request(node.server).post('/api/v4/posts').set('Authorization', `Bearer ${bob.token}`).send({ channel_id: channel.body.id, message: `m${i}` }).expect(201);
    }
    await aliceOnB.next((m) => m.event === 'posted' && (JSON.parse(m.data!.post as string) as { message: string }).message === 'm5');
    const seqs = aliceOnB.received.filter((m) => typeof m.seq === 'number').map((m) => m.seq);
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
