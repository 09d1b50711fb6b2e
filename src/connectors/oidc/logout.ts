/**
 * Logout: RP-initiated (RP-Initiated Logout 1.0 §2: end_session_endpoint with id_token_hint and
 * post_logout_redirect_uri) and back-channel logout tokens (Back-Channel Logout 1.0 §2.6).
 */
import * as client from 'openid-client';
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { logoutJtiKey, refuse, type OidcContext } from './connector-context.js';
import { expectedIssuer } from './id-token.js';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token older than this is refused (§2.6 leaves the window to the RP). */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 5 * 60;

export function logoutUrl(ctx: OidcContext, input: { idTokenHint: string; postLogoutRedirectUri: string }): string | undefined {
  if (!ctx.provider.serverMetadata().end_session_endpoint) return undefined;
  return client.buildEndSessionUrl(ctx.provider, { id_token_hint: input.idTokenHint, post_logout_redirect_uri: input.postLogoutRedirectUri }).href;
}

function invalid(ctx: OidcContext, detail: string, cause?: unknown): never {
  refuse(ctx, 'OIDC_INVALID_LOGOUT', detail, cause);
}

async function verifySignature(ctx: OidcContext, token: string): Promise<JWTPayload> {
  let typ: string | undefined;
  try {
    typ = decodeProtectedHeader(token).typ;
  } catch (err) {
    invalid(ctx, 'the logout token is not a JWT', err);
  }
  // §2.6 / RFC 8725 §3.11: typ logout+jwt when present (an ID token is not a logout token).
  if (typ !== undefined && !/^(application\/)?logout\+jwt$/i.test(typ)) invalid(ctx, `logout token typ ${JSON.stringify(typ)} is not logout+jwt`);
  try {
    const unverified = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as JWTPayload;
    const { payload } = await jwtVerify(token, ctx.jwks, {
      algorithms: ctx.config.idTokenAlgorithms,
      issuer: expectedIssuer(ctx, unverified),
      audience: ctx.config.clientId,
      currentDate: new Date(ctx.now()),
      clockTolerance: ctx.config.clockSkewSeconds,
      maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
      requiredClaims: ['iss', 'aud', 'iat', 'jti'],
    });
    return payload;
  } catch (err) {
    invalid(ctx, `logout token: ${(err as Error).message}`, err);
  }
}

function checkClaims(ctx: OidcContext, claims: JWTPayload): void {
  const iat = claims.iat!;
  if (iat > Math.floor(ctx.now() / 1000) + ctx.config.clockSkewSeconds) invalid(ctx, `logout token iat ${iat} is in the future`);
  const events = claims.events as Record<string, unknown> | undefined;
  const event = events && typeof events === 'object' ? events[BACKCHANNEL_EVENT] : undefined;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) invalid(ctx, `logout token events claim has no ${BACKCHANNEL_EVENT} object`);
  if (typeof claims.sub !== 'string' && typeof claims.sid !== 'string') invalid(ctx, 'logout token has neither sub nor sid');
  // §2.4: a nonce is forbidden, so an ID token can never pass as a logout token.
  if ('nonce' in claims) invalid(ctx, 'logout token carries a nonce');
}

export async function verifyLogoutToken(ctx: OidcContext, token: string): Promise<{ sub?: string; sid?: string }> {
  const claims = await verifySignature(ctx, token);
  checkClaims(ctx, claims);
  // jti replay cache for as long as the token could pass the age check.
  const ttlMs = (LOGOUT_TOKEN_MAX_AGE_SECONDS + 2 * ctx.config.clockSkewSeconds) * 1000;
  const fresh = await ctx.store.setIfAbsent(logoutJtiKey(ctx.config.id, claims.jti!), '1', ttlMs);
  if (!fresh) invalid(ctx, `logout token jti ${claims.jti} was already used (replay)`);
  return { ...(typeof claims.sub === 'string' ? { sub: claims.sub } : {}), ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}) };
}
