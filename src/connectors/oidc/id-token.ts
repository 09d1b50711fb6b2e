/**
 * The ID token checks we do ourselves (OIDC Core §3.1.3.7), on top of openid-client's: the
 * signature against the provider's JWKS with the algorithms pinned (openid-client does not verify
 * signatures of ID tokens from the token endpoint), `iss`, `aud`, `azp`, `exp`, `iat` not in the
 * future (openid-client accepts a future `iat`), `nonce`, `auth_time` against max_age, and the
 * provider quirks: Entra's tenant (`tid`) and Google's hosted domain (`hd`).
 */
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcContext } from './connector-context.js';

/** A check that failed; the caller logs and refuses with this reason. */
export class IdTokenError extends Error {
  override readonly name = 'IdTokenError';
}

/** Entra's multi-tenant issuer names the tenant; every token must carry the issuer with its own `tid`. */
export function expectedIssuer(ctx: Pick<OidcContext, 'config'>, claims: JWTPayload): string {
  const { issuer } = ctx.config;
  if (!issuer.includes('{tenantid}')) return issuer;
  if (typeof claims.tid !== 'string' || claims.tid.length === 0) throw new IdTokenError('no tid claim for the multi-tenant Entra issuer');
  return issuer.replace('{tenantid}', claims.tid);
}

async function verifySignature(ctx: OidcContext, idToken: string): Promise<JWTPayload> {
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(idToken);
  } catch {
    throw new IdTokenError('the ID token is not a JWT');
  }
  try {
    const { payload } = await jwtVerify(idToken, ctx.jwks, {
      algorithms: ctx.config.idTokenAlgorithms,
      issuer: expectedIssuer(ctx, unverified),
      audience: ctx.config.clientId,
      currentDate: new Date(ctx.now()),
      clockTolerance: ctx.config.clockSkewSeconds,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    });
    return payload;
  } catch (err) {
    if (err instanceof IdTokenError) throw err;
    const code = err instanceof joseErrors.JOSEError ? ` (${err.code})` : '';
    throw new IdTokenError(`ID token: ${(err as Error).message}${code}`);
  }
}

function checkTimes(ctx: OidcContext, claims: JWTPayload): void {
  const nowSec = Math.floor(ctx.now() / 1000);
  const skew = ctx.config.clockSkewSeconds;
  if (claims.iat! > nowSec + skew) throw new IdTokenError(`ID token iat ${claims.iat} is in the future (now ${nowSec}, skew ${skew}s)`);
  const maxAge = ctx.config.maxAgeSeconds;
  if (maxAge === undefined) return;
  // OIDC Core §3.1.2.1: with max_age, auth_time is REQUIRED and bounds the authentication's age.
  if (typeof claims.auth_time !== 'number') throw new IdTokenError('ID token has no auth_time although max_age was requested');
  if (claims.auth_time + maxAge + skew < nowSec) throw new IdTokenError(`ID token auth_time ${claims.auth_time} is older than max_age ${maxAge}s`);
}

/** §3.1.3.7 items 4–5: several audiences, or any azp, means azp must be us. */
function checkAzp(ctx: OidcContext, claims: JWTPayload): void {
  const several = Array.isArray(claims.aud) && claims.aud.length > 1;
  if ((several || claims.azp !== undefined) && claims.azp !== ctx.config.clientId) {
    throw new IdTokenError(`ID token azp ${JSON.stringify(claims.azp)} is not our client id (aud ${JSON.stringify(claims.aud)})`);
  }
}

function checkQuirks(ctx: OidcContext, claims: JWTPayload): void {
  const tenants = ctx.config.entra?.allowedTenants;
  if (tenants && !(typeof claims.tid === 'string' && tenants.includes(claims.tid))) {
    throw new IdTokenError(`Entra tenant ${JSON.stringify(claims.tid)} is not in entra.allowedTenants`);
  }
  const domains = ctx.config.google?.hostedDomains;
  if (domains && !(typeof claims.hd === 'string' && domains.includes(claims.hd))) {
    throw new IdTokenError(`Google hosted domain ${JSON.stringify(claims.hd)} is not in google.hostedDomains`);
  }
}

/** All checks, in the order a reader expects; returns the verified claims. */
export async function verifyIdToken(ctx: OidcContext, idToken: string, expectedNonce: string): Promise<JWTPayload> {
  const claims = await verifySignature(ctx, idToken);
  checkTimes(ctx, claims);
  checkAzp(ctx, claims);
  if (claims.nonce !== expectedNonce) throw new IdTokenError('ID token nonce does not match the one sent');
  checkQuirks(ctx, claims);
  return claims;
}
