/**
 * POST /hooks/{id} through the gateway: forwarded to chat-core with no credential and no assertion,
 * rate-limited per hook and per client address, POST only. A real chat-core for the end-to-end post;
 * a recording server in chat-core's place where the test must see exactly what crosses the proxy.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../../src/server.js';
import { HOOK_CALLS_PER_ADDRESS_PER_MINUTE, HOOK_CALLS_PER_MINUTE, clientKey } from '../../../src/proxy/forward-hook.js';
import { ADMIN, BACKENDS, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A raw request, optionally from another loopback address (each test its own client address). */
function send(base: string, method: string, path: string, options: { body?: string; headers?: Record<string, string>; from?: string } = {}): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method, agent: false,
      headers: { ...(options.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
      ...(options.from ? { localAddress: options.from } : {}),
    }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const hookId = (n: number) => `h${String(n).padStart(25, '0')}`;

describe.each(BACKENDS)('incoming webhooks through the gateway (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(backend); });
  afterAll(async () => { await h?.close(); });

  it('posts through the gateway without any session', async () => {
    const admin = apiClient(h.url);
    expect((await admin.login(ADMIN.username, ADMIN.password)).status).toBe(200);
    const team = (await admin.request('POST', '/api/v4/teams', { body: { name: `hooks-${backend}`, display_name: 'Hooks', type: 'O' } })).json;
    const channel = (await admin.request('POST', '/api/v4/channels', { body: { team_id: team.id, name: 'alerts', display_name: 'Alerts', type: 'O' } })).json;
    const hook = await admin.request('POST', '/api/v4/hooks/incoming', { body: { channel_id: channel.id, display_name: 'CI' } });
    expect(hook.status).toBe(201);
    const res = await send(h.url, 'POST', `/hooks/${hook.json.id}`, { body: JSON.stringify({ text: 'build green', username: 'ci' }) });
    expect(res.status).toBe(200);
    expect(res.text).toBe('ok');
    const posts = await admin.request('GET', `/api/v4/channels/${channel.id}/posts`);
    const [post] = Object.values(posts.json.posts as Record<string, { message: string; props: Record<string, unknown> }>);
    expect(post).toMatchObject({ message: 'build green', props: { from_webhook: 'true', override_username: 'ci' } });
  });
});

describe.each(BACKENDS)('what the gateway forwards for /hooks/ and how it limits (%s)', (backend) => {
  let h: Harness;
  let recorder: http.Server;
  const seen: { url: string; method: string; headers: http.IncomingHttpHeaders }[] = [];
  beforeAll(async () => {
    recorder = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'MMAUTHTOKEN=evil; Path=/' });
        res.end('ok');
      });
    });
    await listen(recorder, 0, '127.0.0.1');
    const port = (recorder.address() as { port: number }).port;
    h = await startHarness(backend, { config: { chat: { url: `http://127.0.0.1:${port}` } } });
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => recorder.close(resolve));
  });

  it('forwards no cookie, no Authorization, no assertion and no invented identity header', async () => {
    const admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
    const before = seen.length;
    const res = await send(h.url, 'POST', `/hooks/${hookId(1)}?x=1`, {
      body: '{"text":"hi"}', from: '127.0.0.2',
      headers: {
        cookie: [...admin.jar].map(([k, v]) => `${k}=${v}`).join('; '), authorization: `Bearer ${admin.token}`,
        'x-gatehouse-assertion': 'forged', 'x-user-id': 'root', 'x-forwarded-user': 'root', 'x-csrf-token': admin.jar.get('MMCSRF') ?? 'x',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(seen.length).toBe(before + 1);
    const forwarded = seen.at(-1)!;
    expect(forwarded).toMatchObject({ method: 'POST', url: `/hooks/${hookId(1)}` });
    for (const name of ['authorization', 'cookie', 'x-gatehouse-assertion', 'x-user-id', 'x-forwarded-user', 'x-csrf-token', 'token']) {
      expect(forwarded.headers[name], name).toBeUndefined();
    }
    expect(forwarded.headers['content-type']).toBe('application/json');
    expect(forwarded.headers['x-request-id']).toBe(res.headers['x-request-id']);
  });

  it('answers other methods with 405 and malformed ids with 404, forwarding nothing', async () => {
    const before = seen.length;
    const get = await send(h.url, 'GET', `/hooks/${hookId(2)}`, { from: '127.0.0.2' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(JSON.parse(get.text)).toMatchObject({ id: 'api.context.method_not_allowed.app_error', status_code: 405 });
    expect((await send(h.url, 'PUT', `/hooks/${hookId(2)}`, { body: '{}', from: '127.0.0.2' })).status).toBe(405);
    for (const path of ['/hooks/short', `/hooks/${hookId(2).toUpperCase()}`, `/hooks/${hookId(2)}/extra`, '/hooks/commands/abc', '/hooks/']) {
      const res = await send(h.url, 'POST', path, { body: '{}', from: '127.0.0.2' });
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.text).id).toBe('api.context.404.app_error');
    }
    const huge = await send(h.url, 'POST', `/hooks/${hookId(2)}`, { headers: { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) }, from: '127.0.0.2' });
    expect(huge.status).toBe(413);
    expect(seen.length).toBe(before);
  });

  it(`limits one hook to ${HOOK_CALLS_PER_MINUTE} calls a minute with a Mattermost-shaped 429`, async () => {
    const before = seen.length;
    for (let i = 0; i < HOOK_CALLS_PER_MINUTE; i += 1) {
      // Spread over addresses so only the per-hook limit can be reached.
      expect((await send(h.url, 'POST', `/hooks/${hookId(3)}`, { body: '{"text":"x"}', from: `127.0.1.${(i % 50) + 1}` })).status).toBe(200);
    }
    const limited = await send(h.url, 'POST', `/hooks/${hookId(3)}`, { body: '{"text":"x"}', from: '127.0.1.99' });
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text)).toMatchObject({ id: 'web.incoming_webhook.rate_limited.app_error', status_code: 429, request_id: limited.headers['x-request-id'] });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe(String(HOOK_CALLS_PER_MINUTE));
    expect(seen.length).toBe(before + HOOK_CALLS_PER_MINUTE);
    // Another hook is not affected.
    expect((await send(h.url, 'POST', `/hooks/${hookId(4)}`, { body: '{"text":"x"}', from: '127.0.1.99' })).status).toBe(200);
  });

  it(`limits one client address to ${HOOK_CALLS_PER_ADDRESS_PER_MINUTE} calls a minute across hooks (guessing ids costs)`, async () => {
    const from = '127.0.2.1';
    for (let i = 0; i < HOOK_CALLS_PER_ADDRESS_PER_MINUTE; i += 1) {
      expect((await send(h.url, 'POST', `/hooks/${hookId(1000 + i)}`, { body: '{}', from })).status).toBe(200);
    }
    const before = seen.length;
    expect((await send(h.url, 'POST', `/hooks/${hookId(5000)}`, { body: '{}', from })).status).toBe(429);
    expect(seen.length).toBe(before);
    expect((await send(h.url, 'POST', `/hooks/${hookId(5000)}`, { body: '{}', from: '127.0.2.2' })).status).toBe(200);
  });
});

describe('the rate-limit key of a client address', () => {
  it('is the IPv4 address itself, and an IPv6 address\'s /64', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
  });
});
