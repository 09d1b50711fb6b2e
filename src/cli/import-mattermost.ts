/**
 * `gatehouse import mattermost-config <config.json>`: map a Mattermost config's `SamlSettings`,
 * `LdapSettings`, `GitLabSettings`, `GoogleSettings`, `Office365Settings` and `OpenIdSettings` onto
 * Gatehouse connectors, print them as JSON for the `connectors` list, and say what did not map.
 * Secrets are never copied: the output names a file to put each one in.
 */
import { readFileSync } from 'node:fs';
import { samlConnectorSchema } from '../connectors/saml/config-schema.js';
import { ldapConnectorSchema } from '../connectors/ldap/config-schema.js';
import { oidcConnectorSchema } from '../connectors/oidc/config-schema.js';
import { oauth2ConnectorSchema } from '../connectors/oauth2/config-schema.js';
import type { CliIo } from './run.js';

type Settings = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Mattermost key → what Gatehouse does with it (for the report). */
const IGNORED: Record<string, string> = {
  Enable: 'a connector is enabled by being listed', EnableSyncWithLdap: 'LDAP sync is configured separately', EnableSyncWithLdapIncludeAuth: 'LDAP sync is configured separately',
  IgnoreGuestsLdapSync: 'LDAP sync is configured separately', Verify: 'signatures are always verified', Encrypt: 'encrypted assertions are accepted when sp.encryption* keys are set',
  AssertionConsumerServiceURL: 'the ACS URL is derived from siteUrl (the default connector also answers /login/sso/saml)', SignatureAlgorithm: 'RSA-SHA256 always', CanonicalAlgorithm: 'exclusive c14n',
  ScopingIDPProviderId: 'not supported', ScopingIDPName: 'not supported', ServiceProviderIdentifier: 'mapped to sp.entityId', LoginButtonBorderColor: 'not supported', LoginButtonTextColor: 'not supported',
};

export function mapSamlSettings(s: Settings): { connector: Record<string, unknown>; notes: string[] } {
  const notes: string[] = [];
  const admin = s.EnableAdminAttribute === true ? str(s.AdminAttribute) : undefined;
  const connector = {
    id: 'saml', type: 'saml', default: true, preset: 'generic',
    displayName: str(s.LoginButtonText) ?? 'SAML', ...(str(s.LoginButtonColor)?.match(/^#[0-9a-fA-F]{6}$/) ? { buttonColor: str(s.LoginButtonColor) } : {}),
    idp: Object.fromEntries(Object.entries({ metadataUrl: str(s.IdpMetadataURL), entityId: str(s.IdpDescriptorURL), ssoUrl: str(s.IdpURL) }).filter(([, v]) => v)),
    sp: Object.fromEntries(Object.entries({ entityId: str(s.ServiceProviderIdentifier), ...(s.SignRequest === true ? { privateKeyFile: str(s.PrivateKeyFile), certificateFile: str(s.PublicCertificateFile) } : {}) }).filter(([, v]) => v)),
    attributes: Object.fromEntries(Object.entries({
      id: str(s.IdAttribute), email: str(s.EmailAttribute), username: str(s.UsernameAttribute), firstName: str(s.FirstNameAttribute),
      lastName: str(s.LastNameAttribute), nickname: str(s.NicknameAttribute), position: str(s.PositionAttribute), locale: str(s.LocaleAttribute),
    }).filter(([, v]) => v)),
    ...(admin ? { adminAttribute: admin } : {}),
    ...(str(s.GuestAttribute) ? { guestAttribute: str(s.GuestAttribute) } : {}),
  };
  if (!str(s.IdAttribute)) notes.push('IdAttribute is empty: Mattermost then links accounts by e-mail; Gatehouse links by a persistent NameID instead — set attributes.id to a stable attribute if your IdP sends a transient NameID');
  if (str(s.IdpCertificateFile)) notes.push(`IdpCertificateFile ${str(s.IdpCertificateFile)}: paste the PEM into idp.certificates (Mattermost keeps it in its database or file store)`);
  if (s.Encrypt === true) notes.push('Encrypt was on: set sp.encryptionPrivateKeyFile and sp.encryptionCertificateFile to keep accepting encrypted assertions');
  for (const key of Object.keys(s)) if (IGNORED[key] && s[key] !== '' && s[key] !== false && s[key] !== null) notes.push(`${key}: ${IGNORED[key]}`);
  return { connector, notes };
}

type Mapped = { connector: Record<string, unknown>; notes: string[] };

const secretNote = (block: string) => `${block}.Secret is not copied: put the client secret in a file readable only by Gatehouse and set clientSecretFile`;

/** GitLabSettings → the OAuth 2.0 connector with the gitlab preset (the issuer is the GitLab URL). */
export function mapGitLabSettings(s: Settings): Mapped {
  const auth = str(s.AuthEndpoint);
  const base = auth ? new URL(auth).origin : 'https://gitlab.com';
  return {
    connector: {
      id: 'gitlab', type: 'oauth2', preset: 'gitlab', displayName: str(s.ButtonText) ?? 'GitLab', clientId: str(s.Id) ?? '', clientSecretFile: '/etc/gatehouse/gitlab-client-secret',
      authorizationUrl: auth ?? `${base}/oauth/authorize`, tokenUrl: str(s.TokenEndpoint) ?? `${base}/oauth/token`, userInfoUrl: str(s.UserAPIEndpoint) ?? `${base}/api/v4/user`,
    },
    notes: [secretNote('GitLabSettings'), 'register https://<siteUrl>/auth/gitlab/callback as the redirect URI of the GitLab application (Mattermost used /signup/gitlab/complete)'],
  };
}

/** GoogleSettings, Office365Settings, OpenIdSettings → OIDC connectors with the matching preset. */
export function mapOidcSettings(block: 'GoogleSettings' | 'Office365Settings' | 'OpenIdSettings', s: Settings): Mapped {
  const notes = [secretNote(block)];
  const common = { type: 'oidc', clientId: str(s.Id) ?? '', clientSecretFile: `/etc/gatehouse/${block.replace('Settings', '').toLowerCase()}-client-secret` };
  if (block === 'GoogleSettings') {
    notes.push('set google.hostedDomains to restrict sign-in to your Workspace domains');
    return { connector: { id: 'google', preset: 'google', displayName: 'Google', issuer: 'https://accounts.google.com', mattermostService: 'google', ...common }, notes };
  }
  if (block === 'Office365Settings') {
    const tenant = str(s.DirectoryId);
    if (!tenant) notes.push('DirectoryId is empty: set issuer to https://login.microsoftonline.com/<tenant id>/v2.0 and entra.allowedTenants');
    return { connector: { id: 'entra', preset: 'entra-id', displayName: 'Microsoft', issuer: `https://login.microsoftonline.com/${tenant ?? '<tenant id>'}/v2.0`, mattermostService: 'office365', ...common, ...(tenant ? { entra: { allowedTenants: [tenant] } } : {}) }, notes };
  }
  const discovery = str(s.DiscoveryEndpoint) ?? '';
  if (!discovery) notes.push('DiscoveryEndpoint is empty: set issuer to your provider');
  return {
    connector: { id: 'openid', preset: 'generic', displayName: str(s.ButtonText) ?? 'OpenID Connect', issuer: discovery.replace(/\/\.well-known\/openid-configuration\/?$/, ''), mattermostService: 'openid', ...common,
      ...(str(s.ButtonColor)?.match(/^#[0-9a-fA-F]{6}$/) ? { buttonColor: str(s.ButtonColor) } : {}) },
    notes,
  };
}

/** LdapSettings keys Gatehouse does not take over, and why (for the report). */
const LDAP_IGNORED: Record<string, string> = {
  LoginFieldName: 'ignored: the sign-in form labels the field itself', PictureAttribute: 'not supported: profile pictures are not read from the directory',
  MaximumLoginAttempts: 'password lockout is configured for the whole gateway', ReAddRemovedMembers: 'links with auto_add re-add their members at every sync',
  Trace: 'set logging.level to debug instead', LoginButtonColor: 'not supported (directory sign-in is a form, not a button)',
  LoginButtonBorderColor: 'not supported', LoginButtonTextColor: 'not supported',
};

/** Where the operator is told to put the service account's password. */
export const LDAP_BIND_PASSWORD_PLACEHOLDER = '/etc/gatehouse/ldap-bind-password';

const asFilter = (v: unknown) => { const f = str(v); return f === undefined ? undefined : f.startsWith('(') ? f : `(${f})`; };
const clamp = (v: unknown, min: number, max: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(max, Math.max(min, Math.round(v))) : undefined);
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** `(memberOf=<dn>)` (AD's in-chain form too) is a group DN Gatehouse can use as is; other filters need a person. */
function groupOfFilter(filter: string | undefined): string | undefined {
  return filter ? /^\(memberOf(?::1\.2\.840\.113556\.1\.4\.1941:)?=([^()*]+=[^()*]+)\)$/i.exec(filter)?.[1]?.trim() : undefined;
}

/**
 * AdminFilter / GuestFilter: a plain `(memberOf=<dn>)` becomes adminGroups / guestGroups (nested
 * members then count too); any other filter is carried over as adminFilter / guestFilter.
 */
function mapRoleFilter(key: 'AdminFilter' | 'GuestFilter', filter: string | undefined, notes: string[]): { groups?: string[]; filter?: string } {
  if (!filter) return {};
  const target = key === 'AdminFilter' ? 'adminGroups' : 'guestGroups';
  const dn = groupOfFilter(filter);
  if (dn) {
    notes.push(`${key} ${filter} became ${target}: ["${dn}"]; Gatehouse also counts members of groups nested inside it — check that this is what you want`);
    return { groups: [dn] };
  }
  notes.push(`${key} ${filter} became ${key === 'AdminFilter' ? 'adminFilter' : 'guestFilter'} (matched against each user's own entry at sign-in and sync)`);
  return { filter };
}

/** LdapSettings → one LDAP connector (preset active-directory or openldap). */
export function mapLdapSettings(s: Settings): Mapped {
  const notes: string[] = [];
  const security = str(s.ConnectionSecurity)?.toUpperCase() ?? '';
  if (!['', 'TLS', 'STARTTLS'].includes(security)) notes.push(`ConnectionSecurity "${String(s.ConnectionSecurity)}" is unknown: mapped as a plain ldap:// connection; set url and startTls yourself`);
  const tls = security === 'TLS';
  const starttls = security === 'STARTTLS';
  let host = (str(s.LdapServer) ?? 'ldap.example.com').replace(/^ldaps?:\/\//i, '').replace(/\/+$/, '');
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  const port = clamp(Number(s.LdapPort), 1, 65_535) ?? (tls ? 636 : 389);
  if (!str(s.LdapServer)) notes.push('LdapServer is empty: set url to your directory (ldaps://host:636 or ldap://host:389)');
  if (!tls && !starttls) notes.push('ConnectionSecurity is empty: passwords travel unencrypted and Gatehouse warns about it at every start; prefer TLS (ldaps://) or STARTTLS');
  const idAttr = str(s.IdAttribute);
  const loginAttr = str(s.LoginIdAttribute);
  const preset = idAttr?.toLowerCase() === 'objectguid' || loginAttr?.toLowerCase() === 'samaccountname' ? 'active-directory' : 'openldap';
  const bindDn = str(s.BindUsername) ?? '';
  if (!bindDn) notes.push('BindUsername is empty: Gatehouse needs a service account (bindDn) and refuses unauthenticated binds');
  else if (!bindDn.includes('=')) notes.push(`BindUsername "${bindDn}" is not a DN: set bindDn to the service account's DN (e.g. cn=svc-gatehouse,ou=service accounts,dc=corp,dc=example)`);
  notes.push(`LdapSettings.BindPassword is not copied: write the service account's password to ${LDAP_BIND_PASSWORD_PLACEHOLDER} (readable only by Gatehouse) or point bindPasswordFile at another file`);
  const skipVerify = s.SkipCertificateVerification === true && (tls || starttls);
  if (skipVerify) notes.push('WARNING: SkipCertificateVerification was on, so tls.verify is false with insecureSkipVerify: anyone on the network path can read directory passwords. Set tls.caFile to the directory\'s CA and remove both keys');
  if (str(s.PublicCertificateFile) || str(s.PrivateKeyFile)) notes.push('PublicCertificateFile/PrivateKeyFile (a TLS client certificate) are not supported: the service account binds with its password');
  const page = s.MaxPageSize === 0 || s.MaxPageSize === undefined ? undefined : clamp(s.MaxPageSize, 10, 5000);
  if (s.MaxPageSize === 0) notes.push('MaxPageSize 0 (no paging) became Gatehouse\'s default: paged searches of 500 entries');
  const groupsBlock = defined({ filter: asFilter(s.GroupFilter), idAttribute: str(s.GroupIdAttribute), nameAttribute: str(s.GroupDisplayNameAttribute) });
  const admin = s.EnableAdminFilter === true ? mapRoleFilter('AdminFilter', asFilter(s.AdminFilter), notes) : {};
  const guest = mapRoleFilter('GuestFilter', asFilter(s.GuestFilter), notes);
  const connector = defined({
    id: 'ldap', type: 'ldap', displayName: 'AD/LDAP', preset, url: `${tls ? 'ldaps' : 'ldap'}://${host}:${port}`,
    ...(starttls ? { startTls: true } : {}),
    ...(skipVerify ? { tls: { verify: false, insecureSkipVerify: true } } : {}),
    bindDn, bindPasswordFile: LDAP_BIND_PASSWORD_PLACEHOLDER, userBase: str(s.BaseDN) ?? '', userFilter: asFilter(s.UserFilter),
    loginAttributes: loginAttr ? [loginAttr] : undefined,
    attributes: defined({
      id: idAttr, username: str(s.UsernameAttribute), email: str(s.EmailAttribute), firstName: str(s.FirstNameAttribute),
      lastName: str(s.LastNameAttribute), nickname: str(s.NicknameAttribute), position: str(s.PositionAttribute),
    }),
    ...(Object.keys(groupsBlock).length > 0 ? { groups: groupsBlock } : {}),
    adminGroups: admin.groups, guestGroups: guest.groups, adminFilter: admin.filter, guestFilter: guest.filter, pageSize: page, timeoutSeconds: clamp(s.QueryTimeout, 1, 300),
    sync: defined({ enabled: typeof s.EnableSync === 'boolean' ? s.EnableSync : undefined, intervalMinutes: clamp(s.SyncIntervalMinutes, 1, 10_080) }),
  });
  for (const key of Object.keys(s)) if (LDAP_IGNORED[key] && s[key] !== '' && s[key] !== false && s[key] !== null && s[key] !== 0) notes.push(`${key}: ${LDAP_IGNORED[key]}`);
  return { connector, notes };
}

const enabled = (s: unknown): s is Settings => typeof s === 'object' && s !== null && ((s as Settings).Enable === true || Boolean(str((s as Settings).Id)));

function mapAll(config: Record<string, unknown>): { mapped: Mapped[]; schemas: unknown[] } {
  const mapped: Mapped[] = [];
  const schemas: unknown[] = [];
  if (enabled(config.SamlSettings) || (config.SamlSettings && typeof config.SamlSettings === 'object' && str((config.SamlSettings as Settings).IdpURL))) { mapped.push(mapSamlSettings(config.SamlSettings as Settings)); schemas.push(samlConnectorSchema); }
  const ldap = config.LdapSettings;
  if (typeof ldap === 'object' && ldap !== null && (ldap as Settings).Enable === true) { mapped.push(mapLdapSettings(ldap as Settings)); schemas.push(ldapConnectorSchema); }
  if (enabled(config.GitLabSettings)) { mapped.push(mapGitLabSettings(config.GitLabSettings)); schemas.push(oauth2ConnectorSchema); }
  for (const block of ['GoogleSettings', 'Office365Settings', 'OpenIdSettings'] as const) {
    if (enabled(config[block])) { mapped.push(mapOidcSettings(block, config[block] as Settings)); schemas.push(oidcConnectorSchema); }
  }
  return { mapped, schemas };
}

export function runImportMattermost(rest: string[], io: CliIo): number {
  const [what, file] = rest;
  if (what !== 'mattermost-config' || !file) { io.err('usage: gatehouse import mattermost-config <config.json>\n'); return 2; }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    io.err(`cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const { mapped, schemas } = mapAll(parsed);
  if (mapped.length === 0) { io.err(`${file} has no enabled SamlSettings, LdapSettings, GitLabSettings, GoogleSettings, Office365Settings or OpenIdSettings\n`); return 1; }
  io.out(`${JSON.stringify({ connectors: mapped.map((m) => m.connector) }, null, 2)}\n`);
  mapped.forEach((m, i) => {
    const id = String(m.connector.id);
    for (const n of m.notes) io.err(`note (${id}): ${n}\n`);
    const check = (schemas[i] as typeof samlConnectorSchema).safeParse(m.connector);
    if (!check.success) for (const issue of check.error.issues) io.err(`still to fill in (${id}): ${issue.path.join('.') || '(connector)'}: ${issue.message}\n`);
  });
  return 0;
}
