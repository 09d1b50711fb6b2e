/**
 * Re-checking a signed-in user with the provider (connector `refresh`): a refresh-token grant. A
 * refused grant (`invalid_grant`: the user was removed or disabled, the grant revoked) is definitive
 * and ends the session; a provider that cannot be reached is not, and the check runs again later.
 * A new ID token, when the provider sends one, must name the same `sub`; its claims (and userinfo)
 * refresh the user's profile and groups.
 */
import * as client from 'openid-client';
import type { RecheckResult } from '../contract.js';
import { ClaimMappingError, mapIdentity, type Claims } from './claims.js';
import { reasonOf, type OidcContext } from './connector-context.js';

const PROTOCOL_CLAIMS = ['nonce', 'at_hash', 'c_hash', 's_hash', 'exp', 'iat', 'nbf', 'jti'];

export async function recheck(ctx: OidcContext, refreshToken: string, sub: string): Promise<RecheckResult> {
  let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  try {
    tokens = await client.refreshTokenGrant(ctx.provider, refreshToken);
  } catch (err) {
    const code = (err as { error?: unknown }).error;
    const definitive = err instanceof client.ResponseBodyError && typeof code === 'string' && ['invalid_grant', 'unauthorized_client', 'invalid_client'].includes(code);
    return { ok: false, definitive, reason: `refresh refused: ${reasonOf(err)}` };
  }
  let claims: Claims = {};
  const idClaims = tokens.claims();
  if (idClaims) {
    if (idClaims.sub !== sub) return { ok: false, definitive: true, reason: 'the refreshed ID token names another subject' };
    claims = { ...idClaims };
  }
  if (ctx.config.fetchUserinfo && ctx.provider.serverMetadata().userinfo_endpoint) {
    try {
      claims = { ...(await client.fetchUserInfo(ctx.provider, tokens.access_token, sub)), ...claims };
    } catch (err) {
      return { ok: false, definitive: false, reason: `userinfo after refresh failed: ${reasonOf(err)}` };
    }
  }
  if (!claims.sub) return { ok: true, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}) };
  const raw = Object.fromEntries(Object.entries(claims).filter(([k]) => !PROTOCOL_CLAIMS.includes(k)));
  try {
    const identity = mapIdentity(ctx.config, ctx.claimMap, raw);
    return { ok: true, identity, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}) };
  } catch (err) {
    if (err instanceof ClaimMappingError) return { ok: false, definitive: true, reason: err.message };
    throw err;
  }
}
