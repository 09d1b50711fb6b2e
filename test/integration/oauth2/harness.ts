/**
 * OAuth 2.0 connectors wired to the local fake GitHub (test/support/fake-github.ts), an
 * ephemeral store (memory with the injected clock, or Redis), and a pino logger writing to
 * memory, so every test can read the security log line.
 */
import { createLogSink, type LogSink } from '../../support/log-sink.js';
import { expect } from 'vitest';
import { createOAuth2Connector } from '../../../src/connectors/oauth2/create-oauth2-connector.js';
import type { OAuth2ConnectorInput } from '../../../src/connectors/oauth2/config-schema.js';
import type { OAuthConnector, OAuthLoginResult } from '../../../src/connectors/contract.js';
import { isGatewayError } from '../../../src/errors/gateway-error.js';
import type { EphemeralStore } from '../../../src/store/ephemeral/contract.js';
import { createMemoryStore } from '../../../src/store/ephemeral/memory.js';
import { createRedisStore } from '../../../src/store/ephemeral/redis.js';
import { REDIS_URL, uniqueRedisPrefix } from '../../support/databases.js';
import type { FakeGithub } from '../../support/fake-github.js';

export const SITE_URL = 'https://chat.example.com';

export { createLogSink, type LogSink } from '../../support/log-sink.js';

export interface Clock {
  now(): number;
  advance(ms: number): void;
}

export function createClock(start = Date.now()): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export type StoreKind = 'memory' | 'redis';
export const STORE_KINDS: StoreKind[] = ['memory', 'redis'];

export async function openStore(kind: StoreKind, clock: Clock): Promise<EphemeralStore> {
  if (kind === 'memory') return createMemoryStore({ now: clock.now });
  return createRedisStore({ url: REDIS_URL, keyPrefix: uniqueRedisPrefix('oauth2') });
}

export function githubConfig(fake: FakeGithub, overrides: Partial<OAuth2ConnectorInput> = {}): OAuth2ConnectorInput {
  return {
    id: 'github',
    type: 'oauth2',
    displayName: 'GitHub',
    preset: 'github',
    authorizationUrl: fake.authorizeUrl,
    tokenUrl: fake.tokenUrl,
    userInfoUrl: fake.userUrl,
    emailsUrl: fake.emailsUrl,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    allowInsecureHttp: true,
    ...overrides,
  };
}

export function genericConfig(fake: FakeGithub, overrides: Partial<OAuth2ConnectorInput> = {}): OAuth2ConnectorInput {
  return {
    id: 'acme',
    type: 'oauth2',
    displayName: 'Acme',
    preset: 'generic',
    authorizationUrl: fake.authorizeUrl,
    tokenUrl: fake.tokenUrl,
    userInfoUrl: fake.genericUserInfoUrl,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    scopes: ['profile'],
    claims: {
      id: 'data.user.id',
      username: 'data.user.login',
      email: 'data.user.email',
      emailVerified: 'data.user.email_verified',
      name: 'data.user.name',
      groups: 'data.user.groups',
    },
    allowInsecureHttp: true,
    ...overrides,
  };
}

export interface Rig {
  store: EphemeralStore;
  clock: Clock;
  logs: LogSink;
  connector(config: OAuth2ConnectorInput): Promise<OAuthConnector>;
  /** Start at the connector, approve at the fake, and return the callback URL the browser would bring back. */
  callback(connector: OAuthConnector, fake: FakeGithub, relay?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createRig(kind: StoreKind = 'memory'): Promise<Rig> {
  const clock = createClock();
  const store = await openStore(kind, clock);
  const { logger, sink } = createLogSink();
  return {
    store,
    clock,
    logs: sink,
    connector: (config) => createOAuth2Connector(config, { siteUrl: SITE_URL, store, logger, now: clock.now }),
    async callback(connector, fake, relay = 'relay-1') {
      const { redirectUrl } = await connector.startLogin(relay);
      return fake.authorize(redirectUrl);
    },
    close: () => store.close(),
  };
}

/** The state value carried by a callback URL. */
export function stateOf(callbackUrl: string): string {
  return new URL(callbackUrl).searchParams.get('state') ?? '';
}

/** Asserts a refusal: GatewayError with the code, `detail` matching, and a warn line naming the reason. */
export async function expectRefused(rig: Rig, attempt: () => Promise<OAuthLoginResult | unknown>, reason: RegExp, code = 'OIDC_INVALID_RESPONSE'): Promise<void> {
  const before = rig.logs.warnings().length;
  // A thunk, so refusals thrown before the first await are logged after `before` is taken.
  const outcome = await Promise.resolve().then(attempt).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a refusal (${reason}), got ${JSON.stringify(outcome.value).slice(0, 300)}`);
  const err = outcome.error;
  if (!isGatewayError(err)) throw new Error(`expected a GatewayError, got ${String(err)}`, { cause: err });
  expect(err.code).toBe(code);
  expect(err.detail ?? '').toMatch(reason);
  const fresh = rig.logs.warnings().slice(before);
  expect(fresh.length, 'a warn log line for the refusal').toBeGreaterThan(0);
  expect(fresh.some((l) => l.msg === 'oauth response refused' && reason.test(String(l.reason))), `a warn line naming ${reason}: ${JSON.stringify(fresh)}`).toBe(true);
}
