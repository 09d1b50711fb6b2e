/**
 * The connectors configured for this deployment, built once at start. The server is handed this
 * map; connectors never register themselves (dex's model).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { EphemeralStore } from '../store/ephemeral/contract.js';
import { GatewayError } from '../errors/gateway-error.js';
import { createSamlConnector } from './saml/create-saml-connector.js';
import { createOidcConnector } from './oidc/create-oidc-connector.js';
import { createOAuth2Connector } from './oauth2/create-oauth2-connector.js';
import { createLdapConnector, type LdapConnector } from './ldap/create-ldap-connector.js';
import type { OAuthConnector, SamlConnector } from './contract.js';

export interface ConnectorSummary {
  id: string;
  kind: 'saml' | 'oidc' | 'oauth2';
  displayName: string;
  buttonColor: string;
  default: boolean;
  /** Where the login button points. */
  startPath: string;
}

export interface ConnectorRegistry {
  saml(id: string): SamlConnector;
  /** The SAML connector that answers Mattermost's `/login/sso/saml` paths. */
  defaultSaml(): SamlConnector;
  oauth(id: string): OAuthConnector;
  /** The OIDC/OAuth connector behind Mattermost's `/oauth/{service}/login` for that service name. */
  oauthForService(service: string): OAuthConnector;
  list(): ConnectorSummary[];
  /** LDAP directories, in config order (password sign-in tries them after local accounts). */
  ldap(): LdapConnector[];
  ldapById(id: string): LdapConnector;
}

interface Deps { store: EphemeralStore; logger: Logger; now: () => number; fetch?: typeof fetch }

export async function createConnectorRegistry(config: Config, deps: Deps): Promise<ConnectorRegistry> {
  const saml = new Map<string, SamlConnector>();
  const oauth = new Map<string, OAuthConnector>();
  const summaries: ConnectorSummary[] = [];
  const ldap: LdapConnector[] = [];
  const samlConfigs = config.connectors.filter((c) => c.type === 'saml');
  let defaultSamlId: string | undefined;
  for (const c of config.connectors) {
    const common = { siteUrl: config.siteUrl, store: deps.store, logger: deps.logger.child({ connector: c.id }), now: deps.now, ...(deps.fetch ? { fetch: deps.fetch } : {}) };
    if (c.type === 'saml') {
      saml.set(c.id, await createSamlConnector(c, common));
      if (c.default || samlConfigs.length === 1) defaultSamlId ??= c.id;
      summaries.push({ id: c.id, kind: 'saml', displayName: c.displayName, buttonColor: c.buttonColor, default: false, startPath: `/auth/${c.id}/saml/login` });
    } else if (c.type === 'ldap') {
      ldap.push(createLdapConnector(c, common));
    } else {
      const connector = c.type === 'oidc' ? await createOidcConnector(c, common) : await createOAuth2Connector(c, common);
      oauth.set(c.id, connector);
      summaries.push({ id: c.id, kind: c.type, displayName: c.displayName, buttonColor: c.buttonColor, default: false, startPath: `/auth/${c.id}/start` });
    }
  }
  for (const s of summaries) s.default = s.id === defaultSamlId;
  const missing = (detail: string) => new GatewayError('SAML_CONNECTOR_NOT_FOUND', { detail });
  return {
    saml(id) {
      const c = saml.get(id);
      if (!c) throw missing(`no SAML connector "${id}"`);
      return c;
    },
    defaultSaml() {
      const c = defaultSamlId ? saml.get(defaultSamlId) : undefined;
      if (!c) throw missing('no default SAML connector configured');
      return c;
    },
    oauth(id) {
      const c = oauth.get(id);
      if (!c) throw missing(`no OIDC/OAuth connector "${id}"`);
      return c;
    },
    oauthForService(service) {
      const c = [...oauth.values()].find((x) => x.mattermostService === service);
      if (!c) throw missing(`no connector serves Mattermost's "${service}" paths`);
      return c;
    },
    list: () => summaries.map((s) => ({ ...s })),
    ldap: () => [...ldap],
    ldapById(id) {
      const c = ldap.find((x) => x.id === id);
      if (!c) throw new GatewayError('LDAP_NOT_CONFIGURED', { detail: `no LDAP connector "${id}"` });
      return c;
    },
  };
}
