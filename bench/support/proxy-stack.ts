/**
 * The two layouts bench/proxy measures, both on the embedded stores (SQLite + memory):
 *   one-process      gateway and chat-core share this process and its event loop (`npm start`);
 *   chat-core-child  chat-core runs in a child process of its own, as in a cluster.
 * Each is seeded through the gateway's public API: the first admin logs in, creates a team and a
 * channel, and posts into it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http, { type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createLogger } from '../../src/http/logger.js';
import { listen, startGateway, type RunningGateway } from '../../src/server.js';
import { chatCoreConfig } from '../../src/cli/chat-launcher.js';
import { ADMIN, apiClient, startHarness } from '../../test/support/gateway-harness.js';

export type Layout = 'one-process' | 'chat-core-child';

export interface ProxyStack {
  layout: Layout;
  gatewayUrl: string;
  chatUrl: string;
  gw: RunningGateway;
  /** chat-core's process id in the chat-core-child layout. */
  chatPid?: number;
  sessionToken: string;
  channelId: string;
  /** The assertion the gateway itself attaches for this session (its cached one). */
  assertion(): Promise<string>;
  close(): Promise<void>;
}

export async function startStack(layout: Layout, posts: number): Promise<ProxyStack> {
  const base = layout === 'one-process' ? await startOneProcess() : await startWithChild();
  const { token, channelId } = await seed(base.gatewayUrl, posts);
  return { layout, ...base, sessionToken: token, channelId, assertion: () => assertionFor(base.gw, token) };
}

interface Started { gatewayUrl: string; chatUrl: string; gw: RunningGateway; chatPid?: number; close(): Promise<void> }

async function startOneProcess(): Promise<Started> {
  const h = await startHarness('embedded');
  return { gatewayUrl: h.url, chatUrl: h.chatUrl, gw: h.gw, close: () => h.close() };
}

async function startWithChild(): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const server = http.createServer();
  await listen(server, 0, '127.0.0.1');
  const port = (server.address() as { port: number }).port;
  const base: ConfigInput = { siteUrl: `http://127.0.0.1:${port}`, dataDir, listen: { host: '127.0.0.1', port }, logging: { level: 'silent' }, admin: ADMIN };
  const child = fork(new URL('./chat-core-child.ts', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const chatPort = await childPort(child, chatCoreConfig(loadConfig({ env: {}, overrides: base })));
  const chatUrl = `http://127.0.0.1:${chatPort}`;
  const config = loadConfig({ env: {}, overrides: { ...base, chat: { url: chatUrl } } });
  const gw = await startGateway(config, createLogger({ level: 'silent' }), { server });
  return {
    gatewayUrl: gw.url, chatUrl, gw, ...(child.pid ? { chatPid: child.pid } : {}),
    async close() {
      await gw.close();
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function childPort(child: ChildProcess, config: unknown): Promise<number> {
  child.send({ config });
  const [message] = (await once(child, 'message')) as [{ port?: number; error?: string }];
  if (!message.port) throw new Error(`chat-core child failed: ${message.error ?? 'no port'}`);
  return message.port;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.send('close');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function seed(gatewayUrl: string, posts: number): Promise<{ token: string; channelId: string }> {
  const c = apiClient(gatewayUrl);
  expectStatus(await c.login(ADMIN.username, ADMIN.password), 200, 'login');
  const team = expectStatus(await c.request('POST', '/api/v4/teams', { body: { name: 'bench', display_name: 'Bench', type: 'O' } }), 201, 'create team');
  const channel = expectStatus(await c.request('POST', '/api/v4/channels', { body: { team_id: team.json.id, name: 'town-square', display_name: 'Town Square', type: 'O' } }), 201, 'create channel');
  for (let i = 0; i < posts; i += 1) {
    const message = `post ${i}: the quick brown fox jumps over the lazy dog, again and again, to give the post a realistic length.`;
    expectStatus(await c.request('POST', '/api/v4/posts', { body: { channel_id: channel.json.id, message } }), 201, 'create post');
  }
  return { token: c.token!, channelId: channel.json.id as string };
}

function expectStatus<T extends { status: number; text: string }>(r: T, status: number, what: string): T {
  if (r.status !== status) throw new Error(`seeding failed: ${what} answered ${r.status} ${r.text.slice(0, 200)}`);
  return r;
}

/** The gateway's own code path: authenticate the session token, then its cached assertion. */
async function assertionFor(gw: RunningGateway, token: string): Promise<string> {
  const ctx = gw.gateway.ctx;
  const fakeReq = { method: 'GET', headers: { authorization: `Bearer ${token}` } } as IncomingMessage;
  const principal = await ctx.authenticator.authenticate(fakeReq);
  if (!principal) throw new Error('the gateway did not accept the bench session');
  return ctx.minter.assertionFor(principal);
}
