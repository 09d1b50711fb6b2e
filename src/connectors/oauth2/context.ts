/**
 * What every step of the OAuth 2.0 connector is handed, and the one way it refuses: a warn line
 * naming the reason, then OIDC_INVALID_RESPONSE (public message generic, `detail` precise).
 */
import type pino from 'pino';
import type { EphemeralStore } from '../../store/ephemeral/contract.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ResolvedOAuth2Config } from './presets.js';

export interface OAuth2Context {
  config: ResolvedOAuth2Config;
  /** Our redirect URI (`${siteUrl}/auth/${id}/callback`). */
  callbackUrl: string;
  store: EphemeralStore;
  logger: pino.Logger;
  now: () => number;
  fetch: typeof fetch;
}

/** Login state lives 10 minutes: long enough to sign in at the provider, short enough to be useless later. */
export const STATE_TTL_MS = 10 * 60_000;

/**
 * State keys are shared by every OAuth connector (not prefixed by connector), so a state issued
 * for one connector and returned to another is recognised as a mix-up rather than "unknown".
 */
export function stateKey(state: string): string {
  return `oauth2:state:${state}`;
}

/** Log the reason (never a code or token), then throw the refusal. */
export function refuse(ctx: Pick<OAuth2Context, 'config' | 'logger'>, reason: string, cause?: unknown): never {
  ctx.logger.warn({ connector: ctx.config.id, reason }, 'oauth response refused');
  throw new GatewayError('OIDC_INVALID_RESPONSE', { detail: reason, cause });
}
