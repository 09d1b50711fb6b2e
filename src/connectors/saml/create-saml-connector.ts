/**
 * Build one SAML connector from its config: validate it, merge the preset, load SP keys and IdP
 * metadata, and hand back the SamlConnector the login routes call. Any configuration problem is a
 * SAML_CONFIG_INVALID naming the key and the fix; the connector never starts half-configured.
 */
import type { SAML } from '@node-saml/node-saml';
import type { SamlConnector } from '../contract.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { connectorConfigError, parseConnectorConfig, type ConnectorDeps } from '../connector-deps.js';
import { loadSamlPreset, mergeAttributeMap } from './attributes.js';
import { startLogin } from './authn-request.js';
import { acsUrls, samlConnectorSchema, samlUrls, type SamlConnectorConfig, type SamlConnectorInput } from './config-schema.js';
import { buildNodeSaml, resolveIdp, type ResolvedIdp, type SamlContext } from './connector-context.js';
import { createMetadataSource, parseIdpMetadata, readMetadataFile, type IdpMetadata } from './idp-metadata.js';
import { receiveLogoutRequest, receiveLogoutResponse, startLogout } from './logout.js';
import { loadSpKeys } from './sp-keys.js';
import { spMetadata } from './sp-metadata.js';
import { finishLogin } from './validate-response.js';

export type SamlConnectorDeps = ConnectorDeps;

function configError(id: string, detail: string, cause?: unknown): GatewayError {
  return connectorConfigError('SAML_CONFIG_INVALID', id, detail, cause);
}

function parseConfig(config: SamlConnectorConfig | SamlConnectorInput): SamlConnectorConfig {
  return parseConnectorConfig(samlConnectorSchema, config, 'SAML_CONFIG_INVALID');
}

/** The metadata getter: none, a file read once, or a URL refreshed lazily keeping the last good copy. */
async function loadMetadata(config: SamlConnectorConfig, deps: SamlConnectorDeps, now: () => number): Promise<() => IdpMetadata | null> {
  const { metadataFile, metadataUrl, entityId, metadataRefreshMinutes } = config.idp;
  try {
    if (metadataFile) {
      const m = parseIdpMetadata(await readMetadataFile(metadataFile), entityId);
      return () => m;
    }
    if (metadataUrl) {
      const source = await createMetadataSource({
        url: metadataUrl,
        ...(entityId ? { entityId } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        refreshMs: metadataRefreshMinutes * 60_000,
        now,
        onRefreshError: (err) => deps.logger.warn({ connector: config.id, reason: err.message }, 'saml idp metadata refresh failed; keeping the last good copy'),
      });
      return () => source.current();
    }
  } catch (err) {
    const key = metadataFile ? 'idp.metadataFile' : 'idp.metadataUrl';
    throw configError(config.id, `${key}: ${(err as Error).message} — check the ${metadataFile ? 'path' : 'URL'} or configure idp.entityId, idp.ssoUrl and idp.certificates by hand`, err);
  }
  return () => null;
}

export async function createSamlConnector(input: SamlConnectorConfig, deps: SamlConnectorDeps): Promise<SamlConnector> {
  const config = parseConfig(input);
  const now = deps.now ?? Date.now;
  const preset = loadSamlPreset(config.preset, deps.providersDir);
  const urls = samlUrls(config, deps.siteUrl);
  let keys: SamlContext['keys'];
  try {
    keys = await loadSpKeys(config.sp);
  } catch (err) {
    throw configError(config.id, (err as Error).message, err);
  }
  const metadata = await loadMetadata(config, deps, now);
  // Resolve once now, so a connector with no usable IdP fails at start, not at the first login.
  let cache: { source: IdpMetadata | null; idp: ResolvedIdp; saml: SAML | null };
  try {
    cache = { source: metadata(), idp: resolveIdp(config.idp, metadata()), saml: null };
  } catch (err) {
    throw configError(config.id, (err as Error).message, err);
  }
  const current = () => {
    const source = metadata();
    if (source !== cache.source) cache = { source, idp: resolveIdp(config.idp, source), saml: null };
    return cache;
  };
  const ctx: SamlContext = {
    config,
    urls,
    acsUrls: acsUrls(config, deps.siteUrl),
    attributeMap: mergeAttributeMap(preset.attributes, config.attributes),
    nameIdFormat: preset.nameIdFormat,
    keys,
    store: deps.store,
    logger: deps.logger,
    now,
    idp: () => current().idp,
    nodeSaml: () => {
      const c = current();
      c.saml ??= buildNodeSaml(config, urls, keys, c.idp);
      return c.saml;
    },
  };
  return {
    id: config.id,
    kind: 'saml',
    displayName: config.displayName,
    buttonColor: config.buttonColor,
    trustEmail: config.trustEmail,
    trustIdpMfa: config.trustIdpMfa,
    allowSignup: config.allowSignup,
    metadata: () => spMetadata(ctx),
    startLogin: (relayState) => startLogin(ctx, relayState),
    finishLogin: (samlResponse) => finishLogin(ctx, samlResponse),
    startLogout: (ref) => startLogout(ctx, ref),
    receiveLogoutRequest: (msg) => receiveLogoutRequest(ctx, msg),
    receiveLogoutResponse: (msg) => receiveLogoutResponse(ctx, msg),
  };
}
