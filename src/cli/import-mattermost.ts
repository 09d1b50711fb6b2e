/**
 * `gatehouse import mattermost-config <config.json>`: map a Mattermost `SamlSettings` block onto a
 * Gatehouse SAML connector, print it as JSON for the `connectors` list, and say what did not map.
 */
import { readFileSync } from 'node:fs';
import { samlConnectorSchema } from '../connectors/saml/config-schema.js';
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

export function runImportMattermost(rest: string[], io: CliIo): number {
  const [what, file] = rest;
  if (what !== 'mattermost-config' || !file) { io.err('usage: gatehouse import mattermost-config <config.json>\n'); return 2; }
  let parsed: { SamlSettings?: Settings };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as { SamlSettings?: Settings };
  } catch (err) {
    io.err(`cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  if (!parsed.SamlSettings) { io.err(`${file} has no SamlSettings block\n`); return 1; }
  const { connector, notes } = mapSamlSettings(parsed.SamlSettings);
  const check = samlConnectorSchema.safeParse(connector);
  io.out(`${JSON.stringify(connector, null, 2)}\n`);
  for (const n of notes) io.err(`note: ${n}\n`);
  if (!check.success) for (const i of check.error.issues) io.err(`still to fill in: ${i.path.join('.') || '(connector)'}: ${i.message}\n`);
  return 0;
}
