/**
 * `gatehouse import mattermost-config <config.json>`: map a Mattermost `SamlSettings` block onto a
 * Gatehouse SAML connector, print it as JSON for the `connectors` list, and say what did not map.
 */
import { readFileSync } from 'node:fs';
import { samlConnectorSchema } from '../connectors/saml/config-schema.js';
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

const enabled = (s: unknown): s is Settings => typeof s === 'object' && s !== null && ((s as Settings).Enable === true || Boolean(str((s as Settings).Id)));

function mapAll(config: Record<string, unknown>): { mapped: Mapped[]; schemas: unknown[] } {
  const mapped: Mapped[] = [];
  const schemas: unknown[] = [];
  if (enabled(config.SamlSettings) || (config.SamlSettings && typeof config.SamlSettings === 'object' && str((config.SamlSettings as Settings).IdpURL))) { mapped.push(mapSamlSettings(config.SamlSettings as Settings)); schemas.push(samlConnectorSchema); }
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
  if (mapped.length === 0) { io.err(`${file} has no enabled SamlSettings, GitLabSettings, GoogleSettings, Office365Settings or OpenIdSettings\n`); return 1; }
  io.out(`${JSON.stringify({ connectors: mapped.map((m) => m.connector) }, null, 2)}\n`);
  mapped.forEach((m, i) => {
    const id = String(m.connector.id);
    for (const n of m.notes) io.err(`note (${id}): ${n}\n`);
    const check = (schemas[i] as typeof samlConnectorSchema).safeParse(m.connector);
    if (!check.success) for (const issue of check.error.issues) io.err(`still to fill in (${id}): ${issue.path.join('.') || '(connector)'}: ${issue.message}\n`);
  });
  return 0;
}
