/**
 * OAuth 2.0 presets (providers/<name>.json, `oauth2` section) and the merge of the operator's keys
 * over them into one resolved configuration: every endpoint known, the secret read, the claim
 * paths complete. Anything missing is an OIDC_CONFIG_INVALID naming the key and the fix.
 */
import { readFileSync } from 'node:fs';
import type { GatewayError } from '../../errors/gateway-error.js';
import { connectorConfigError } from '../connector-deps.js';
import type { OAuth2Claims, OAuth2ConnectorConfig, OAuth2PresetName } from './config-schema.js';

export interface OAuth2Preset {
  authorizationUrl?: string;
  tokenUrl?: string;
  userInfoUrl?: string;
  emailsUrl?: string;
  scopes?: string[];
  claims?: OAuth2Claims;
  mattermostService?: 'gitlab' | 'github';
  notes?: string;
}

/** The configuration the steps use: the operator's keys over the preset's, nothing left optional that a step needs. */
export interface ResolvedOAuth2Config {
  id: string;
  preset: OAuth2PresetName;
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
  emailsUrl?: string;
  /** GitHub's `/user/orgs`, beside userInfoUrl; set only when an organization allow-list is configured. */
  orgsUrl?: string;
  allowedOrganizations?: string[];
  clientId: string;
  clientSecret: string;
  scopes: string[];
  usePkce: boolean;
  claims: OAuth2Claims & { id: string };
  adminClaim?: string;
  guestClaim?: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

const PRESET_FILES: Record<OAuth2PresetName, string | null> = { github: 'github.json', gitlab: 'gitlab.json', generic: null };

export function configError(id: string, detail: string, cause?: unknown): GatewayError {
  return connectorConfigError('OIDC_CONFIG_INVALID', id, detail, cause);
}

/** Read the `oauth2` section of a preset (data, never secrets). `generic` has none. */
export function loadOAuth2Preset(name: OAuth2PresetName, providersDir?: URL | string): OAuth2Preset {
  const fileName = PRESET_FILES[name];
  if (!fileName) return {};
  const dir = providersDir ?? new URL('../../../providers/', import.meta.url);
  const file = typeof dir === 'string' ? `${dir.replace(/\/+$/, '')}/${fileName}` : new URL(fileName, dir);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { oauth2?: OAuth2Preset };
  if (!parsed.oauth2) throw new Error(`providers/${fileName} has no "oauth2" section`);
  return parsed.oauth2;
}

function readSecret(config: OAuth2ConnectorConfig): string {
  if (config.clientSecret) return config.clientSecret;
  const file = config.clientSecretFile ?? '';
  let secret: string;
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw configError(config.id, `clientSecretFile: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  if (!secret) throw configError(config.id, `clientSecretFile: ${file} is empty`);
  return secret;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** RFC 6749 §3.1/§3.2 and §10.5: endpoints over TLS; plain http only to loopback, and only when asked. */
function checkEndpoint(config: OAuth2ConnectorConfig, key: string, value: string): void {
  const u = new URL(value);
  if (u.protocol === 'https:') return;
  if (u.protocol === 'http:' && config.allowInsecureHttp && LOOPBACK.has(u.hostname)) return;
  const hint = u.protocol === 'http:' ? ' (http is accepted only for loopback hosts with allowInsecureHttp: true)' : '';
  throw configError(config.id, `${key}: ${value} must use https${hint}`);
}

function mergeClaims(preset: OAuth2Claims | undefined, operator: OAuth2Claims): OAuth2Claims {
  const merged: OAuth2Claims = { ...preset };
  for (const [k, v] of Object.entries(operator)) if (v) merged[k as keyof OAuth2Claims] = v;
  return merged;
}

function required(config: OAuth2ConnectorConfig, key: string, value: string | undefined): string {
  if (!value) throw configError(config.id, `${key} is required (the "${config.preset}" preset has none)`);
  checkEndpoint(config, key, value);
  return value;
}

export function resolveOAuth2Config(config: OAuth2ConnectorConfig, preset: OAuth2Preset): ResolvedOAuth2Config {
  const claims = mergeClaims(preset.claims, config.claims);
  if (!claims.id) throw configError(config.id, 'claims.id is required: the JSON path of a stable user id (e.g. "id" or "data.user.id")');
  const userInfoUrl = required(config, 'userInfoUrl', config.userInfoUrl ?? preset.userInfoUrl);
  const emailsUrl = config.emailsUrl ?? (config.preset === 'github' ? preset.emailsUrl : undefined);
  if (emailsUrl) checkEndpoint(config, 'emailsUrl', emailsUrl);
  if (config.preset === 'github' && !emailsUrl) throw configError(config.id, 'emailsUrl is required for preset "github" (GitHub\'s /user/emails)');
  const allowed = config.github?.allowedOrganizations;
  const scopes = [...(config.scopes ?? preset.scopes ?? [])];
  // GitHub lists private organization memberships only with read:org.
  if (allowed && !scopes.includes('read:org')) scopes.push('read:org');
  return {
    id: config.id,
    preset: config.preset,
    authorizationUrl: required(config, 'authorizationUrl', config.authorizationUrl ?? preset.authorizationUrl),
    tokenUrl: required(config, 'tokenUrl', config.tokenUrl ?? preset.tokenUrl),
    userInfoUrl,
    ...(emailsUrl ? { emailsUrl } : {}),
    ...(allowed ? { allowedOrganizations: allowed, orgsUrl: `${userInfoUrl.replace(/\/+$/, '')}/orgs` } : {}),
    clientId: config.clientId,
    clientSecret: readSecret(config),
    scopes,
    usePkce: config.usePkce,
    claims: { ...claims, id: claims.id },
    ...(config.adminClaim ? { adminClaim: config.adminClaim } : {}),
    ...(config.guestClaim ? { guestClaim: config.guestClaim } : {}),
    timeoutMs: config.timeoutMs,
    maxResponseBytes: config.maxResponseBytes,
  };
}
