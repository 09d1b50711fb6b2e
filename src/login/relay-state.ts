/**
 * The return path of an SSO login, kept server-side: the browser carries only an opaque key (SAML
 * RelayState, or the OIDC state's companion), consumed once at the callback. Whatever comes back,
 * the redirect is a same-site path.
 */
import type { GatewayContext } from '../context.js';
import { newSecret } from '../http/ids.js';
import { safeReturnPath } from '../views/html.js';

const RELAY_TTL_MS = 10 * 60_000;
const relayKey = (key: string) => `sso-relay:${key}`;

interface Relay { connectorId: string; returnTo: string }

export async function createRelay(ctx: GatewayContext, connectorId: string, returnTo: unknown): Promise<string> {
  const key = newSecret();
  const relay: Relay = { connectorId, returnTo: safeReturnPath(returnTo) };
  await ctx.store.set(relayKey(key), JSON.stringify(relay), RELAY_TTL_MS);
  return key;
}

/** The path behind a relay key issued for this connector, or `/` (IdP-initiated, unknown, used, or another connector's). */
export async function consumeRelay(ctx: GatewayContext, connectorId: string, key: unknown): Promise<string> {
  if (typeof key !== 'string' || key.length === 0 || key.length > 128) return '/';
  const raw = await ctx.store.consume(relayKey(key));
  if (!raw) return '/';
  const relay = JSON.parse(raw) as Relay;
  return relay.connectorId === connectorId ? safeReturnPath(relay.returnTo) : '/';
}
