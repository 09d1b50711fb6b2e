/**
 * Build one OIDC connector from its config: validate it, merge the preset, read the client
 * credential, run discovery (with a timeout; the document's issuer must be ours) and hand back
 * the OAuthConnector the login routes call. Any configuration problem is an OIDC_CONFIG_INVALID
 * naming the key; the connector never starts half-configured.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as client from 'openid-client';
import { createRemoteJWKSet, customFetch as joseCustomFetch, importPKCS8 } from 'jose';
import type { OAuthConnector } from '../contract.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { connectorConfigError, parseConnectorConfig, type ConnectorDeps } from '../connector-deps.js';
import { loadOidcPreset, mergeClaimMap } from './claims.js';
import { oidcCallbackUrl, oidcCallbackUrls, oidcConnectorSchema, type OidcConnectorConfig, type OidcConnectorInput } from './config-schema.js';
import { reasonOf, type OidcContext } from './connector-context.js';
import { finishLogin } from './finish-login.js';
import { logoutUrl, verifyLogoutToken } from './logout.js';
import { startLogin } from './start-login.js';
import { recheck } from './recheck.js';

export type OidcConnectorDeps = ConnectorDeps;

function configError(id: string, detail: string, cause?: unknown): GatewayError {
  return connectorConfigError('OIDC_CONFIG_INVALID', id, detail, cause);
}

function parseConfig(config: OidcConnectorConfig | OidcConnectorInput): OidcConnectorConfig {
  return parseConnectorConfig(oidcConnectorSchema, config, 'OIDC_CONFIG_INVALID');
}

const JWT_ALG_FOR_KEY: Record<string, string> = { rsa: 'RS256', ec: 'ES256', ed25519: 'EdDSA' };

async function clientAuth(config: OidcConnectorConfig): Promise<client.ClientAuth> {
  if (config.clientAuth === 'private_key_jwt') {
    const pem = await readFile(config.privateKeyFile!, 'utf8').catch((err: Error) => {
      throw configError(config.id, `privateKeyFile: ${err.message}`, err);
    });
    const alg = JWT_ALG_FOR_KEY[createPrivateKey(pem).asymmetricKeyType ?? ''];
    if (!alg) throw configError(config.id, 'privateKeyFile: use an RSA, P-256 or Ed25519 PKCS#8 key');
    const key = await importPKCS8(pem, alg);
    return client.PrivateKeyJwt(config.privateKeyId ? { key, kid: config.privateKeyId } : key);
  }
  const secret = config.clientSecret ?? (await readFile(config.clientSecretFile!, 'utf8').catch((err: Error) => {
    throw configError(config.id, `clientSecretFile: ${err.message}`, err);
  })).trim();
  return config.clientAuth === 'client_secret_post' ? client.ClientSecretPost(secret) : client.ClientSecretBasic(secret);
}

/** OIDC Discovery §4: openid-client checks that the document's issuer is exactly ours (Entra's `{tenantid}` aside). */
async function discover(config: OidcConnectorConfig, auth: client.ClientAuth, deps: OidcConnectorDeps): Promise<client.Configuration> {
  try {
    const provider = await client.discovery(new URL(config.issuer), config.clientId, { client_id: config.clientId }, auth, {
      timeout: config.timeoutSeconds,
      execute: config.allowInsecureHttp ? [client.allowInsecureRequests] : [],
      ...(deps.fetch ? { [client.customFetch]: deps.fetch as client.CustomFetch } : {}),
    });
    provider.timeout = config.timeoutSeconds;
    return provider;
  } catch (err) {
    throw configError(config.id, `issuer: discovery of ${config.issuer} failed: ${reasonOf(err)}`, err);
  }
}

export async function createOidcConnector(input: OidcConnectorConfig | OidcConnectorInput, deps: OidcConnectorDeps): Promise<OAuthConnector> {
  const config = parseConfig(input);
  let preset;
  try {
    preset = loadOidcPreset(config.preset, deps.providersDir);
  } catch (err) {
    throw configError(config.id, `preset: ${(err as Error).message}`, err);
  }
  const provider = await discover(config, await clientAuth(config), deps);
  const jwksUri = provider.serverMetadata().jwks_uri;
  if (!jwksUri) throw configError(config.id, 'issuer: the discovery document has no jwks_uri');
  const ctx: OidcContext = {
    config,
    callbackUrl: oidcCallbackUrl(config, deps.siteUrl),
    callbackPaths: oidcCallbackUrls(config, deps.siteUrl).map((u) => new URL(u).pathname),
    scopes: [...new Set(['openid', ...(config.scopes ?? preset.scopes)])],
    claimMap: mergeClaimMap(preset.claims, config.claims),
    provider,
    jwks: createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: config.timeoutSeconds * 1000,
      ...(deps.fetch ? { [joseCustomFetch]: deps.fetch } : {}),
    }),
    store: deps.store,
    logger: deps.logger,
    now: deps.now ?? Date.now,
  };
  return {
    id: config.id,
    kind: 'oidc',
    displayName: config.displayName,
    buttonColor: config.buttonColor,
    // Entra's email claim is mutable: never link by it, whatever the operator set.
    trustEmail: config.trustEmail && config.preset !== 'entra-id',
    allowSignup: config.allowSignup,
    trustIdpMfa: config.trustIdpMfa,
    ...(config.mattermostService ? { mattermostService: config.mattermostService } : {}),
    startLogin: (relay) => startLogin(ctx, relay),
    finishLogin: (callback) => finishLogin(ctx, callback),
    logoutUrl: async (hint) => logoutUrl(ctx, hint),
    verifyLogoutToken: (token) => verifyLogoutToken(ctx, token),
    ...(config.refresh.enabled ? { recheckIntervalMs: config.refresh.intervalMinutes * 60_000, recheck: (token: string, sub: string) => recheck(ctx, token, sub) } : {}),
  };
}
