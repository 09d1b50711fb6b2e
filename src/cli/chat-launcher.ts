/**
 * Starting chat-core from the `gatehouse` command. The CLI is the process's composition root and the
 * one place in src/ allowed to import chat-core's entry point; the gateway itself imports only
 * chat-core/contract.ts (test/unit/import-boundaries.test.ts holds both sides to it).
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { JWKS_PATH } from '../keys/jwks-routes.js';
import { startChatCore } from '../../chat-core/src/main.js';
import { migrateChatCore } from '../../chat-core/src/store/database.js';

export function chatCoreConfig(config: Config) {
  return {
    databaseUrl: config.chat.databaseUrl,
    sqlitePath: join(resolve(config.dataDir), 'chat.sqlite'),
    issuer: config.siteUrl,
    jwksUrl: config.chat.jwksUrl ?? `http://${config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host}:${config.listen.port}${JWKS_PATH}`,
    algorithm: config.assertion.algorithm,
    clockSkewSeconds: config.assertion.clockSkewSeconds,
    jwksCooldownMs: 30_000,
    maxPostLength: config.chat.maxPostLength,
  };
}

export async function startChat(config: Config, logger: Logger, options: { now?: () => number } = {}) {
  return startChatCore({ config: chatCoreConfig(config), logger: logger.child({ service: 'chat-core' }), host: config.chat.host, port: config.chat.port, ...(options.now ? { now: options.now } : {}) });
}

export async function migrateChat(config: Config) {
  return migrateChatCore({ databaseUrl: config.chat.databaseUrl, sqlitePath: join(resolve(config.dataDir), 'chat.sqlite') });
}
