/**
 * Starting the services: open storage, migrate, build, listen; and stopping them gracefully (stop
 * accepting, drain in-flight requests, close sockets, then storage).
 */
import type { LocalChat } from './proxy/forward-websocket.js';
import http from 'node:http';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { createAuthorizer } from '../policies/authorizer.js';
import { createEphemeralStore } from './store/ephemeral/index.js';
import type { EphemeralStore } from './store/ephemeral/contract.js';
import { openSql, type SqlHandle } from './store/sql/connect.js';
import { migrateGateway } from './store/sql/migrations.js';
import type { GatewayDatabase } from './store/sql/schema.js';
import { createSealer, loadSecretKey } from './keys/seal.js';
import { bootstrapFirstAdmin, type BootstrapResult } from './directory/bootstrap.js';
import { warmPasswordHashing } from './login/passwords.js';
import { createGateway, type Gateway } from './app.js';

const DRAIN_MS = 10_000;

export function gatewaySqlTarget(config: Config) {
  return { url: config.database.url, sqlitePath: join(resolve(config.dataDir), 'gateway.sqlite') };
}

export async function openGatewayStorage(config: Config, logger: Logger, now?: () => number): Promise<{ sql: SqlHandle<GatewayDatabase>; store: EphemeralStore }> {
  const sql = openSql<GatewayDatabase>(gatewaySqlTarget(config));
  const report = await migrateGateway(sql.db as never, sql.dialect);
  if (report.applied.length > 0) logger.info({ applied: report.applied, dialect: sql.dialect }, 'gateway migrations applied');
  const store = await createEphemeralStore({ redisUrl: config.redis.url, keyPrefix: config.redis.keyPrefix, logger, ...(now ? { now } : {}) });
  return { sql, store };
}

export interface RunningGateway {
  gateway: Gateway;
  server: http.Server;
  url: string;
  bootstrap: BootstrapResult;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  /** An http.Server already listening (tests bind port 0 first, to know the site URL). */
  server?: http.Server;
  now?: () => number;
  fetch?: typeof fetch;
  /** chat-core in this process (see GatewayDeps.localChat). */
  localChat?: LocalChat;
}

export async function startGateway(config: Config, logger: Logger, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const { sql, store } = await openGatewayStorage(config, logger, options.now);
  const sealer = createSealer(loadSecretKey(config.secretKey, join(resolve(config.dataDir), 'secret.key')));
  const gateway = await createGateway(config, { logger, db: sql.db, dialect: sql.dialect, store, authorizer: await createAuthorizer(), sealer,
    ...(options.now ? { now: options.now } : {}), ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.localChat ? { localChat: options.localChat } : {}) });
  await warmPasswordHashing();
  const bootstrap = await bootstrapFirstAdmin(gateway.ctx);
  const server = options.server ?? http.createServer();
  server.on('request', gateway.handleRequest);
  server.on('upgrade', gateway.handleUpgrade);
  server.keepAliveTimeout = 65_000;
  if (!server.listening) await listen(server, config.listen.port, config.listen.host);
  const url = `http://${config.listen.host}:${(server.address() as { port: number }).port}`;
  return {
    gateway, server, url, bootstrap,
    async close() {
      await drain(server);
      await gateway.close();
      await store.close();
      await sql.close();
    },
  };
}

export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolvePromise(); });
  });
}

/** Stop accepting, let in-flight requests finish (up to DRAIN_MS), then cut what remains. */
export async function drain(server: http.Server): Promise<void> {
  const closed = new Promise<void>((r) => server.close(() => r()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
