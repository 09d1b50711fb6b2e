/**
 * Step 1: the authorization request (RFC 6749 §4.1.1). A fresh `state` (RFC 6749 §10.12, CSRF)
 * and PKCE verifier (RFC 7636 §4.1, S256 per §4.2) are kept server-side under the state, 10
 * minutes, consumed once by finishLogin; the browser carries only the state.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OAuth2Context } from './context.js';
import { STATE_TTL_MS, stateKey } from './context.js';

/** What is stored under the state; never sent to the browser. */
export interface StoredState {
  connectorId: string;
  relay: string;
  redirectUri: string;
  codeVerifier?: string;
  createdAt: number;
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export async function startLogin(ctx: OAuth2Context, relay: string): Promise<{ redirectUrl: string }> {
  const state = randomToken();
  const codeVerifier = ctx.config.usePkce ? randomToken() : undefined;
  const stored: StoredState = { connectorId: ctx.config.id, relay, redirectUri: ctx.callbackUrl, createdAt: ctx.now(), ...(codeVerifier ? { codeVerifier } : {}) };
  await ctx.store.set(stateKey(state), JSON.stringify(stored), STATE_TTL_MS);
  const url = new URL(ctx.config.authorizationUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', ctx.config.clientId);
  url.searchParams.set('redirect_uri', ctx.callbackUrl);
  if (ctx.config.scopes.length) url.searchParams.set('scope', ctx.config.scopes.join(' '));
  url.searchParams.set('state', state);
  if (codeVerifier) {
    url.searchParams.set('code_challenge', pkceChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return { redirectUrl: url.toString() };
}
