/**
 * Two gateway nodes on one PostgreSQL, one Redis and one chat-core, with no sticky sessions: a
 * session made on one node works on the other, and a revocation on either takes effect on both at once.
 */
import http from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/http/logger.js';
import { listen, startGateway, type RunningGateway } from '../../../src/server.js';
import { startChat } from '../../../src/cli/chat-launcher.js';
import { createTestPostgres, REDIS_URL, uniqueRedisPrefix, type TestPostgres } from '../../support/databases.js';
import { ADMIN, apiClient } from '../../support/gateway-harness.js';
import { loginFlow, startTestOidcProvider, type TestOidcProvider } from '../../support/oidc-provider.js';

describe('a two-node gateway cluster', () => {
  const dbs: TestPostgres[] = [];
  const nodes: RunningGateway[] = [];
  let chat: Awaited<ReturnType<typeof startChat>>;
  let dataDir: string;
  let urls: string[];
  let op: TestOidcProvider;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gh-cluster-'));
    const gw = await createTestPostgres('gh_cl_gw');
    const chatDb = await createTestPostgres('gh_cl_chat');
    dbs.push(gw, chatDb);
    const servers = [http.createServer(), http.createServer()];
    for (const s of servers) await listen(s, 0, '127.0.0.1');
    const ports = servers.map((s) => (s.address() as { port: number }).port);
    urls = ports.map((p) => `http://127.0.0.1:${p}`);
    op = await startTestOidcProvider({
      clients: [{ client_id: 'gatehouse', client_secret: 'cluster-secret-not-real', redirect_uris: ['http://gatehouse.test/auth/corp/callback'] }],
      accounts: [{ sub: 'erin-1', email: 'erin@example.com', email_verified: true, preferred_username: 'erin' }],
    });
    const base: ConfigInput = {
      connectors: [{ id: 'corp', type: 'oidc', displayName: 'Corp', issuer: op.url, clientId: 'gatehouse', clientSecret: 'cluster-secret-not-real', allowInsecureHttp: true }],
      siteUrl: 'http://gatehouse.test', dataDir, secretKey: Buffer.alloc(32, 7).toString('base64'),
      database: { url: gw.url }, redis: { url: REDIS_URL, keyPrefix: uniqueRedisPrefix('cluster') },
      chat: { host: '127.0.0.1', port: 0, databaseUrl: chatDb.url, jwksUrl: `${urls[0]}/.well-known/jwks.json` },
      admin: ADMIN, logging: { level: 'silent' },
    };
    const logger = createLogger({ level: 'silent' });
    chat = await startChat(loadConfig({ env: {}, overrides: base }), logger);
    const chatUrl = `http://127.0.0.1:${(chat.server.address() as { port: number }).port}`;
    for (const [i, server] of servers.entries()) {
      const config = loadConfig({ env: {}, overrides: { ...base, listen: { host: '127.0.0.1', port: ports[i]! }, chat: { ...base.chat, url: chatUrl } } });
      nodes.push(await startGateway(config, logger, { server }));
    }
  });
  afterAll(async () => {
    for (const n of nodes) await n.close();
    await chat?.close();
    for (const db of dbs) await db.drop();
    await op?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shares one set of signing keys between nodes', async () => {
    const [a, b] = await Promise.all(urls.map((u) => fetch(`${u}/.well-known/jwks.json`).then((r) => r.json())));
    expect(a).toEqual(b);
  });

  it('accepts a session made on node A at node B, including for chat', async () => {
    const onA = apiClient(urls[0]!);
    await onA.login(ADMIN.username, ADMIN.password);
    const onB = apiClient(urls[1]!);
    onB.token = onA.token;
    expect((await onB.request('GET', '/api/v4/users/me')).status).toBe(200);
    const team = (await onB.request('POST', '/api/v4/teams', { body: { name: 'cluster', display_name: 'C', type: 'O' } })).json;
    // The membership change made on B reaches the assertion minted on A.
    expect((await onA.request('POST', '/api/v4/channels', { body: { team_id: team.id, name: 'both', display_name: 'Both', type: 'O' } })).status).toBe(201);
  });

  it('refuses a session on node A the moment it is revoked on node B, and closes its websocket on A', async () => {
    const onA = apiClient(urls[0]!);
    await onA.login(ADMIN.username, ADMIN.password);
    const ws = new WebSocket(`${urls[0]!.replace('http', 'ws')}/api/v4/websocket`, { headers: { authorization: `Bearer ${onA.token}` } });
    await once(ws, 'message');
    const closed = once(ws, 'close');
    const onB = apiClient(urls[1]!);
    onB.token = onA.token;
    expect((await onB.request('POST', '/api/v4/users/logout')).status).toBe(200);
    expect((await onA.request('GET', '/api/v4/users/me')).status).toBe(401);
    expect((await onA.request('GET', '/api/v4/channels/x')).status).toBe(401);
    await closed;
  });

  it('counts login failures across nodes for the lockout', async () => {
    const a = apiClient(urls[0]!);
    const b = apiClient(urls[1]!);
    const admin = apiClient(urls[0]!);
    await admin.login(ADMIN.username, ADMIN.password);
    expect((await admin.request('POST', '/api/v4/users', { body: { email: 'hop@example.com', username: 'hopper', password: 'hop hop hop hop' } })).status).toBe(201);
    for (let i = 0; i < 10; i += 1) await (i % 2 ? a : b).login('hopper', 'wrong guess');
    expect((await a.login('hopper', 'hop hop hop hop')).status).toBe(401);
    expect((await b.login('hopper', 'hop hop hop hop')).status).toBe(401);
  });

  it('revokes an OIDC session on node A when node B receives the back-channel logout token', async () => {
    const onA = apiClient(urls[0]!);
    const started = await onA.request('GET', '/auth/corp/start', { useCookies: true });
    const callback = await loginFlow(started.headers.get('location')!, { accountId: 'erin-1' });
    const done = await onA.request('GET', new URL(callback.url).pathname + new URL(callback.url).search, { useCookies: true });
    expect(done.status).toBe(303);
    const me = (await onA.request('GET', '/api/v4/users/me', { useCookies: true })).json as { id: string };
    const [session] = await nodes[0]!.gateway.ctx.sessions.listForUser(me.id);
    const sid = session!.sso!.sessionIndex;
    const token = await op.sign({
      iss: op.issuer, aud: 'gatehouse', iat: Math.floor(Date.now() / 1000), jti: `jti-cluster-${sid}`, sub: 'erin-1', sid,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    }, { typ: 'logout+jwt' });
    const res = await fetch(`${urls[1]}/auth/corp/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) });
    expect(res.status).toBe(200);
    expect((await onA.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(401);
  });
});
