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
});

export type ChatCoreConfig = z.infer<typeof configSchema>;

export interface ChatCoreOptions {
  config: ChatCoreConfig;
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
