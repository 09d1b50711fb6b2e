import { once } from 'node:events';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, BACKENDS, startHarness, type Harness } from '../../support/gateway-harness.js';

function wsUrl(h: Harness) {
  return `${h.url.replace('http', 'ws')}/api/v4/websocket`;
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
}

describe.each(BACKENDS)('websockets through the gateway (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(backend); });
  afterAll(async () => { await h?.close(); });

  it('says hello to a signed-in client and closes the socket when its session is revoked', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const ws = new WebSocket(wsUrl(h), { headers: { authorization: `Bearer ${c.token}` } });
    const hello = await nextMessage(ws);
    expect(hello.event).toBe('hello');
    const closed = once(ws, 'close');
    expect((await c.request('POST', '/api/v4/users/logout')).status).toBe(200);
    await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('delivers a posted event for a post made through the API', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const team = (await c.request('POST', '/api/v4/teams', { body: { name: `ws-${backend}`, display_name: 'WS', type: 'O' } })).json;
    const channel = (await c.request('POST', '/api/v4/channels', { body: { team_id: team.id, name: 'live', display_name: 'Live', type: 'O' } })).json;
    const ws = new WebSocket(wsUrl(h), { headers: { authorization: `Bearer ${c.token}` } });
    expect((await nextMessage(ws)).event).toBe('hello');
    const event = new Promise<Record<string, unknown>>((resolve) => {
      ws.on('message', (data) => { const m = JSON.parse(String(data)) as Record<string, unknown>; if (m.event === 'posted') resolve(m); });
    });
    expect((await c.request('POST', '/api/v4/posts', { body: { channel_id: channel.id, message: 'live!' } })).status).toBe(201);
    const posted = await event;
    expect(JSON.parse((posted.data as { post: string }).post)).toMatchObject({ message: 'live!', channel_id: channel.id });
    ws.close();
  });

  it('refuses an upgrade with a bad bearer token', async () => {
    const ws = new WebSocket(wsUrl(h), { headers: { Authorization: 'Bearer not-a-session' } });
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(401);
  });

  it('takes an upgrade without credentials only to wait for authentication_challenge, and closes it on a bad one', async () => {
    const ws = new WebSocket(wsUrl(h));
    await once(ws, 'open');
    ws.send(JSON.stringify({ action: 'authentication_challenge', seq: 1, data: { token: 'not-a-session' } }));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1008);
  });

  it('relays an authentication_challenge websocket to chat-core once the token is good', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const ws = new WebSocket(wsUrl(h));
    const messages: { event?: string; seq_reply?: number; status?: string }[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(raw.toString()) as never));
    await once(ws, 'open');
    ws.send(JSON.stringify({ action: 'authentication_challenge', seq: 1, data: { token: c.token } }));
    while (!messages.some((m) => m.seq_reply === 1)) await once(ws, 'message');
    expect(messages[0]).toMatchObject({ event: 'hello' });
    expect(messages.find((m) => m.seq_reply === 1)).toMatchObject({ status: 'OK' });
    // Signing out closes the relayed socket too (perhaps before the logout answer arrives).
    const closed = once(ws, 'close');
    await c.request('POST', '/api/v4/users/logout');
    const [code] = (await closed) as [number];
    expect(code).toBeGreaterThan(0);
  });

  it('refuses a cookie-authenticated upgrade from another origin (cross-site websocket hijacking)', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const ws = new WebSocket(wsUrl(h), { headers: { cookie: `MMAUTHTOKEN=${c.token}`, origin: 'https://evil.example' } });
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(403);
    const same = new WebSocket(wsUrl(h), { headers: { cookie: `MMAUTHTOKEN=${c.token}`, origin: h.config.siteUrl } });
    expect((await nextMessage(same)).event).toBe('hello');
    same.close();
  });
});
