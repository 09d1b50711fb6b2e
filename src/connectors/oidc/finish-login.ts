/**
 * Step 2: the callback. The state is consumed once (whatever happens next), the authorization
 * response checked (error, RFC 9207 `iss`), the code exchanged with the PKCE verifier, the ID
 * token verified (id-token.ts), userinfo fetched and merged, then the claims mapped.
 */
import * as client from 'openid-client';
import type { OAuthLoginResult } from '../contract.js';
import { ClaimMappingError, claimAt, mapIdentity, type Claims } from './claims.js';
import { loginStateKey, reasonOf, refuse, type OidcContext } from './connector-context.js';
import { IdTokenError, verifyIdToken } from './id-token.js';
import type { StoredLogin } from './start-login.js';

type Callback = { url: string; body: Record<string, string> };

/** The authorization response parameters, from where the configured response mode puts them. */
function responseParams(ctx: OidcContext, input: Callback): URLSearchParams {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    refuse(ctx, 'OIDC_INVALID_RESPONSE', 'the callback URL is not a URL');
  }
  if (!ctx.callbackPaths.includes(url.pathname)) refuse(ctx, 'OIDC_INVALID_RESPONSE', `callback path ${url.pathname} is not this connector's`);
  if (ctx.config.responseMode === 'query') return url.searchParams;
  // form_post: a code in the query would mean the response mode was downgraded.
  if (url.searchParams.has('code')) refuse(ctx, 'OIDC_INVALID_RESPONSE', 'response_mode is form_post but the code came in the query');
  return new URLSearchParams(input.body ?? {});
}

async function consumeState(ctx: OidcContext, params: URLSearchParams): Promise<{ state: string; stored: StoredLogin }> {
  const state = params.get('state');
  if (!state) refuse(ctx, 'OIDC_INVALID_RESPONSE', 'missing state parameter');
  const raw = await ctx.store.consume(loginStateKey(ctx.config.id, state));
  if (!raw) refuse(ctx, 'OIDC_INVALID_RESPONSE', 'unknown, expired or already used state');
  return { state, stored: JSON.parse(raw) as StoredLogin };
}

/**
 * Is `iss` the issuer we expect? For Entra's multi-tenant discovery issuer
 * (`…/{tenantid}/v2.0`) that means the template filled in with one of the allowed tenants.
 */
export function issuerParamMatches(expected: string, iss: string, allowedTenants: readonly string[] = []): boolean {
  if (!expected.includes('{tenantid}')) return iss === expected;
  return allowedTenants.some((tenant) => expected.replace('{tenantid}', tenant) === iss);
}

/** RFC 9207 §2.4: an `iss` parameter must be our issuer; it must be present when the provider advertises it. */
function checkIssParam(ctx: OidcContext, params: URLSearchParams): void {
  const iss = params.get('iss');
  const metadata = ctx.provider.serverMetadata();
  if (iss === null) {
    if (metadata.authorization_response_iss_parameter_supported === true) refuse(ctx, 'OIDC_INVALID_RESPONSE', 'iss parameter missing although the provider advertises authorization_response_iss_parameter_supported (RFC 9207)');
    return;
  }
  if (!issuerParamMatches(metadata.issuer, iss, ctx.config.entra?.allowedTenants)) {
    refuse(ctx, 'OIDC_INVALID_RESPONSE', `iss parameter ${JSON.stringify(iss)} does not match issuer ${metadata.issuer} (RFC 9207 mix-up defence)`);
  }
}

async function exchangeCode(ctx: OidcContext, params: URLSearchParams, state: string, stored: StoredLogin) {
  // openid-client derives redirect_uri from this URL: always ours, whichever path the browser hit.
  const current = new URL(ctx.callbackUrl);
  for (const [k, v] of params) current.searchParams.append(k, v);
  try {
    return await client.authorizationCodeGrant(ctx.provider, current, {
      pkceCodeVerifier: stored.codeVerifier,
      expectedState: state,
      expectedNonce: stored.nonce,
      idTokenExpected: true,
      ...(ctx.config.maxAgeSeconds !== undefined ? { maxAge: ctx.config.maxAgeSeconds } : {}),
    });
  } catch (err) {
    refuse(ctx, 'OIDC_INVALID_RESPONSE', `code exchange refused: ${reasonOf(err)}`, err);
  }
}

/** OIDC Core §5.3.2: userinfo's sub must equal the ID token's; ID token claims win on conflict. */
async function mergeUserinfo(ctx: OidcContext, accessToken: string, idClaims: Claims): Promise<Claims> {
  if (!ctx.config.fetchUserinfo || !ctx.provider.serverMetadata().userinfo_endpoint) return idClaims;
  if (ctx.config.fetchUserinfo === 'auto' && hasMappedClaims(ctx, idClaims)) return idClaims;
  try {
    const userinfo = await client.fetchUserInfo(ctx.provider, accessToken, idClaims.sub as string);
    return { ...userinfo, ...idClaims };
  } catch (err) {
    refuse(ctx, 'OIDC_INVALID_RESPONSE', `userinfo refused: ${reasonOf(err)}`, err);
  }
}

/** True when every claim the mapping reads is in the ID token already (`auto` userinfo). */
export function hasMappedClaims(ctx: Pick<OidcContext, 'claimMap' | 'config'>, claims: Claims): boolean {
  const m = ctx.claimMap;
  // Names are optional: a provider that puts e-mail and username in the ID token puts the profile there too.
  const wanted = [m.email, m.username, ...(Array.isArray(m.groups) ? m.groups : [m.groups])];
  for (const rule of [ctx.config.adminClaim, ctx.config.guestClaim]) if (rule) wanted.push(rule.slice(0, rule.indexOf('=')));
  return wanted.every((name) => claimAt(claims, name) !== undefined);
}

/** Protocol claims are kept out of the identity's raw attributes. */
const PROTOCOL_CLAIMS = ['nonce', 'at_hash', 'c_hash', 's_hash', 'exp', 'iat', 'nbf', 'jti'];

export async function finishLogin(ctx: OidcContext, input: Callback): Promise<OAuthLoginResult> {
  const params = responseParams(ctx, input);
  const { state, stored } = await consumeState(ctx, params);
  const error = params.get('error');
  if (error) refuse(ctx, 'OIDC_INVALID_RESPONSE', `the provider returned error ${error}: ${params.get('error_description') ?? ''}`.trim());
  checkIssParam(ctx, params);
  const tokens = await exchangeCode(ctx, params, state, stored);
  const idToken = tokens.id_token;
  if (!idToken) refuse(ctx, 'OIDC_INVALID_RESPONSE', 'the token response has no id_token');
  let idClaims: Claims;
  try {
    idClaims = await verifyIdToken(ctx, idToken, stored.nonce);
  } catch (err) {
    if (err instanceof IdTokenError) refuse(ctx, 'OIDC_INVALID_RESPONSE', err.message, err);
    throw err;
  }
  const claims = await mergeUserinfo(ctx, tokens.access_token, idClaims);
  const raw = Object.fromEntries(Object.entries(claims).filter(([k]) => !PROTOCOL_CLAIMS.includes(k)));
  try {
    const identity = mapIdentity(ctx.config, ctx.claimMap, raw);
    const sid = typeof idClaims.sid === 'string' ? idClaims.sid : undefined;
    const refreshToken = ctx.config.refresh.enabled ? tokens.refresh_token : undefined;
    if (ctx.config.refresh.enabled && !refreshToken) ctx.logger.warn({ connector: ctx.config.id }, 'refresh is on but the provider sent no refresh token (request offline_access?); this session is not re-checked');
    return { identity, relay: stored.relay, session: { sub: identity.subject, ...(sid ? { sid } : {}), idToken, ...(refreshToken ? { refreshToken } : {}) } };
  } catch (err) {
    if (err instanceof ClaimMappingError) refuse(ctx, 'OIDC_INVALID_RESPONSE', err.message, err);
    throw err;
  }
}
