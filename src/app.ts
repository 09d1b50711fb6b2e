/**
 * createGateway: wires the routers and the proxy around a context. Never listens, never reads env.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type Application } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { GatewayContext } from './context.js';
import type { Authorizer } from '../policies/authorizer.js';
import type { EphemeralStore } from './store/ephemeral/contract.js';
import type { GatewayDatabase } from './store/sql/schema.js';
import type { SqlDialectName } from './store/sql/connect.js';
import { createUserRepository } from './directory/users.js';
import { createTeamRepository } from './directory/teams.js';
import { createChatProvisioner } from './directory/chat-provisioner.js';
import { createAccessTokenRepository } from './tokens/access-tokens.js';
import { createSessionStore, SESSION_REVOKED_CHANNEL } from './sessions/session-store.js';
import { createAccessResolver } from './sessions/access.js';
import { createAuthenticator } from './sessions/authenticate.js';
import { createAuditLog } from './audit/audit-log.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { createAssertionMinter } from './keys/assertions.js';
import { createSigningKeys, type KeySet } from './keys/signing-keys.js';
import type { Sealer } from './keys/seal.js';
import { buildExpressApp } from './http/express-app.js';
import { createConnectorRegistry } from './connectors/registry.js';
import { newRequestId } from './http/ids.js';
import { startSyncScheduler } from './directory/sync-scheduler.js';
import { deactivateGuestsWhenDisabled, startGuestExpiry } from './invitations/guest-expiry.js';
import { createMailer } from './mail/mailer.js';
import { createSsoRechecker, type SsoRechecker } from './login/sso/sso-recheck.js';
import { createChatNodes } from './proxy/chat-nodes.js';
import { isChatPath } from './proxy/chat-paths.js';
import { createHttpForwarder } from './proxy/forward-http.js';
import { createHookForwarder, isHookPath } from './proxy/forward-hook.js';
import { createWebsocketForwarder, WEBSOCKET_PATH, type LocalChat } from './proxy/forward-websocket.js';

export interface GatewayDeps {
  logger: Logger;
  db: Kysely<GatewayDatabase>;
  dialect: SqlDialectName;
  store: EphemeralStore;
  authorizer: Authorizer;
  sealer: Sealer;
  now?: () => number;
  metrics?: Metrics;
  fetch?: typeof fetch;
  /** chat-core running in this same process (`gatehouse serve`): authenticated requests and websockets are handed to it directly. */
  localChat?: LocalChat;
}

export interface Gateway {
  ctx: GatewayContext;
  app: Application;
  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void;
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Re-read signing keys (after `gatehouse keys rotate`). */
  reloadKeys(): Promise<void>;
  close(): Promise<void>;
}

export const KEYS_ROTATED_CHANNEL = 'keys.rotated';
const KEY_RELOAD_MS = 60_000;

export function chatUrlOf(config: Config): string {
  return chatUrlsOf(config)[0]!;
}

/** Every chat-core node: `chat.urls`, else `chat.url`, else the one this process runs. */
export function chatUrlsOf(config: Config): string[] {
  return config.chat.urls ?? [config.chat.url ?? `http://${config.chat.host}:${config.chat.port}`];
}

export async function createGateway(config: Config, deps: GatewayDeps): Promise<Gateway> {
  const now = deps.now ?? Date.now;
  const { db, store, logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const signingKeys = createSigningKeys({ db, sealer: deps.sealer, now, algorithm: config.assertion.algorithm, retireAfterMs: (config.assertion.ttlSeconds + config.assertion.clockSkewSeconds) * 1000 + 60_000 });
  await signingKeys.ensure();
  let keySet: KeySet = await signingKeys.load();
  const minter = createAssertionMinter({ issuer: config.siteUrl, ttlSeconds: config.assertion.ttlSeconds, keys: keySet, now, onMint: () => metrics.assertionsMinted.inc() });
  const users = createUserRepository(db, now);
  const teams = createTeamRepository(db, now);
  const tokens = createAccessTokenRepository(db, now);
  const sessions = createSessionStore(store, { lengthMs: config.sessions.lengthHours * 3_600_000, idleMs: config.sessions.idleTimeoutMinutes * 60_000 }, now);
  const access = createAccessResolver({ users, teams, store });
  const chatUrl = chatUrlOf(config);
  let rechecker: SsoRechecker | undefined;
  const ctx: GatewayContext = {
    config, logger, now, db, dialect: deps.dialect, store, authorizer: deps.authorizer, users, teams, tokens, sessions, access, sealer: deps.sealer,
    mailer: createMailer(config.mail, { dataDir: config.dataDir, logger }),
    authenticator: createAuthenticator({ sessions, access, tokens, store, onSession: (s) => rechecker?.onSessionUsed(s) }),
    audit: createAuditLog(db, logger, now), metrics, signingKeys, keySet: () => keySet, minter,
    connectors: await createConnectorRegistry(config, { store, logger, now, ...(deps.fetch ? { fetch: deps.fetch } : {}) }),
    chat: createChatProvisioner({ chatUrls: chatUrlsOf(config), assertion: () => minter.provisionAssertion(), logger, ...(deps.fetch ? { fetch: deps.fetch } : {}) }),
  };
  rechecker = createSsoRechecker(ctx);
  const app = buildExpressApp(ctx, chatUrl);
  // Each forwarder takes its own turns, so websockets spread evenly whatever the request mix.
  const localChat = config.chat.urls ? undefined : deps.localChat;
  const httpForwarder = createHttpForwarder(ctx, createChatNodes(chatUrlsOf(config)), localChat);
  const wsForwarder = createWebsocketForwarder(ctx, createChatNodes(chatUrlsOf(config)), localChat);
  const hookForwarder = createHookForwarder(ctx, createChatNodes(chatUrlsOf(config)));

  const unsubscribeRevoked = await store.subscribe(SESSION_REVOKED_CHANNEL, (message) => {
    const { session_id: sessionId } = JSON.parse(message) as { session_id: string };
    minter.forget(sessionId);
    const closed = wsForwarder.closeSession(sessionId);
    if (closed > 0) logger.info({ session_id: sessionId, websockets: closed }, 'closed websockets of a revoked session');
  });
  const reloadKeys = async () => {
    keySet = await signingKeys.load();
    minter.useKeys(keySet);
  };
  const unsubscribeKeys = await store.subscribe(KEYS_ROTATED_CHANNEL, () => {
    reloadKeys().catch((err: Error) => logger.error({ err: err.message }, 'reloading signing keys failed'));
  });
  const keyTimer = setInterval(() => {
    reloadKeys().catch((err: Error) => logger.error({ err: err.message }, 'reloading signing keys failed'));
  }, KEY_RELOAD_MS);
  keyTimer.unref();
  const stopSync = startSyncScheduler(ctx);
  const stopGuestExpiry = startGuestExpiry(ctx);
  await deactivateGuestsWhenDisabled(ctx);

  return {
    ctx,
    app,
    handleRequest(req, res) {
      const requestId = newRequestId();
      res.setHeader('X-Request-Id', requestId);
      if (isHookPath(req.url ?? '/')) {
        void hookForwarder.forward(req, res, requestId);
        return;
      }
      if (isChatPath(req.url ?? '/')) {
        void httpForwarder.forward(req, res, requestId);
        return;
      }
      (req as express.Request).requestId = requestId;
      app(req as express.Request, res as express.Response);
    },
    handleUpgrade(req, socket, head) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== WEBSOCKET_PATH) { socket.destroy(); return; }
      void wsForwarder.upgrade(req, socket, head, newRequestId()).catch((err: Error) => {
        logger.error({ err: err.message }, 'websocket upgrade failed');
        socket.destroy();
      });
    },
    reloadKeys,
    async close() {
      clearInterval(keyTimer);
      stopSync();
      stopGuestExpiry();
      await ctx.mailer.close();
      wsForwarder.closeAll();
      httpForwarder.close();
      hookForwarder.close();
      await unsubscribeRevoked();
      await unsubscribeKeys();
    },
  };
}
