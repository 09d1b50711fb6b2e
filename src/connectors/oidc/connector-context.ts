/**
 * Everything one OIDC connector's operations share: parsed config, the discovered provider
 * configuration (openid-client), its JWKS (jose), the claim map and the injected store, logger,
 * clock and fetch — plus the one way a response is refused.
 */
import type pino from 'pino';
import type * as client from 'openid-client';
import type { JWTVerifyGetKey } from 'jose';
import type { EphemeralStore } from '../../store/ephemeral/contract.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { OidcClaimMap, OidcConnectorConfig } from './config-schema.js';

export interface OidcContext {
  config: OidcConnectorConfig;
  /** The redirect_uri we send, and every callback path we accept. */
  callbackUrl: string;
  callbackPaths: string[];
  scopes: string[];
  claimMap: Required<OidcClaimMap>;
  provider: client.Configuration;
  jwks: JWTVerifyGetKey;
  store: EphemeralStore;
  logger: pino.Logger;
  now: () => number;
}

/** Login state lives 10 minutes: long enough for an IdP login with MFA, short for replay. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

/** The store key of one login's state/nonce/PKCE verifier (namespaced per connector: mix-up defence). */
export function loginStateKey(connectorId: string, state: string): string {
  return `oidc:login:${connectorId}:${state}`;
}

export function logoutJtiKey(connectorId: string, jti: string): string {
  return `oidc:logout-jti:${connectorId}:${jti}`;
}

/** Log the precise reason (never a token), then throw the generic public error. */
export function refuse(ctx: Pick<OidcContext, 'config' | 'logger'>, code: 'OIDC_INVALID_RESPONSE' | 'OIDC_INVALID_LOGOUT', detail: string, cause?: unknown): never {
  ctx.logger.warn({ connector: ctx.config.id, reason: detail }, code === 'OIDC_INVALID_LOGOUT' ? 'oidc logout token refused' : 'oidc response refused');
  throw new GatewayError(code, { detail: `connector ${ctx.config.id}: ${detail}`, cause });
}

/**
 * openid-client wraps oauth4webapi's precise error ("unexpected JWT \"nonce\" (nonce) claim value")
 * in a generic one; follow `cause` for the messages and the claim/header names only — never the
 * token, claims set or response body those causes also carry.
 */
export function reasonOf(err: unknown, depth = 0): string {
  if (!(err instanceof Error)) {
    if (typeof err !== 'object' || err === null) return depth === 0 ? String(err) : '';
    const c = err as Record<string, unknown>;
    const names = ['claim', 'header', 'parameter'].filter((k) => typeof c[k] === 'string').map((k) => `${k} ${c[k] as string}`);
    return names.length ? ` (${names.join(', ')})` : '';
  }
  const e = err as Error & { error?: string; error_description?: string };
  const own = e.error ? `${e.error}${e.error_description ? `: ${e.error_description}` : ''}` : e.message;
  if (depth >= 3 || e.cause === undefined) return own;
  const inner = reasonOf(e.cause, depth + 1);
  return e.cause instanceof Error ? `${own}: ${inner}` : `${own}${inner}`;
}
