/**
 * Build one plain OAuth 2.0 connector (GitHub, GitLab's user API, a generic provider) from its
 * config: validate it, merge the preset, read the secret, and hand back the OAuthConnector the
 * login routes call. Plain OAuth has no ID token, so no RP-initiated or back-channel logout.
 * Any configuration problem is an OIDC_CONFIG_INVALID naming the key; it never starts half-configured.
 */
import type { OAuthConnector } from '../contract.js';
import { parseConnectorConfig, type ConnectorDeps } from '../connector-deps.js';
import { oauth2CallbackUrl, oauth2ConnectorSchema, type OAuth2ConnectorConfig, type OAuth2ConnectorInput } from './config-schema.js';
import type { OAuth2Context } from './context.js';
import { finishLogin } from './finish-login.js';
import { configError, loadOAuth2Preset, resolveOAuth2Config } from './presets.js';
import { startLogin } from './start-login.js';

export type OAuth2ConnectorDeps = ConnectorDeps;

function parseConfig(config: OAuth2ConnectorConfig | OAuth2ConnectorInput): OAuth2ConnectorConfig {
  return parseConnectorConfig(oauth2ConnectorSchema, config, 'OIDC_CONFIG_INVALID');
}

export async function createOAuth2Connector(input: OAuth2ConnectorConfig | OAuth2ConnectorInput, deps: OAuth2ConnectorDeps): Promise<OAuthConnector> {
  const config = parseConfig(input);
  let preset;
  try {
    preset = loadOAuth2Preset(config.preset, deps.providersDir);
  } catch (err) {
    throw configError(config.id, `preset ${config.preset}: ${(err as Error).message}`, err);
  }
  const ctx: OAuth2Context = {
    config: resolveOAuth2Config(config, preset),
    callbackUrl: oauth2CallbackUrl(config, deps.siteUrl),
    store: deps.store,
    logger: deps.logger,
    now: deps.now ?? Date.now,
    fetch: deps.fetch ?? globalThis.fetch,
  };
  const mattermostService = config.mattermostService ?? preset.mattermostService;
  return Object.freeze({
    id: config.id,
    kind: 'oauth2' as const,
    displayName: config.displayName,
    buttonColor: config.buttonColor,
    trustEmail: config.trustEmail,
    allowSignup: config.allowSignup,
    ...(mattermostService ? { mattermostService } : {}),
    startLogin: (relay: string) => startLogin(ctx, relay),
    finishLogin: (callback: { url: string; body: Record<string, string> }) => finishLogin(ctx, callback),
  });
}
