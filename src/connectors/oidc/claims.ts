/**
 * From verified ID token claims (merged with userinfo) to the normalized Identity: presets from
 * providers/, the operator's claim names over them, admin/guest `claim=value` rules, and `amr`.
 */
import { readFileSync } from 'node:fs';
import type { Identity } from '../contract.js';
import type { OidcClaimMap, OidcConnectorConfig, OidcPresetName } from './config-schema.js';

export type Claims = Record<string, unknown>;

export interface OidcPreset {
  scopes: string[];
  claims: OidcClaimMap;
  notes: string;
}

const GENERIC: OidcPreset = {
  scopes: ['openid', 'email', 'profile'],
  claims: { username: 'preferred_username', email: 'email', firstName: 'given_name', lastName: 'family_name', groups: 'groups' },
  notes: 'Standard OIDC Core §5.1 claims.',
};

/** Read a preset's `oidc` section from providers/ (data, never secrets). */
export function loadOidcPreset(name: OidcPresetName, providersDir?: URL | string): OidcPreset {
  if (name === 'generic') return GENERIC;
  const dir = providersDir ?? new URL('../../../providers/', import.meta.url);
  const file = typeof dir === 'string' ? `${dir.replace(/\/+$/, '')}/${name}.json` : new URL(`${name}.json`, dir);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { oidc?: OidcPreset };
  if (!parsed.oidc) throw new Error(`providers/${name}.json has no "oidc" section`);
  return parsed.oidc;
}

/** The operator's claim names over the preset's, over the standard ones. */
export function mergeClaimMap(preset: OidcClaimMap, operator: OidcClaimMap): Required<OidcClaimMap> {
  const merged = { ...GENERIC.claims, ...preset } as Required<OidcClaimMap>;
  for (const [k, v] of Object.entries(operator)) if (v) (merged as Record<string, unknown>)[k] = v;
  return merged;
}

/** A claim by name, or by dotted path into nested objects (Keycloak's `realm_access.roles`). */
export function claimAt(claims: Claims, name: string): unknown {
  if (name in claims) return claims[name];
  let cur: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function asStrings(v: unknown): string[] {
  if (typeof v === 'string') return v.length > 0 ? [v] : [];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x.length > 0);
  return [];
}

function firstString(claims: Claims, name: string | undefined): string | undefined {
  return name ? asStrings(claimAt(claims, name))[0] : undefined;
}

/** `claim=value` → true when the claim (or any element of an array claim) equals value; undefined without a rule. */
export function matchesClaimRule(rule: string | undefined, claims: Claims): boolean | undefined {
  if (!rule) return undefined;
  const eq = rule.indexOf('=');
  const value = rule.slice(eq + 1).trim();
  const v = claimAt(claims, rule.slice(0, eq).trim());
  if (typeof v === 'boolean' || typeof v === 'number') return String(v) === value;
  return asStrings(v).includes(value);
}

/** Thrown when the claims lack something the mapping needs; the caller refuses the response. */
export class ClaimMappingError extends Error {
  override readonly name = 'ClaimMappingError';
}

type Cfg = Pick<OidcConnectorConfig, 'id' | 'preset' | 'adminClaim' | 'guestClaim'>;

/**
 * Entra's `email` is mutable and unverified by the tenant (any admin can set it), so it never
 * counts as verified — linking by it would allow account takeover (the "nOAuth" issue).
 * Elsewhere `email_verified` decides (OIDC Core §5.1; some providers send the string "true").
 */
function emailVerified(config: Cfg, claims: Claims): boolean {
  if (config.preset === 'entra-id') return false;
  return claims.email_verified === true || claims.email_verified === 'true';
}

export function mapIdentity(config: Cfg, map: Required<OidcClaimMap>, claims: Claims): Identity {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw new ClaimMappingError('no sub claim');
  const email = firstString(claims, map.email);
  if (!email) throw new ClaimMappingError(`no e-mail: claim ${map.email} missing (request the email scope or set claims.email)`);
  const groupClaims = Array.isArray(map.groups) ? map.groups : [map.groups];
  const identity: Identity = {
    connectorId: config.id,
    // sub is unique per issuer only (OIDC Core §2); the connector id stands for the issuer.
    subject: sub,
    email,
    emailVerified: emailVerified(config, claims),
    groups: [...new Set(groupClaims.flatMap((g) => asStrings(claimAt(claims, g))))],
    amr: [...new Set(['oidc', ...asStrings(claims.amr)])],
    raw: claims,
  };
  const username = firstString(claims, map.username) ?? firstString(claims, 'preferred_username');
  if (username) identity.username = username;
  const firstName = firstString(claims, map.firstName);
  if (firstName) identity.firstName = firstName;
  const lastName = firstString(claims, map.lastName);
  if (lastName) identity.lastName = lastName;
  const nickname = firstString(claims, 'nickname');
  if (nickname) identity.nickname = nickname;
  const locale = firstString(claims, 'locale');
  if (locale) identity.locale = locale;
  const isAdmin = matchesClaimRule(config.adminClaim, claims);
  const isGuest = matchesClaimRule(config.guestClaim, claims);
  if (isAdmin !== undefined) identity.isAdmin = isAdmin;
  if (isGuest !== undefined) identity.isGuest = isGuest;
  return identity;
}
