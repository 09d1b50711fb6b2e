/**
 * Bots when chat-core does not take the provisioning push. chat-core is replaced here by a small
 * HTTP server — a stand-in for the upstream only — that accepts or refuses provisioning on demand,
 * so the test decides exactly when chat-core "fails".
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, BACKENDS, startHarness, type Harness } from '../../support/gateway-harness.js';
import { listen } from '../../../src/server.js';

describe.each(BACKENDS)('bots and a failing chat-core (%s)', (backend) => {
  let h: Harness;
  let upstream: http.Server;
  let admin: ReturnType<typeof apiClient>;
  let accept = true;
  const pushed: string[] = [];
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => { raw += c.toString(); });
      req.on('end', () => {
        if (req.url === '/provision/v1/events' && req.method === 'POST') {
          pushed.push(...(JSON.parse(raw) as { events: { type: string }[] }).events.map((e) => e.type));
          res.writeHead(accept ? 200 : 503, { 'content-type': 'application/json' });
          res.end(accept ? '{"applied":1}' : '{"id":"unavailable"}');
          return;
        }
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await listen(upstream, 0, '127.0.0.1');
    h = await startHarness(backend, { config: { chat: { url: `http://127.0.0.1:${(upstream.address() as { port: number }).port}` } } });
    admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => upstream.close(r));
  });

  const db = () => h.gw.gateway.ctx.db;

  it('undoes a creation chat-core did not take: 502, and no user, bot record or audit entry is left', async () => {
    accept = false;
    const r = await admin.request('POST', '/api/v4/bots', { body: { username: 'unborn-bot', description: 'never' } });
    accept = true;
    expect(r.status).toBe(502);
    expect(r.json.id).toBe('api.proxy.upstream_unavailable.app_error');
    expect(pushed).toContain('user.upserted');
    expect(await db().selectFrom('users').select('id').where('username', '=', 'unborn-bot').execute()).toEqual([]);
    expect(await db().selectFrom('bots').select('user_id').execute()).toEqual([]);
    expect((await h.gw.gateway.ctx.audit.recent(100)).map((e) => e.event)).not.toContain('bot.created');
    // The name is free again: a retry once chat-core is back succeeds.
    expect((await admin.request('POST', '/api/v4/bots', { body: { username: 'unborn-bot' } })).status).toBe(201);
  });

  it('disables a bot even when chat-core cannot be told, and keeps a bot disabled when chat-core will not take it back', async () => {
    const bot = (await admin.request('POST', '/api/v4/bots', { body: { username: 'stubborn-bot' } })).json;
    const asBot = apiClient(h.url);
    asBot.token = (await admin.request('POST', `/api/v4/users/${bot.user_id}/tokens`, { body: { description: 'x' } })).json.token;
    expect((await asBot.request('GET', '/api/v4/users/me')).status).toBe(200);

    accept = false;
    const disabled = await admin.request('POST', `/api/v4/bots/${bot.user_id}/disable`);
    expect(disabled.status).toBe(200);
    expect((await asBot.request('GET', '/api/v4/users/me')).status).toBe(401);

    const enable = await admin.request('POST', `/api/v4/bots/${bot.user_id}/enable`);
    expect(enable.status).toBe(502);
    expect(enable.json.id).toBe('api.proxy.upstream_unavailable.app_error');
    expect((await asBot.request('GET', '/api/v4/users/me')).status).toBe(401);
    expect((await admin.request('GET', `/api/v4/bots/${bot.user_id}?include_deleted=true`)).json.delete_at).toBeGreaterThan(0);

    accept = true;
    expect((await admin.request('POST', `/api/v4/bots/${bot.user_id}/enable`)).status).toBe(200);
    expect((await asBot.request('GET', '/api/v4/users/me')).status).toBe(200);
  });
});
