/**
 * From a verified assertion's attributes to the normalized Identity: presets from providers/,
 * the operator's names merged over them, admin/guest `attr=value` rules, and `amr`.
 */
import { readFileSync } from 'node:fs';
import type { Identity } from '../contract.js';
import type { SamlAttributeMap, SamlConnectorConfig, SamlPresetName } from './config-schema.js';

export type SamlAttributes = Record<string, string[]>;

export interface SamlPreset {
  attributes: SamlAttributeMap;
  nameIdFormat: string;
  notes: string;
}

const PRESET_FILES: Record<SamlPresetName, string> = {
  okta: 'okta.json',
  onelogin: 'onelogin.json',
  adfs: 'adfs.json',
  'entra-id': 'entra-id.json',
  generic: 'generic-saml.json',
};

/** Read a preset from providers/ (data, never secrets). `providersDir` defaults to the repo's. */
export function loadSamlPreset(name: SamlPresetName, providersDir?: URL | string): SamlPreset {
  const dir = providersDir ?? new URL('../../../providers/', import.meta.url);
  const file = typeof dir === 'string' ? `${dir.replace(/\/+$/, '')}/${PRESET_FILES[name]}` : new URL(PRESET_FILES[name], dir);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { saml?: SamlPreset };
  if (!parsed.saml) throw new Error(`providers/${PRESET_FILES[name]} has no "saml" section`);
  return parsed.saml;
}

/** The operator's attribute names over the preset's (an operator key always wins). */
export function mergeAttributeMap(preset: SamlAttributeMap, operator: SamlAttributeMap): SamlAttributeMap {
  const merged: SamlAttributeMap = { ...preset };
  for (const [k, v] of Object.entries(operator)) if (v) merged[k as keyof SamlAttributeMap] = v;
  return merged;
}

export const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/**
 * AuthnContextClassRef values (and Entra's authnmethodsreferences values) that mean more than one
 * factor was used:
 * - REFEDS MFA Profile (https://refeds.org/profile/mfa);
 * - SAML 2.0 Authentication Context §3.4.1 classes that are multi-factor by definition
 *   (MobileTwoFactorContract/Unregistered, TimeSyncToken, SmartcardPKI = card + PIN);
 * - Microsoft: ADFS sets the class ref, Entra ID the `authnmethodsreferences` attribute, to
 *   `http://schemas.microsoft.com/claims/multipleauthn` after MFA (Entra SAML token reference);
 * - Okta sends `urn:okta:saml:2.0:classes:MultifactorAuthentication`-style refs only when configured;
 *   the REFEDS value is what Okta's "Authentication context" setting offers for MFA.
 */
export const MFA_AUTHN_CONTEXTS: ReadonlySet<string> = new Set([
  'https://refeds.org/profile/mfa',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
  'http://schemas.microsoft.com/claims/multipleauthn',
]);
export const ENTRA_AMR_ATTRIBUTE = 'http://schemas.microsoft.com/claims/authnmethodsreferences';

export function amrFor(authnContexts: string[], attributes: SamlAttributes): string[] {
  const refs = [...authnContexts, ...(attributes[ENTRA_AMR_ATTRIBUTE] ?? [])];
  return refs.some((r) => MFA_AUTHN_CONTEXTS.has(r)) ? ['saml', 'mfa'] : ['saml'];
}

/** `attr=value` → true when any value of attr equals value; undefined when no rule is configured. */
export function matchesRule(rule: string | undefined, attributes: SamlAttributes): boolean | undefined {
  if (!rule) return undefined;
  const eq = rule.indexOf('=');
  const name = rule.slice(0, eq).trim();
  const value = rule.slice(eq + 1).trim();
  return (attributes[name] ?? []).includes(value);
}

export interface AssertedSubject {
  nameId: string;
  nameIdFormat: string;
  attributes: SamlAttributes;
  authnContexts: string[];
}

/** Thrown when the assertion lacks something the mapping needs; the caller refuses the response. */
export class MappingError extends Error {
  override readonly name = 'MappingError';
}

function first(attributes: SamlAttributes, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const v = attributes[name]?.find((x) => x.length > 0);
  return v;
}

/**
 * The stable subject: the id attribute when one is configured (missing → refused: falling back to
 * the NameID would make a second link for the same person), else a persistent NameID (SAML core
 * §8.3.7), else nothing — an e-mail or transient NameID is never a subject.
 */
export function stableSubject(map: SamlAttributeMap, s: AssertedSubject): string {
  if (map.id) {
    const fromAttr = first(s.attributes, map.id);
    if (fromAttr) return fromAttr;
    throw new MappingError(`no stable id: attribute ${map.id} (attributes.id) missing from the assertion`);
  }
  if (s.nameIdFormat === NAMEID_PERSISTENT && s.nameId) return s.nameId;
  throw new MappingError(`no stable id: set attributes.id or have the IdP send a persistent NameID (got ${s.nameIdFormat || 'no Format'})`);
}

type Cfg = Pick<SamlConnectorConfig, 'id' | 'adminAttribute' | 'guestAttribute'>;

export function mapIdentity(config: Cfg, map: SamlAttributeMap, s: AssertedSubject): Identity {
  const email = first(s.attributes, map.email) ?? (s.nameIdFormat === NAMEID_EMAIL ? s.nameId : undefined);
  if (!email) throw new MappingError(`no e-mail: attribute ${map.email ?? '(attributes.email unset)'} missing and NameID is not an emailAddress`);
  const identity: Identity = {
    connectorId: config.id,
    subject: stableSubject(map, s),
    email,
    // The IdP asserts the address; whether that is enough to link accounts is the pipeline's
    // trustEmail decision, not the connector's.
    emailVerified: true,
    groups: map.groups ? [...new Set((s.attributes[map.groups] ?? []).filter((g) => g.length > 0))] : [],
    amr: amrFor(s.authnContexts, s.attributes),
    raw: { ...s.attributes, nameId: s.nameId, nameIdFormat: s.nameIdFormat },
  };
  const optional = { username: map.username, firstName: map.firstName, lastName: map.lastName, nickname: map.nickname, position: map.position, locale: map.locale } as const;
  for (const [key, attr] of Object.entries(optional)) {
    const v = first(s.attributes, attr);
    if (v !== undefined) identity[key as keyof typeof optional] = v;
  }
  const isAdmin = matchesRule(config.adminAttribute, s.attributes);
  const isGuest = matchesRule(config.guestAttribute, s.attributes);
  if (isAdmin !== undefined) identity.isAdmin = isAdmin;
  if (isGuest !== undefined) identity.isGuest = isGuest;
  return identity;
}
