/**
 * Step 2 onwards: the callback (RFC 6749 §4.1.2). The state is consumed first — exactly once,
 * whatever follows — and must be ours and this connector's (a state issued for another connector
 * is a mix-up, RFC 9700 §4.4); then the provider's error, the code exchange and the user info.
 */
import type { OAuthLoginResult } from '../contract.js';
import { refuse, STATE_TTL_MS, stateKey, type OAuth2Context } from './context.js';
import { githubUserInfo } from './github.js';
import type { StoredState } from './start-login.js';
import { exchangeCode } from './token.js';
import { genericUserInfo } from './user-info.js';

function callbackParams(ctx: OAuth2Context, input: { url: string; body: Record<string, string> }): URLSearchParams {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch (err) {
    return refuse(ctx, 'callback URL is not a valid URL', err);
  }
  // The code flow answers in the query (§4.1.2); a form body is read only when the query is empty.
  if (url.searchParams.size > 0) return url.searchParams;
  return new URLSearchParams(Object.entries(input.body ?? {}));
}

async function takeState(ctx: OAuth2Context, state: string | null): Promise<StoredState> {
  if (!state) refuse(ctx, 'callback has no state parameter');
  const value = await ctx.store.consume(stateKey(state));
  if (value === null) refuse(ctx, 'state is unknown, expired or already used');
  let stored: StoredState;
  try {
    stored = JSON.parse(value) as StoredState;
  } catch (err) {
    return refuse(ctx, 'stored login state is corrupt', err);
  }
  if (stored.connectorId !== ctx.config.id) {
    refuse(ctx, `state was issued for connector ${String(stored.connectorId)}, not ${ctx.config.id} (mix-up)`);
  }
  // The store's TTL expires it too; this holds the same deadline on the injected clock.
  if (ctx.now() - stored.createdAt > STATE_TTL_MS) refuse(ctx, 'state has expired');
  return stored;
}

export async function finishLogin(ctx: OAuth2Context, input: { url: string; body: Record<string, string> }): Promise<OAuthLoginResult> {
  const params = callbackParams(ctx, input);
  const stored = await takeState(ctx, params.get('state'));
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    refuse(ctx, `provider returned error ${error.slice(0, 64)}${description ? `: ${description.slice(0, 200)}` : ''}`);
  }
  const code = params.get('code');
  if (!code) refuse(ctx, 'callback has no code parameter');
  const accessToken = await exchangeCode(ctx, code, stored);
  const identity = ctx.config.preset === 'github' ? await githubUserInfo(ctx, accessToken) : await genericUserInfo(ctx, accessToken);
  return { identity, relay: stored.relay, session: { sub: identity.subject } };
}
