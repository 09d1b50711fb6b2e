/**
 * createChatCore: opens and migrates the database, wires verification, the mirror, the websocket
 * hub and the HTTP app. It never listens (see main.ts) and never reads the environment.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createAuthorizer } from '../../policies/authorizer.js';
import { createUserAuthenticator } from './auth/authenticate.js';
import { createRemoteJwks } from './auth/remote-jwks.js';
import { createAssertionVerifier } from './auth/verify-assertion.js';
import { createProvisionVerifier } from './auth/verify-provision.js';
import { validateChatCoreConfig, type ChatCoreOptions } from './config.js';
import { shuttingDown } from './http/chat-error.js';
import { createExpressApp } from './http/express-app.js';
import { createLocalFileStore, createMemoryFileStore } from './files/file-store.js';
import { createChatMetrics } from './http/metrics.js';
import { createLifecycle } from './http/lifecycle.js';
import type { ChatServices } from './services.js';
import { openDatabase, pingDatabase, type ChatDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrations.js';
import { createUserMirror } from './users/user-mirror.js';
import { drainOutgoingWebhooks } from './webhooks/outgoing-trigger.js';
import { createRedisEventBus, type EventBus } from './websocket/event-bus.js';
import { createWebsocketHub } from './websocket/hub.js';
import { createUpgradeHandler } from './websocket/upgrade.js';

export type { ChatCoreOptions } from './config.js';

export interface ChatCore {
  handleRequest: (req: IncomingMessage, res: ServerResponse) => void;
  handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Resolves when the database answers (for /readyz). */
  ready(): Promise<void>;
  /** Refuses new work, closes websockets, waits for requests in flight, closes the database. */
  close(): Promise<void>;
}

export async function createChatCore(options: ChatCoreOptions): Promise<ChatCore> {
  const config = validateChatCoreConfig(options.config);
  const { db } = openDatabase(config);
  await migrateOrClose(db);
  const bus = config.redisUrl
    ? await createRedisEventBus({ url: config.redisUrl, channel: `${config.redisKeyPrefix}websocket`, logger: options.logger }).catch(async (error: unknown) => {
      await db.destroy();
      throw error;
    })
    : undefined;
  const services = await buildServices(options, config, db, bus);
  const keys = createRemoteJwks({
    url: config.jwksUrl, algorithm: config.algorithm, cooldownMs: config.jwksCooldownMs,
    fetch: options.fetch ?? fetch, now: services.now, logger: services.logger,
  });
  const metrics = createChatMetrics();
  const authenticator = createUserAuthenticator(createAssertionVerifier(config, { keys, ...(options.now ? { now: options.now } : {}) }), services.mirror, (result) => metrics.assertionsVerified.inc({ result }));
  const provisionVerifier = createProvisionVerifier(config, { keys, now: services.now });
  const lifecycle = createLifecycle();
  const ready = async (): Promise<void> => {
    if (lifecycle.closing) throw new Error('chat-core is closing');
    await pingDatabase(db);
  };
  const app = createExpressApp({ services, authenticator, provisionVerifier, ready, metrics });
  let closed: Promise<void> | undefined;
  return {
    handleRequest(req, res) {
      if (lifecycle.admit(req, res)) return void app(req, res);
      res.setHeader('Connection', 'close');
      res.statusCode = 503;
      res.setHeader('Content-Type', 'application/json');
      const error = shuttingDown();
      res.end(JSON.stringify({ id: error.id, message: error.publicMessage, detailed_error: '', request_id: '', status_code: 503 }));
    },
    handleUpgrade: createUpgradeHandler(services, authenticator, () => lifecycle.closing),
    ready,
    close() {
      closed ??= (async () => {
        lifecycle.beginClose();
        await services.hub.closeAll(1001, 'server shutting down');
        await lifecycle.drained();
        await drainOutgoingWebhooks(services);
        await bus?.close();
        await db.destroy();
      })();
      return closed;
    },
  };
}

async function migrateOrClose(db: ChatDatabase): Promise<void> {
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

async function buildServices(options: ChatCoreOptions, config: ChatServices['config'], db: ChatDatabase, bus: EventBus | undefined): Promise<ChatServices> {
  const now = options.now ?? Date.now;
  const logger = options.logger;
  return {
    config, db, now, logger,
    files: config.filesDirectory ? createLocalFileStore(config.filesDirectory) : createMemoryFileStore(),
    authz: await createAuthorizer(),
    mirror: createUserMirror({ db, now }),
    hub: createWebsocketHub({ logger, ...(bus ? { bus } : {}) }),
  };
}
