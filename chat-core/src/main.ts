/**
 * startChatCore: an http.Server around createChatCore, with graceful shutdown: stop accepting,
 * close idle keep-alive connections, let chat-core drain (websockets, requests in flight, the
 * database), and force-close whatever is still open after the drain timeout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChatCore, type ChatCore } from './app.js';
import type { ChatCoreOptions } from './config.js';

export interface StartChatCoreOptions extends ChatCoreOptions {
  host: string;
  port: number;
  /** After this, connections still open are destroyed; default 10 s. */
  drainTimeoutMs?: number;
}

export interface RunningChatCore {
  server: http.Server;
  core: ChatCore;
  close(): Promise<void>;
}

export async function startChatCore(options: StartChatCoreOptions): Promise<RunningChatCore> {
  const core = await createChatCore(options);
  const server = http.createServer(core.handleRequest);
  server.on('upgrade', core.handleUpgrade);
  // Longer than the gateway keeps an idle pooled connection (30 s): a client must never reuse a
  // connection the server is closing at that very moment ("socket hang up" → 502).
  server.keepAliveTimeout = 65_000;
  try {
    await listen(server, options.host, options.port);
  } catch (error) {
    await core.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  options.logger.info({ host: address.address, port: address.port }, 'chat-core listening');
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= drain(server, core, options.drainTimeoutMs ?? 10_000));
  return { server, core, close };
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function drain(server: http.Server, core: ChatCore, timeoutMs: number): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
  force.unref();
  try {
    await core.close();
    server.closeIdleConnections();
    await serverClosed;
  } finally {
    clearTimeout(force);
  }
}
