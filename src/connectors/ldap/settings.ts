/**
 * One LDAP connector's settings, resolved once at start: the operator's keys over the preset's,
 * the service password and CA read from their files, TLS options built with certificate checks on.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { connectorConfigError, parseConnectorConfig } from '../connector-deps.js';
import { ldapConnectorSchema, type LdapConnectorConfig, type LdapConnectorInput, type LdapPresetName } from './config-schema.js';

interface LdapPreset {
  userFilter: string;
  loginAttributes: string[];
  attributes: { id: string; username: string; email: string; firstName: string; lastName: string; position?: string };
  groups: { filter: string; idAttribute: string; nesting: 'recursive' | 'in-chain' | 'none' };
  accountChecks: { adUserAccountControl: boolean; adAccountExpires: boolean; ppolicyLock: boolean };
  changeAttribute: string;
}

export interface LdapSettings {
  id: string;
  displayName: string;
  preset: LdapPresetName;
  urls: string[];
  startTls: boolean;
  tls: ConnectionOptions;
  /** True when TLS protects the bind (ldaps:// or StartTLS). */
  encrypted: boolean;
  bindDn: string;
  bindPassword: string;
  userBase: string;
  userFilter: string;
  loginAttributes: string[];
  attrs: { id: string; username: string; email: string; firstName: string; lastName: string; nickname?: string; position?: string };
  /** Attributes returned as bytes (objectGUID). */
  binaryAttributes: string[];
  groups: {
    base: string;
    filter: string;
    idAttribute: string;
    nameAttribute: string;
    memberAttributes: string[];
    memberUidAttribute: string;
    nesting: 'recursive' | 'in-chain' | 'none';
    maxDepth: number;
  };
  /** Normalized DNs. */
  adminGroups: Set<string>;
  guestGroups: Set<string>;
  adminFilter?: string;
  guestFilter?: string;
  checks: { uac: boolean; expires: boolean; ppolicy: boolean };
  /** host:port (lower case) referrals may be followed to; empty: never followed. */
  referralHosts: Set<string>;
  pageSize: number;
  connectTimeoutMs: number;
  timeoutMs: number;
  allowSignup: boolean;
  trustEmail: boolean;
  sync: LdapConnectorConfig['sync'] & { changeAttribute: string };
}

const BINARY_ID_ATTRIBUTES = new Set(['objectguid']);

/** Case-, space- and escape-tolerant DN comparison key. */
export function normalizeDn(dn: string): string {
  return dn.split(/(?<!\\),/).map((rdn) => rdn.split(/(?<!\\)=/).map((p) => p.trim()).join('=')).join(',').toLowerCase();
}

function loadPreset(name: LdapPresetName, providersDir?: URL | string): LdapPreset {
  const file = name === 'generic' ? 'generic-ldap' : name;
  const dir = providersDir ?? new URL('../../../providers/', import.meta.url);
  const path = typeof dir === 'string' ? `${dir.replace(/\/+$/, '')}/${file}.json` : new URL(`${file}.json`, dir);
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { ldap?: LdapPreset };
  if (!parsed.ldap) throw new Error(`providers/${file}.json has no "ldap" section`);
  return parsed.ldap;
}

function readSecretFile(id: string, key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw connectorConfigError('LDAP_CONFIG_INVALID', id, `${key}: cannot read ${path}: ${(err as Error).message}`, err);
  }
}

export function resolveLdapSettings(input: LdapConnectorConfig | LdapConnectorInput, providersDir?: URL | string): LdapSettings {
  const c = parseConnectorConfig(ldapConnectorSchema, input, 'LDAP_CONFIG_INVALID');
  const p = loadPreset(c.preset, providersDir);
  const ca = c.tls.caPem ?? (c.tls.caFile ? readSecretFile(c.id, 'tls.caFile', c.tls.caFile) : undefined);
  const tls: ConnectionOptions = {
    rejectUnauthorized: c.tls.verify,
    minVersion: 'TLSv1.2',
    ...(ca ? { ca } : {}),
    ...(c.tls.serverName ? { servername: c.tls.serverName } : {}),
  };
  const attrs = { ...p.attributes, ...Object.fromEntries(Object.entries(c.attributes).filter(([, v]) => v !== undefined)) } as LdapSettings['attrs'];
  const groupId = c.groups.idAttribute ?? p.groups.idAttribute;
  return {
    id: c.id,
    displayName: c.displayName,
    preset: c.preset,
    urls: c.url,
    startTls: c.startTls,
    tls,
    encrypted: c.startTls || c.url.every((u) => u.toLowerCase().startsWith('ldaps://')),
    bindDn: c.bindDn,
    bindPassword: c.bindPassword ?? readSecretFile(c.id, 'bindPasswordFile', c.bindPasswordFile!),
    userBase: c.userBase,
    userFilter: c.userFilter ?? p.userFilter,
    loginAttributes: c.loginAttributes ?? p.loginAttributes,
    attrs,
    binaryAttributes: [attrs.id, groupId].filter((a) => BINARY_ID_ATTRIBUTES.has(a.toLowerCase())),
    groups: {
      base: c.groups.base ?? c.userBase,
      filter: c.groups.filter ?? p.groups.filter,
      idAttribute: groupId,
      nameAttribute: c.groups.nameAttribute,
      memberAttributes: c.groups.memberAttributes,
      memberUidAttribute: c.groups.memberUidAttribute,
      nesting: c.groups.nesting ?? p.groups.nesting,
      maxDepth: c.groups.maxDepth,
    },
    adminGroups: new Set(c.adminGroups.map(normalizeDn)),
    guestGroups: new Set(c.guestGroups.map(normalizeDn)),
    ...(c.adminFilter ? { adminFilter: c.adminFilter } : {}),
    ...(c.guestFilter ? { guestFilter: c.guestFilter } : {}),
    checks: {
      uac: c.accountChecks.adUserAccountControl ?? p.accountChecks.adUserAccountControl,
      expires: c.accountChecks.adAccountExpires ?? p.accountChecks.adAccountExpires,
      ppolicy: c.accountChecks.ppolicyLock ?? p.accountChecks.ppolicyLock,
    },
    referralHosts: new Set(c.followReferrals ? c.referralHosts.map((h) => h.toLowerCase()) : []),
    pageSize: c.pageSize,
    connectTimeoutMs: c.connectTimeoutSeconds * 1000,
    timeoutMs: c.timeoutSeconds * 1000,
    allowSignup: c.allowSignup,
    trustEmail: c.trustEmail,
    sync: { ...c.sync, changeAttribute: p.changeAttribute },
  };
}
