import http from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatCore } from '../../../chat-core/src/app.js';
import { ChatCoreConfigError } from '../../../chat-core/src/config.js';
import { startChatCore } from '../../../chat-core/src/main.js';
import { createTestIssuer, type TestIssuer } from '../../support/assertions.js';
import { createTestClock, memberOf, newTeamId } from './harness.js';
import { connect } from './ws-client.js';

const silent = pino({ level: 'silent' });

describe('chat-core process lifecycle', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const start = async (issuer: TestIssuer, sqlitePath = ':memory:', now?: () => number) => {
    const running = await startChatCore({
      config: { sqlitePath, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, algorithm: 'EdDSA', clockSkewSeconds: 30, jwksCooldownMs: 30_000, maxPostLength: 100 },
      logger: silent, host: '127.0.0.1', port: 0, ...(now ? { now } : {}),
    });
    return { running, port: (running.server.address() as AddressInfo).port };
  };

  it('reports every config problem at once', async () => {
    const attempt = createChatCore({ config: { issuer: 'not a url', jwksUrl: '', algorithm: 'RS256', clockSkewSeconds: -1, jwksCooldownMs: 0, maxPostLength: 0 } as never, logger: silent });
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatCoreConfigError);
    expect((error as ChatCoreConfigError).problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['config.issuer', 'config.jwksUrl', 'config.algorithm', 'config.clockSkewSeconds', 'config.maxPostLength']),
    );
  });

  it('creates the SQLite file\'s directory, answers health and readiness, and stops listening on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-core-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const issuer = await createTestIssuer();
    cleanups.push(() => issuer.close());
    const { running, port } = await start(issuer, join(dir, 'data', 'chat.sqlite'));
    expect(existsSync(join(dir, 'data', 'chat.sqlite'))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.headers.get('content-type')).toBe('application/json');
    expect(await ready.json()).toEqual({ status: 'OK' });
    await running.close();
    expect(running.server.listening).toBe(false);
    await expect(running.core.ready()).rejects.toThrow();
  });

  it('drains on close: a request in flight completes and commits, websockets get 1001', async () => {
    const clock = createTestClock();
    const issuer = await createTestIssuer({ now: clock.now });
    cleanups.push(() => issuer.close());
    const { running, port } = await start(issuer, ':memory:', clock.now);
    const team = newTeamId();
    const token = await issuer.mint({ teams: memberOf(team) });
    const channel = await (await fetch(`http://127.0.0.1:${port}/api/v4/channels`, {
      method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ team_id: team, name: 'drain', display_name: 'Drain', type: 'O' }),
    })).json() as { id: string };
    const socket = await connect(`http://127.0.0.1:${port}`, token);
    await socket.next((m) => m.event === 'hello');

    const body = JSON.stringify({ channel_id: channel.id, message: 'sent during shutdown' });
    const order: string[] = [];
    const response = new Promise<{ status: number; text: string }>((resolve) => {
      const req = http.request({ port, method: 'POST', path: '/api/v4/posts', headers: { authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => { text += chunk.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      // close() begins once the server holds the request: headers in, body still pending.
      running.server.once('request', (_incoming, outgoing: http.ServerResponse) => {
        outgoing.once('finish', () => order.push('response'));
        const closing = running.close().then(() => order.push('closed'));
        void socket.closed.then(() => req.end(body.slice(10)));
        cleanups.push(() => closing.then(() => undefined));
      });
      req.write(body.slice(0, 10));
    });
    const answer = await response;
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.text)).toMatchObject({ message: 'sent during shutdown' });
    expect(await socket.closed).toMatchObject({ code: 1001 });
    await cleanups.at(-1)?.();
    expect(order).toEqual(['response', 'closed']);
  });
});
