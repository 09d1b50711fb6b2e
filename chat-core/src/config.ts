/**
 * chat-core's configuration: validated once (every problem reported together, with its path),
 * then frozen. chat-core reads no environment; its host process hands it this object.
 */
import { z } from 'zod';
import type { Logger } from 'pino';

const configSchema = z.object({
  databaseUrl: z.string().regex(/^postgres(?:ql)?:\/\//, 'must be a postgres:// URL').optional(),
  sqlitePath: z.string().min(1).optional(),
  issuer: z.string().url(),
  jwksUrl: z.string().url(),
  algorithm: z.enum(['EdDSA', 'ES256']),
  clockSkewSeconds: z.number().int().min(0).max(300),
  jwksCooldownMs: z.number().int().min(0),
  maxPostLength: z.number().int().min(1).max(65_535),
  /** Where uploaded files and emoji images live; absent: kept in memory (tests, throw-away runs). */
  filesDirectory: z.string().min(1).optional(),
  /** Largest upload, in bytes (Mattermost's MaxFileSize; default 100 MiB). */
  maxFileSize: z.number().int().min(1).max(1024 ** 3).default(104_857_600),
  /** Redis for websocket fan-out across chat-core nodes; absent: this node's sockets only. */
  redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  redisKeyPrefix: z.string().default('gatehouse:chat:'),
  /**
   * 32 bytes, base64: seals outgoing-webhook tokens at rest. The gateway's launcher derives it from
   * the gateway's secret key; absent, outgoing webhooks cannot be created.
   */
  secretKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64 (44 characters)').optional(),
  incomingWebhooks: z.boolean().default(true),
  outgoingWebhooks: z.boolean().default(true),
  /**
   * Hosts an outgoing webhook may call although they resolve to loopback or private addresses
   * (Mattermost's AllowedUntrustedInternalConnections); every other such address is refused.
   */
  webhookAllowedHosts: z.array(z.string().min(1)).default([]),
});

export type ChatCoreConfig = z.output<typeof configSchema>;
export type ChatCoreConfigInput = z.input<typeof configSchema>;

export interface ChatCoreOptions {
  config: ChatCoreConfigInput;
  /** Child loggers carry `request_id`. */
  logger: Logger;
  /** Injected clock, milliseconds since the epoch. */
  now?: () => number;
  /** Injected fetch for the gateway JWKS. */
  fetch?: typeof fetch;
}

export class ChatCoreConfigError extends Error {
  override readonly name = 'ChatCoreConfigError';
  constructor(readonly problems: string[]) {
    super(`chat-core config is invalid:\n  ${problems.join('\n  ')}`);
  }
}

export function validateChatCoreConfig(input: unknown): Readonly<ChatCoreConfig> {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ChatCoreConfigError(parsed.error.issues.map((issue) => `config.${issue.path.join('.')}: ${issue.message}`));
  }
  return Object.freeze(parsed.data);
}
