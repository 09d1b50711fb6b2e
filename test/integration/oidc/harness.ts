/**
 * OIDC connectors wired to real oidc-provider instances (test/support/oidc-provider.ts), a memory
 * ephemeral store, an injected clock and a pino logger writing to memory — so every test can read
 * the security log line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createFakeClock, createLogSink, type LogSink } from '../../support/log-sink.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { expect } from 'vitest';
import type { OAuthConnector } from '../../../src/connectors/contract.js';
import { createOidcConnector } from '../../../src/connectors/oidc/create-oidc-connector.js';
import { oidcCallbackUrl, type OidcConnectorInput } from '../../../src/connectors/oidc/config-schema.js';
import { isGatewayError } from '../../../src/errors/gateway-error.js';
import type { EphemeralStore } from '../../../src/store/ephemeral/contract.js';
import { createMemoryStore } from '../../../src/store/ephemeral/memory.js';
import { startTestOidcProvider, type TestAccount, type TestOidcProvider, type TestOidcProviderOptions } from '../../support/oidc-provider.js';

export const SITE_URL = 'https://chat.example.com';
export const CONNECTOR_IDS = ['corp', 'corp-b'] as const;
export const SECRET = 'a-client-secret-long-enough-for-hs256-0123456789';

export const ALICE: TestAccount = {
  sub: 'alice-0001', email: 'alice@example.com', email_verified: true, name: 'Alice Liddell', given_name: 'Alice',
  family_name: 'Liddell', preferred_username: 'alice', groups: ['engineering', 'chat-admins'],
};
export const BOB: TestAccount = { sub: 'bob-0002', email: 'bob@example.com', email_verified: false, preferred_username: 'bob', groups: ['contractors'] };

export { createFakeClock, createLogSink, type LogSink } from '../../support/log-sink.js';

/** A private_key_jwt key pair: the PEM file the connector reads, the public JWK the provider registers. */
export async function clientKeyPair(): Promise<{ file: string; publicJwk: Record<string, unknown> }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-oidc-')), 'client.key');
  writeFileSync(file, await exportPKCS8(privateKey));
  return { file, publicJwk: { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' } };
}

const redirectUris = CONNECTOR_IDS.map((id) => oidcCallbackUrl({ id }, SITE_URL));

/** The clients every test provider knows: one per client authentication method, and one signing ES256. */
export function standardClients(publicJwk?: Record<string, unknown>): TestOidcProviderOptions['clients'] {
  const base = { redirect_uris: redirectUris, post_logout_redirect_uris: [`${SITE_URL}/login`], response_types: ['code'], grant_types: ['authorization_code'] };
  return [
    { ...base, client_id: 'basic-client', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
    { ...base, client_id: 'post-client', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' },
    { ...base, client_id: 'es256-client', client_secret: SECRET, id_token_signed_response_alg: 'ES256' },
    ...(publicJwk ? [{ ...base, client_id: 'jwt-client', token_endpoint_auth_method: 'private_key_jwt' as const, jwks: { keys: [publicJwk] } }] : []),
  ];
}

export async function startProvider(options: Partial<TestOidcProviderOptions> = {}): Promise<TestOidcProvider> {
  return startTestOidcProvider({ clients: standardClients(), accounts: [ALICE, BOB], ...options });
}

export interface Rp {
  connector: OAuthConnector;
  store: EphemeralStore;
  clock: ReturnType<typeof createFakeClock>;
  logs: LogSink;
}

export async function connectorFor(
  provider: TestOidcProvider,
  config: Partial<OidcConnectorInput> = {},
  deps: { store?: EphemeralStore; fetch?: typeof fetch; clock?: ReturnType<typeof createFakeClock> } = {},
): Promise<Rp> {
  const { logger, sink } = createLogSink();
  const store = deps.store ?? createMemoryStore();
  const clock = deps.clock ?? createFakeClock();
  const connector = await createOidcConnector(
    { id: 'corp', type: 'oidc', displayName: 'Corp SSO', issuer: provider.url, clientId: 'basic-client', clientSecret: SECRET, allowInsecureHttp: true, scopes: ['openid', 'email', 'profile', 'groups'], ...config } as OidcConnectorInput,
    { siteUrl: SITE_URL, store, logger, now: clock.now, ...(deps.fetch ? { fetch: deps.fetch } : {}) },
  );
  return { connector, store, clock, logs: sink };
}

/** The state value an authorization URL carries. */
export function stateOf(redirectUrl: string): string {
  return new URL(redirectUrl).searchParams.get('state')!;
}

/** Asserts a refusal: the error code, the precise reason in `detail`, and the warn log line with it. */
export async function expectRefused(rp: Rp, promise: Promise<unknown>, reason: RegExp, code = 'OIDC_INVALID_RESPONSE'): Promise<void> {
  const err = await promise.then(
    () => { throw new Error('expected a refusal, got success'); },
    (e: unknown) => e,
  );
  if (!isGatewayError(err)) throw err;
  expect(err.code).toBe(code);
  expect(err.detail, `detail: ${err.detail}`).toMatch(reason);
  const warn = rp.logs.warnings().find((l) => typeof l.reason === 'string' && reason.test(l.reason));
  expect(warn, `a warn log line matching ${reason}; got ${rp.logs.text()}`).toBeDefined();
  expect(warn!.connector).toBe(rp.connector.id);
}
