/**
 * One gateway in front of two chat-core nodes (one PostgreSQL database, one Redis): websockets are
 * spread over both nodes, and an event caused through either reaches the people on the other —
 * and only the channel's members.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { pino } from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChat } from '../../../src/cli/chat-launcher.js';
import { loadConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { listen, startGateway, type RunningGateway } from '../../../src/server.js';
import { createTestPostgres, REDIS_URL, uniqueRedisPrefix, type TestPostgres } from '../../support/databases.js';
import { ADMIN, apiClient } from '../../support/gateway-harness.js';

interface Event { event?: string; seq?: number; seq_reply?: number; data?: Record<string, unknown> }

function socket(url: string, token: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v4/websocket`, { headers: { Authorization: `Bearer ${token}` } });
  const events: Event[] = [];
  const waiters: { match: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  ws.on('message', (raw) => {
    const e = JSON.parse(raw.toString()) as Event;
    events.push(e);
    for (const w of [...waiters]) if (w.match(e)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(e); }
  });
  const next = (match: (e: Event) => boolean) => new Promise<Event>((resolve) => {
    const found = events.find(match);
    if (found) resolve(found); else waiters.push({ match, resolve });
  });
  return { ws, events, next };
}

describe('a gateway in front of two chat-core nodes', () => {
  const dbs: TestPostgres[] = [];
  const chats: Awaited<ReturnType<typeof startChat>>[] = [];
  const connectedOn: string[][] = [[], []];
  let gateway: RunningGateway;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gh-chat-cluster-'));
    const gwDb = await createTestPostgres('gh_cc_gw');
    const chatDb = await createTestPostgres('gh_cc_chat');
    dbs.push(gwDb, chatDb);
    const server = http.createServer();
    await listen(server, 0, '127.0.0.1');
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const base: ConfigInput = {
      siteUrl: url, dataDir, secretKey: Buffer.alloc(32, 9).toString('base64'),
      database: { url: gwDb.url }, redis: { url: REDIS_URL, keyPrefix: uniqueRedisPrefix('chatcluster') },
      chat: { host: '127.0.0.1', port: 0, databaseUrl: chatDb.url, jwksUrl: `${url}/.well-known/jwks.json` },
      admin: ADMIN, logging: { level: 'silent' },
    };
    for (const node of [0, 1]) {
      // Each node's log says which users connected to it.
      const logger = pino({ level: 'info' }, { write: (line: string) => {
        const entry = JSON.parse(line) as { msg?: string; user_id?: string };
        if (entry.msg === 'websocket connected' && entry.user_id) connectedOn[node]!.push(entry.user_id);
      } });
      chats.push(await startChat(loadConfig({ env: {}, overrides: base }), logger));
    }
    const chatUrls = chats.map((c) => `http://127.0.0.1:${(c.server.address() as { port: number }).port}`);
    const config = loadConfig({ env: {}, overrides: { ...base, listen: { host: '127.0.0.1', port: (server.address() as { port: number }).port }, chat: { ...base.chat, urls: chatUrls } } });
    gateway = await startGateway(config, pino({ level: 'silent' }), { server });
  });
  afterAll(async () => {
    await gateway?.close();
    for (const c of chats) await c.close();
    for (const db of dbs) await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a post to members on both nodes, and to nobody else', async () => {
    const admin = apiClient(url);
    await admin.login(ADMIN.username, ADMIN.password);
    const team = (await admin.request('POST', '/api/v4/teams', { body: { name: 'spread', display_name: 'Spread', type: 'O' } })).json as { id: string };
    const people = [];
    for (const name of ['nina', 'omar', 'pete']) {
      const user = (await admin.request('POST', '/api/v4/users', { body: { username: name, email: `${name}@example.com`, password: 'Correct horse battery staple 9!' } })).json as { id: string };
      expect((await admin.request('POST', `/api/v4/teams/${team.id}/members`, { body: { team_id: team.id, user_id: user.id } })).status).toBe(201);
      const client = apiClient(url);
      await client.login(name, 'Correct horse battery staple 9!');
      people.push({ id: user.id, client });
    }
    const [nina, omar, pete] = people as [typeof people[0], typeof people[0], typeof people[0]];
    const channel = (await nina.client.request('POST', '/api/v4/channels', { body: { team_id: team.id, name: 'spread-private', display_name: 'P', type: 'P' } })).json as { id: string };
    expect((await nina.client.request('POST', `/api/v4/channels/${channel.id}/members`, { body: { user_id: omar.id } })).status).toBe(201);

    const sockets = [nina, omar, pete].map((p) => socket(url, p.client.token!));
    await Promise.all(sockets.map((s) => s.next((e) => e.event === 'hello')));
    // Round-robin: the three sockets landed on both nodes.
    expect(connectedOn[0]!.length).toBeGreaterThan(0);
    expect(connectedOn[1]!.length).toBeGreaterThan(0);
    expect(connectedOn[0]!.includes(nina.id)).not.toBe(connectedOn[0]!.includes(omar.id));

    for (const [i, author] of [nina, omar].entries()) {
      const res = await author.client.request('POST', '/api/v4/posts', { body: { channel_id: channel.id, message: `hello ${i}` } });
      expect(res.status).toBe(201);
    }
    for (const s of sockets.slice(0, 2)) {
      await s.next((e) => e.event === 'posted' && (JSON.parse(e.data!.post as string) as { message: string }).message === 'hello 1');
      expect(s.events.filter((e) => e.event === 'posted')).toHaveLength(2);
    }
    const peteSocket = sockets[2]!;
    peteSocket.ws.send(JSON.stringify({ action: 'ping', seq: 9 }));
    await peteSocket.next((e) => e.seq_reply === 9);
    expect(peteSocket.events.filter((e) => e.event === 'posted')).toEqual([]);
    for (const s of sockets) s.ws.terminate();
  });
});
