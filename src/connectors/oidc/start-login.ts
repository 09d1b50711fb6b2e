/**
 * Step 1: the authorization request (OIDC Core §3.1.2.1) — code flow, PKCE S256 (RFC 7636),
 * `state` and `nonce` fresh per login and kept server-side, consumed once by finishLogin.
 */
import * as client from 'openid-client';
import { LOGIN_STATE_TTL_MS, loginStateKey, type OidcContext } from './connector-context.js';

/** What the store holds under the state value; never sent to the browser except state itself. */
export interface StoredLogin {
  relay: string;
  nonce: string;
  codeVerifier: string;
  /** ms since the epoch, by the injected clock. */
  startedAt: number;
}

export async function startLogin(ctx: OidcContext, relay: string): Promise<{ redirectUrl: string }> {
  const state = client.randomState();
  const stored: StoredLogin = { relay, nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier(), startedAt: ctx.now() };
  await ctx.store.set(loginStateKey(ctx.config.id, state), JSON.stringify(stored), LOGIN_STATE_TTL_MS);
  const params: Record<string, string> = {
    redirect_uri: ctx.callbackUrl,
    response_type: 'code',
    scope: ctx.scopes.join(' '),
    state,
    nonce: stored.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(stored.codeVerifier),
    code_challenge_method: 'S256',
  };
  if (ctx.config.responseMode === 'form_post') params.response_mode = 'form_post';
  if (ctx.config.maxAgeSeconds !== undefined) params.max_age = String(ctx.config.maxAgeSeconds);
  // Only a hint for Google's account chooser; the `hd` claim is what finishLogin checks.
  const hd = ctx.config.google?.hostedDomains;
  if (hd?.length === 1) params.hd = hd[0]!;
  return { redirectUrl: client.buildAuthorizationUrl(ctx.provider, params).href };
}
