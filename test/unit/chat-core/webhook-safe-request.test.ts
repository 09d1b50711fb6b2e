/** The SSRF-guarded POST, against real servers on 127.0.0.1 (allowed by name where a test needs to connect). */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusedDestination, checkedDestination, safePost } from '../../../chat-core/src/webhooks/safe-request.js';

const options = { headers: { 'content-type': 'text/plain' }, body: 'hello', timeoutMs: 2000, maxResponseBytes: 1024, allowedHosts: ['127.0.0.1'] };

describe('safePost', () => {
  let server: http.Server;
  let base: string;
  const seen: { url: string; host: string; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      req.on('end', () => {
        seen.push({ url: req.url ?? '', host: req.headers.host ?? '', body });
        if (req.url === '/big') { res.end('x'.repeat(4096)); return; }
        if (req.url === '/silent') return; // never answers
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts to an allowed host and returns the answer, with the Host header of the URL', async () => {
    const res = await safePost(`${base}/ok?x=1`, options);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"ok":true}');
    expect(seen.at(-1)).toEqual({ url: '/ok?x=1', host: new URL(base).host, body: 'hello' });
  });

  it('refuses loopback, private and non-http destinations before connecting', async () => {
    const before = seen.length;
    const port = new URL(base).port;
    for (const url of [`http://localhost:${port}/`, `http://127.0.0.2:${port}/`, `http://[::1]:${port}/`, `http://0.0.0.0:${port}/`, 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/']) {
      await expect(safePost(url, { ...options, allowedHosts: [] })).rejects.toBeInstanceOf(RefusedDestination);
    }
    await expect(checkedDestination(new URL('file:///etc/passwd'), [])).rejects.toBeInstanceOf(RefusedDestination);
    await expect(checkedDestination(new URL('http://no-such-host.invalid/'), [])).rejects.toBeInstanceOf(RefusedDestination);
    expect(seen.length).toBe(before);
  });

  it('connects an allowed host name to the very address it resolved and checked', async () => {
    const [first] = await lookup('localhost', { all: true, verbatim: true });
    const named = http.createServer((req, res) => { req.resume(); res.end(req.headers.host); });
    await new Promise<void>((resolve) => named.listen(0, first!.address, resolve));
    try {
      const port = (named.address() as AddressInfo).port;
      const res = await safePost(`http://localhost:${port}/`, { ...options, allowedHosts: ['LOCALHOST'] });
      expect(res.body.toString()).toBe(`localhost:${port}`);
      expect((await checkedDestination(new URL(`http://localhost:${port}/`), ['localhost'])).address).toBe(first!.address);
    } finally {
      await new Promise((resolve) => named.close(resolve));
    }
  });

  it('caps the answer and gives up on a callback that never answers', async () => {
    await expect(safePost(`${base}/big`, options)).rejects.toThrow(/larger than 1024 bytes/);
    await expect(safePost(`${base}/silent`, { ...options, timeoutMs: 200 })).rejects.toThrow(/no answer within 200 ms/);
  });
});
