/**
 * What crosses the proxy. chat-core is replaced here by a recording HTTP server — a test double
 * for the upstream only, so the test can see exactly which headers the gateway forwards.
 */
import http from 'node:http';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';
import { listen } from '../../../src/server.js';

describe('the proxy strips every client credential', () => {
  let h: Harness;
  let recorder: http.Server;
  const seen: http.IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    recorder = http.createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'MMAUTHTOKEN=evil; Path=/' });
      res.end('{"ok":true}');
    });
    await listen(recorder, 0, '127.0.0.1');
    const port = (recorder.address() as { port: number }).port;
    h = await startHarness('embedded', { config: { chat: { url: `http://127.0.0.1:${port}` } } });
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => recorder.close(r));
  });

  it('forwards only its own assertion, never the client cookie, token or identity headers', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const r = await c.request('GET', '/api/v4/channels/abc/posts', {
      useCookies: true,
      headers: {
        'x-gatehouse-assertion': 'forged', 'x-user-id': 'someone-else', 'x-forwarded-user': 'root', 'x-remote-user': 'root',
        'x-mattermost-userid': 'x', 'x-csrf-token': c.jar.get('MMCSRF')!, 'x-requested-with': 'XMLHttpRequest',
      },
    });
    expect(r.status).toBe(200);
    const headers = seen.at(-1)!;
    expect(headers.cookie).toBeUndefined();
    for (const name of ['x-gatehouse-assertion', 'x-user-id', 'x-forwarded-user', 'x-remote-user', 'x-mattermost-userid', 'x-csrf-token', 'token']) {
      expect(headers[name], name).toBeUndefined();
    }
    expect(headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(headers.authorization).not.toContain(c.token!);
    // chat-core cannot set cookies on the gateway's origin.
    expect(r.headers.getSetCookie()).toEqual([]);
  });

  it('replaces a client Authorization header with the assertion', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    await c.request('GET', '/api/v4/posts/xyz');
    const auth = seen.at(-1)!.authorization!;
    expect(auth).not.toContain(c.token!);
    const [header] = auth.slice(7).split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ typ: 'gatehouse-assertion+jwt' });
  });

  it('forwards nothing for a client that presents its own assertion instead of a session', async () => {
    const { privateKey } = await generateKeyPair('EdDSA');
    const forged = await new SignJWT({ sid: 's', roles: ['system_admin'], teams: {} })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'gatehouse-assertion+jwt', kid: 'x' })
      .setIssuer(h.config.siteUrl).setAudience('chat-core').setSubject('u').setIssuedAt().setExpirationTime('5m').sign(privateKey);
    const before = seen.length;
    const r = await fetch(`${h.url}/api/v4/channels/abc`, { headers: { authorization: `Bearer ${forged}`, 'x-gatehouse-assertion': forged } });
    expect(r.status).toBe(401);
    expect(seen.length).toBe(before);
  });

  it('re-uses one assertion per session instead of signing per request', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    await c.request('GET', '/api/v4/channels/one');
    await c.request('GET', '/api/v4/channels/two');
    expect(seen.at(-1)!.authorization).toBe(seen.at(-2)!.authorization);
  });

  it('answers 502 with a Mattermost error when chat-core is down, never a 500', async () => {
    const down = await startHarness('embedded', { config: { chat: { url: 'http://127.0.0.1:1' } } });
    try {
      const c = apiClient(down.url);
      await c.login(ADMIN.username, ADMIN.password);
      const r = await c.request('GET', '/api/v4/channels/abc');
      expect(r.status).toBe(502);
      expect(r.json).toMatchObject({ id: 'api.proxy.upstream_unavailable.app_error', status_code: 502 });
    } finally {
      await down.close();
    }
  });
});

describe('the in-process hand-over to chat-core (gatehouse serve) strips every client credential too', () => {
  let h: Harness;
  const seen: { headers: http.IncomingHttpHeaders; raw: string[] }[] = [];
  beforeAll(async () => {
    // A recording stand-in for the chat-core in this process, so the test sees exactly what it is handed.
    const recorder = {
      handleRequest(req: http.IncomingMessage, res: http.ServerResponse) {
        seen.push({ headers: req.headers, raw: req.rawHeaders });
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      },
      handleUpgrade(_req: http.IncomingMessage, socket: import('node:stream').Duplex) { socket.destroy(); },
    };
    h = await startHarness('embedded', { localChat: recorder });
  });
  afterAll(async () => { await h?.close(); });

  it('hands over only the assertion and the allow-listed headers, in headers and rawHeaders alike', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const r = await c.request('GET', '/api/v4/channels/abc/posts', {
      useCookies: true,
      headers: { 'x-forwarded-user': 'root', 'x-csrf-token': c.jar.get('MMCSRF')!, 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(r.status).toBe(200);
    const { headers, raw } = seen.at(-1)!;
    expect(headers.cookie).toBeUndefined();
    expect(headers['x-forwarded-user']).toBeUndefined();
    expect(headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const rawText = raw.join('\n').toLowerCase();
    expect(rawText).not.toContain('mmauthtoken');
    expect(rawText).not.toContain(c.token!.toLowerCase());
    expect(rawText).not.toContain('x-forwarded-user');
  });
});

