/**
 * Starts the real thing for a test: chat-core and the gateway on port 0, on SQLite + memory
 * (`embedded`) or on fresh PostgreSQL databases + a private Redis key prefix (`cluster`).
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import { createLogger } from '../../src/http/logger.js';
import { listen, startGateway, type RunningGateway } from '../../src/server.js';
import { startChat } from '../../src/cli/chat-launcher.js';
import type { LocalChat } from '../../src/proxy/forward-websocket.js';
import { createTestPostgres, REDIS_URL, uniqueRedisPrefix, type TestPostgres } from './databases.js';

export type Backend = 'embedded' | 'cluster';
export const BACKENDS: Backend[] = ['embedded', 'cluster'];

export const ADMIN = { email: 'admin@example.com', username: 'admin', password: 'Correct horse battery staple 9!' };

export interface Harness {
  backend: Backend;
  url: string;
  chatUrl: string;
  config: Config;
  gw: RunningGateway;
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: ConfigInput;
  now?: () => number;
  /** Create the first admin from config (default true). */
  admin?: boolean;
  /** Listen on this port instead of a random one (when a peer must know the URL first). */
  port?: number;
  /**
   * Hand requests and websockets to chat-core in-process, as `gatehouse serve` does (default true, unless
   * `config.chat.url` points elsewhere); false sends them over TCP.
   */
  localChat?: boolean | LocalChat;
}

export async function startHarness(backend: Backend, options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const databases: TestPostgres[] = [];
  const server = http.createServer();
  await listen(server, options.port ?? 0, '127.0.0.1');
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const base: ConfigInput = {
    siteUrl: url, dataDir, listen: { host: '127.0.0.1', port },
    chat: { host: '127.0.0.1', port: 0 },
    logging: { level: (process.env.GATEHOUSE_TEST_LOG as 'info' | undefined) ?? 'silent' },
    ...(options.admin === false ? {} : { admin: ADMIN }),
  };
  if (backend === 'cluster') {
    const gwDb = await createTestPostgres('gh_gw');
    const chatDb = await createTestPostgres('gh_chat');
    databases.push(gwDb, chatDb);
    base.database = { url: gwDb.url };
    base.chat = { ...base.chat, databaseUrl: chatDb.url };
    base.redis = { url: REDIS_URL, keyPrefix: uniqueRedisPrefix('harness') };
  }
  const chatConfig = loadConfig({ env: {}, overrides: merge(base, options.config ?? {}) });
  const logger = createLogger({ level: chatConfig.logging.level });
  const chat = await startChat(chatConfig, logger, options.now ? { now: options.now } : {});
  const chatPort = (chat.server.address() as { port: number }).port;
  const chatUrl = `http://127.0.0.1:${chatPort}`;
  const config = loadConfig({ env: {}, overrides: merge(merge(base, { chat: { url: chatUrl } }), options.config ?? {}) });
  const gw = await startGateway(config, logger, { server, ...(typeof options.localChat === 'object' ? { localChat: options.localChat } : options.localChat === false || options.config?.chat?.url ? {} : { localChat: chat.core }), ...(options.now ? { now: options.now } : {}) });
  return {
    backend, url, chatUrl, config, gw,
    async close() {
      await gw.close();
      await chat.close();
      for (const db of databases) await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function merge(a: ConfigInput, b: ConfigInput): ConfigInput {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && typeof prev === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...prev, ...v } : v;
  }
  return out as ConfigInput;
}

/** A free loopback port, for a gateway whose URL a test peer (an OIDC provider) must know first. */
export async function freePort(): Promise<number> {
  const probe = http.createServer();
  await listen(probe, 0, '127.0.0.1');
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

/** A tiny fetch-based client that keeps cookies, for tests that act as a browser or API client. */
export function apiClient(baseUrl: string) {
  const jar = new Map<string, string>();
  let token: string | undefined;
  const client = {
    jar,
    get token() { return token; },
    set token(t: string | undefined) { token = t; },
    async request(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; useCookies?: boolean; form?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
      if (token && options.useCookies !== true) headers.authorization ??= `Bearer ${token}`;
      if (options.useCookies && jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(`${baseUrl}${path}`, {
        method, headers, redirect: 'manual',
        body: options.form ? new URLSearchParams(options.form).toString() : options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq);
        const value = pair!.slice(eq + 1);
        if (/Max-Age=0/i.test(c)) jar.delete(name); else jar.set(name, value);
      }
      const text = await res.text();
      let json: unknown;
      try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
      return { status: res.status, headers: res.headers, text, json: json as any };
    },
    async login(loginId: string, password: string) {
      const r = await client.request('POST', '/api/v4/users/login', { body: { login_id: loginId, password } });
      if (r.status === 200) token = r.headers.get('token') ?? undefined;
      return r;
    },
  };
  return client;
}
