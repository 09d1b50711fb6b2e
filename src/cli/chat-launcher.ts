/**
 * Starting chat-core from the `gatehouse` command. The CLI is the process's composition root and the
 * one place in src/ allowed to import chat-core's entry point; the gateway itself imports only
 * chat-core/contract.ts (test/unit/import-boundaries.test.ts holds both sides to it).
 */
import { hkdfSync } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { JWKS_PATH } from '../keys/jwks-routes.js';
import { loadSecretKey } from '../keys/seal.js';
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
    maxFileSize: config.chat.maxFileSize,
    filesDirectory: config.chat.filesDirectory ?? join(resolve(config.dataDir), 'files'),
    ...(config.redis.url ? { redisUrl: config.redis.url, redisKeyPrefix: `${config.redis.keyPrefix}chat:` } : {}),
    secretKey: chatSecretKey(config),
    incomingWebhooks: config.chat.incomingWebhooks,
    outgoingWebhooks: config.chat.outgoingWebhooks,
    webhookAllowedHosts: config.chat.webhookAllowedHosts,
  };
}

/** chat-core's own key, derived from the gateway's: chat-core never holds the key that seals the gateway's secrets. */
function chatSecretKey(config: Config): string {
  const key = loadSecretKey(config.secretKey, join(resolve(config.dataDir), 'secret.key'));
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'gatehouse chat-core secret key v1', 32)).toString('base64');
}

export async function startChat(config: Config, logger: Logger, options: { now?: () => number } = {}) {
  return startChatCore({ config: chatCoreConfig(config), logger: logger.child({ service: 'chat-core' }), host: config.chat.host, port: config.chat.port, ...(options.now ? { now: options.now } : {}) });
}

export async function migrateChat(config: Config) {
  return migrateChatCore({ databaseUrl: config.chat.databaseUrl, sqlitePath: join(resolve(config.dataDir), 'chat.sqlite') });
}
