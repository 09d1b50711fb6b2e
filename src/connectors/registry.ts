/**
 * The connectors configured for this deployment, built once at start. The server is handed this
 * map; connectors never register themselves (dex's model).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { EphemeralStore } from '../store/ephemeral/contract.js';
import { GatewayError } from '../errors/gateway-error.js';
import { createSamlConnector } from './saml/create-saml-connector.js';
import type { SamlConnector } from './contract.js';

export interface ConnectorSummary {
  id: string;
  kind: 'saml';
  displayName: string;
  buttonColor: string;
  default: boolean;
}

export interface ConnectorRegistry {
  saml(id: string): SamlConnector;
  /** The SAML connector that answers Mattermost's `/login/sso/saml` paths. */
  defaultSaml(): SamlConnector;
  list(): ConnectorSummary[];
}

export async function createConnectorRegistry(config: Config, deps: { store: EphemeralStore; logger: Logger; now: () => number; fetch?: typeof fetch }): Promise<ConnectorRegistry> {
  const saml = new Map<string, SamlConnector>();
  let defaultId: string | undefined;
  for (const c of config.connectors) {
    saml.set(c.id, await createSamlConnector(c, { siteUrl: config.siteUrl, store: deps.store, logger: deps.logger.child({ connector: c.id }), now: deps.now, ...(deps.fetch ? { fetch: deps.fetch } : {}) }));
    if (c.default || (defaultId === undefined && config.connectors.length === 1)) defaultId = c.id;
  }
  const get = (id: string) => {
    const c = saml.get(id);
    if (!c) throw new GatewayError('SAML_CONNECTOR_NOT_FOUND', { detail: `no connector "${id}"` });
    return c;
  };
  return {
    saml: get,
    defaultSaml() {
      if (!defaultId) throw new GatewayError('SAML_CONNECTOR_NOT_FOUND', { detail: 'no default SAML connector configured' });
      return get(defaultId);
    },
    list: () => [...saml.values()].map((c) => ({ id: c.id, kind: 'saml' as const, displayName: c.displayName, buttonColor: c.buttonColor, default: c.id === defaultId })),
  };
}
