/**
 * Step 3: the code exchange (RFC 6749 §4.1.3) with client_secret_post (§2.3.1), the redirect URI
 * the request used, and the PKCE verifier (RFC 7636 §4.5). `Accept: application/json` because
 * GitHub answers form-encoded otherwise. GitHub reports errors with HTTP 200 and an `error`
 * member, so `error` is checked before the status (RFC 6749 §5.2 shape either way).
 */
import { refuse, type OAuth2Context } from './context.js';
import { errorSuffix, fetchJson } from './fetch-json.js';
import type { StoredState } from './start-login.js';

const WHAT = 'token endpoint';

export async function exchangeCode(ctx: OAuth2Context, code: string, stored: StoredState): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: stored.redirectUri, client_id: ctx.config.clientId, client_secret: ctx.config.clientSecret });
  if (stored.codeVerifier) form.set('code_verifier', stored.codeVerifier);
  const res = await fetchJson(ctx, WHAT, ctx.config.tokenUrl, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const body = (typeof res.json === 'object' && res.json !== null ? res.json : {}) as Record<string, unknown>;
  if (typeof body.error === 'string') refuse(ctx, `${WHAT} returned an error (HTTP ${res.status})${errorSuffix(body)}`);
  if (res.status < 200 || res.status >= 300) refuse(ctx, `${WHAT} answered HTTP ${res.status}`);
  if (typeof body.access_token !== 'string' || !body.access_token) refuse(ctx, `${WHAT} returned no access_token`);
  // RFC 6749 §7.1: we only know how to use bearer tokens (RFC 6750).
  if (body.token_type !== undefined && String(body.token_type).toLowerCase() !== 'bearer') {
    refuse(ctx, `${WHAT} returned token_type ${String(body.token_type).slice(0, 40)}, not bearer`);
  }
  return body.access_token;
}
