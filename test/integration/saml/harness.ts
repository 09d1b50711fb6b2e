/**
 * One SAML connector wired to the test IdP, a memory (or given) ephemeral store, an injected
 * clock and a pino logger writing to memory — so every test can read the security log line.
 */
import { expect } from 'vitest';
import { createSamlConnector } from '../../../src/connectors/saml/create-saml-connector.js';
import { samlConnectorSchema, samlUrls, type SamlConnectorInput } from '../../../src/connectors/saml/config-schema.js';
import type { SamlConnector, SamlLoginResult } from '../../../src/connectors/contract.js';
import { isGatewayError } from '../../../src/errors/gateway-error.js';
import type { EphemeralStore } from '../../../src/store/ephemeral/contract.js';
import { createMemoryStore } from '../../../src/store/ephemeral/memory.js';
import { createFakeClock, createLogSink, type FakeClock, type LogSink } from '../../support/log-sink.js';
import { createTestIdp, loadKeyPair, type ResponseOptions, type TestIdp } from '../../support/saml-idp.js';

export const SITE_URL = 'https://chat.example.com';
export const IDP_ENTITY_ID = 'https://idp.example.org/saml/metadata';
export const CONNECTOR_ID = 'corp-sso';

export { createFakeClock, createLogSink, type FakeClock, type LogSink } from '../../support/log-sink.js';

export interface SamlHarness {
  idp: TestIdp;
  connector: SamlConnector;
  store: EphemeralStore;
  clock: FakeClock;
  logs: LogSink;
  sp: { entityId: string; acsUrl: string; sloUrl: string };
  /** SP-initiated: start a login (request id stored) and have the IdP answer it. */
  solicited(options?: ResponseOptions, relayState?: string): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<SamlConnectorInput>;
  store?: EphemeralStore;
  clock?: FakeClock;
}

const spKeys = loadKeyPair('sp-signing');
const spEncryption = loadKeyPair('sp-encryption');

export function baseConfig(idp: TestIdp, overrides: Partial<SamlConnectorInput> = {}): SamlConnectorInput {
  return {
    id: CONNECTOR_ID,
    type: 'saml',
    displayName: 'Corporate SSO',
    idp: { entityId: idp.entityId, ssoUrl: idp.ssoUrl, sloUrl: idp.sloUrl, certificates: [idp.certificatePem] },
    sp: {
      privateKeyFile: spKeys.privateKeyFile,
      certificateFile: spKeys.certificateFile,
      encryptionPrivateKeyFile: spEncryption.privateKeyFile,
      encryptionCertificateFile: spEncryption.certificateFile,
    },
    attributes: { id: 'uid', email: 'mail', username: 'username', firstName: 'givenName', lastName: 'sn', groups: 'groups' },
    ...overrides,
  };
}

export async function createSamlHarness(options: HarnessOptions = {}): Promise<SamlHarness> {
  const clock = options.clock ?? createFakeClock();
  const store = options.store ?? createMemoryStore({ now: clock.now });
  const { logger, sink } = createLogSink();
  const probe = createTestIdp({ entityId: IDP_ENTITY_ID });
  const config = samlConnectorSchema.parse(baseConfig(probe, options.config));
  const urls = samlUrls(config, SITE_URL);
  const sp = { entityId: urls.entityId, acsUrl: urls.acs, sloUrl: urls.slo };
  const idp = createTestIdp({ entityId: IDP_ENTITY_ID, sp, now: clock.now });
  const connector = await createSamlConnector(config, { siteUrl: SITE_URL, store, logger, now: clock.now });
  return {
    idp,
    connector,
    store,
    clock,
    logs: sink,
    sp,
    async solicited(responseOptions = {}, relayState = 'relay-1') {
      const { requestId } = await connector.startLogin(relayState);
      return idp.response({ inResponseTo: requestId, ...responseOptions });
    },
    close: () => (options.store ? Promise.resolve() : store.close()),
  };
}

/** A user whose attributes match `baseConfig`'s mapping. */
export const ALICE = { uid: 'u-1001', mail: 'alice@example.com', username: 'alice', givenName: 'Alice', sn: 'Liddell', groups: ['eng', 'ops'] };

/**
 * The refusal every security test asserts: no result, `SAML_INVALID_RESPONSE` (or the given code),
 * the precise reason in `detail`, a warn line naming that reason, and no SAMLResponse in the log.
 */
export async function expectRefused(
  h: SamlHarness,
  attempt: Promise<SamlLoginResult | unknown>,
  reason: RegExp,
  code: 'SAML_INVALID_RESPONSE' | 'SAML_INVALID_LOGOUT' = 'SAML_INVALID_RESPONSE',
  secret?: string,
): Promise<void> {
  const before = h.logs.warnings().length;
  const outcome = await attempt.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a refusal (${reason}), got a result: ${JSON.stringify(outcome.value).slice(0, 300)}`);
  const err = outcome.error;
  if (!isGatewayError(err)) throw new Error(`expected a GatewayError, got ${String(err)}`, { cause: err });
  expect(err.code).toBe(code);
  expect(err.detail ?? '').toMatch(reason);
  const newWarnings = h.logs.warnings().slice(before).map((l) => JSON.stringify(l));
  expect(newWarnings.length, 'a warn log line for the refusal').toBeGreaterThan(0);
  expect(newWarnings.some((l) => reason.test(l)), `a warn line naming the reason ${reason}: ${newWarnings.join('\n')}`).toBe(true);
  if (secret !== undefined) expect(h.logs.text()).not.toContain(secret.slice(0, 200));
}
