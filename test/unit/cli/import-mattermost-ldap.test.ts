/** `gatehouse import mattermost-config`: Mattermost's LdapSettings become one valid LDAP connector. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LDAP_BIND_PASSWORD_PLACEHOLDER, mapLdapSettings, runImportMattermost } from '../../../src/cli/import-mattermost.js';
import { ldapConnectorSchema } from '../../../src/connectors/ldap/config-schema.js';
import { resolveLdapSettings } from '../../../src/connectors/ldap/settings.js';

const BIND_SECRET = 'Mm-bind-secret-4711';

/** The LdapSettings block of a Mattermost config.json pointed at Active Directory (keys as Mattermost writes them). */
const AD: Record<string, unknown> = {
  Enable: true, EnableSync: true, LdapServer: 'dc1.corp.example.com', LdapPort: 636, ConnectionSecurity: 'TLS',
  BaseDN: 'dc=corp,dc=example,dc=com', BindUsername: 'cn=svc-mattermost,ou=Service Accounts,dc=corp,dc=example,dc=com', BindPassword: BIND_SECRET,
  MaximumLoginAttempts: 10, UserFilter: '(&(objectCategory=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))', GroupFilter: '(objectClass=group)',
  GuestFilter: '(employeeType=contractor)', EnableAdminFilter: true, AdminFilter: '(memberOf=cn=chat-admins,ou=groups,dc=corp,dc=example,dc=com)',
  GroupDisplayNameAttribute: 'cn', GroupIdAttribute: 'objectGUID', FirstNameAttribute: 'givenName', LastNameAttribute: 'sn', EmailAttribute: 'mail',
  UsernameAttribute: 'sAMAccountName', NicknameAttribute: '', IdAttribute: 'objectGUID', PositionAttribute: 'title', LoginIdAttribute: 'sAMAccountName',
  PictureAttribute: '', SyncIntervalMinutes: 120, SkipCertificateVerification: true, PublicCertificateFile: 'ldap-client.crt', PrivateKeyFile: 'ldap-client.key',
  QueryTimeout: 60, MaxPageSize: 1000, LoginFieldName: 'AD username', LoginButtonColor: '#0000', LoginButtonBorderColor: '#2389D7', LoginButtonTextColor: '#2389D7', Trace: false,
};

/** The same block for OpenLDAP with StartTLS, as most Mattermost installs leave it. */
const OPENLDAP: Record<string, unknown> = {
  Enable: true, EnableSync: false, LdapServer: 'ldap.example.org', LdapPort: 389, ConnectionSecurity: 'STARTTLS',
  BaseDN: 'ou=people,dc=example,dc=org', BindUsername: 'cn=mattermost,ou=services,dc=example,dc=org', BindPassword: BIND_SECRET,
  UserFilter: 'objectClass=inetOrgPerson', GroupFilter: '', GuestFilter: '', EnableAdminFilter: false, AdminFilter: '(uid=root)',
  FirstNameAttribute: 'givenName', LastNameAttribute: 'sn', EmailAttribute: 'mail', UsernameAttribute: 'uid', NicknameAttribute: 'displayName',
  IdAttribute: 'entryUUID', PositionAttribute: '', LoginIdAttribute: 'uid', SyncIntervalMinutes: 60, SkipCertificateVerification: false,
  QueryTimeout: 60, MaxPageSize: 0, LoginFieldName: '',
};

function captured() {
  const io = { stdout: '', stderr: '', out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

const dir = mkdtempSync(join(tmpdir(), 'gh-import-ldap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mapLdapSettings', () => {
  it('maps an Active Directory block to the active-directory preset, valid against ldapConnectorSchema', () => {
    const { connector } = mapLdapSettings(AD);
    const parsed = ldapConnectorSchema.safeParse(connector);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(connector).toMatchObject({
      id: 'ldap', type: 'ldap', preset: 'active-directory', url: 'ldaps://dc1.corp.example.com:636',
      bindDn: 'cn=svc-mattermost,ou=Service Accounts,dc=corp,dc=example,dc=com', bindPasswordFile: LDAP_BIND_PASSWORD_PLACEHOLDER,
      userBase: 'dc=corp,dc=example,dc=com', userFilter: AD.UserFilter, loginAttributes: ['sAMAccountName'],
      attributes: { id: 'objectGUID', username: 'sAMAccountName', email: 'mail', firstName: 'givenName', lastName: 'sn', position: 'title' },
      groups: { filter: '(objectClass=group)', idAttribute: 'objectGUID', nameAttribute: 'cn' },
      adminGroups: ['cn=chat-admins,ou=groups,dc=corp,dc=example,dc=com'],
      pageSize: 1000, timeoutSeconds: 60, sync: { enabled: true, intervalMinutes: 120 },
    });
    expect(connector).not.toHaveProperty('startTls');
    expect(connector).not.toHaveProperty('guestGroups');
    expect(connector.attributes).not.toHaveProperty('nickname');
  });

  it('never copies the bind password, and says where to put it', () => {
    const { connector, notes } = mapLdapSettings(AD);
    expect(JSON.stringify(connector)).not.toContain(BIND_SECRET);
    expect(connector).not.toHaveProperty('bindPassword');
    expect(notes).toContain(`LdapSettings.BindPassword is not copied: write the service account's password to ${LDAP_BIND_PASSWORD_PLACEHOLDER} (readable only by Gatehouse) or point bindPasswordFile at another file`);
  });

  it('turns SkipCertificateVerification into both TLS opt-outs, with a loud warning', () => {
    const { connector, notes } = mapLdapSettings(AD);
    expect(connector.tls).toEqual({ verify: false, insecureSkipVerify: true });
    expect(notes.some((n) => n.startsWith('WARNING: SkipCertificateVerification was on'))).toBe(true);
    // Without it the certificate is checked (the schema's default).
    const checked = mapLdapSettings({ ...AD, SkipCertificateVerification: false });
    expect(checked.connector).not.toHaveProperty('tls');
    expect(ldapConnectorSchema.parse(checked.connector).tls.verify).toBe(true);
  });

  it('maps role filters, and warns about what has no equivalent: client certificates and the ignored keys', () => {
    const { connector, notes } = mapLdapSettings(AD);
    expect(connector).toMatchObject({ guestFilter: '(employeeType=contractor)' });
    expect(notes).toContain('GuestFilter (employeeType=contractor) became guestFilter (matched against each user\'s own entry at sign-in and sync)');
    expect(notes.some((n) => n.startsWith('AdminFilter (memberOf=cn=chat-admins,ou=groups,dc=corp,dc=example,dc=com) became adminGroups'))).toBe(true);
    expect(notes).toContain('PublicCertificateFile/PrivateKeyFile (a TLS client certificate) are not supported: the service account binds with its password');
    expect(notes).toContain('LoginFieldName: ignored: the sign-in form labels the field itself');
    expect(notes).toContain('MaximumLoginAttempts: password lockout is configured for the whole gateway');
    // Trace is false: nothing to say about it.
    expect(notes.some((n) => n.startsWith('Trace'))).toBe(false);
  });

  it('carries an AdminFilter that is not a group membership over as adminFilter', () => {
    const { connector, notes } = mapLdapSettings({ ...AD, AdminFilter: '(title=CTO)' });
    expect(connector).not.toHaveProperty('adminGroups');
    expect(connector).toMatchObject({ adminFilter: '(title=CTO)' });
    expect(notes.some((n) => n.startsWith('AdminFilter (title=CTO) became adminFilter'))).toBe(true);
    // EnableAdminFilter off: Mattermost ignored the filter, so does the import.
    expect(mapLdapSettings({ ...AD, EnableAdminFilter: false }).connector).not.toHaveProperty('adminGroups');
  });

  it('maps an OpenLDAP block with STARTTLS to the openldap preset, valid against ldapConnectorSchema', () => {
    const { connector, notes } = mapLdapSettings(OPENLDAP);
    expect(ldapConnectorSchema.safeParse(connector).success).toBe(true);
    expect(connector).toMatchObject({
      preset: 'openldap', url: 'ldap://ldap.example.org:389', startTls: true, userFilter: '(objectClass=inetOrgPerson)',
      loginAttributes: ['uid'], attributes: { id: 'entryUUID', username: 'uid', nickname: 'displayName' }, sync: { enabled: false, intervalMinutes: 60 },
    });
    expect(connector).not.toHaveProperty('groups');
    expect(connector).not.toHaveProperty('pageSize');
    expect(connector).not.toHaveProperty('adminGroups');
    expect(notes).toContain('MaxPageSize 0 (no paging) became Gatehouse\'s default: paged searches of 500 entries');
  });

  it('picks the preset from IdAttribute objectGUID or LoginIdAttribute sAMAccountName alone', () => {
    expect(mapLdapSettings({ ...OPENLDAP, IdAttribute: 'objectGUID' }).connector.preset).toBe('active-directory');
    expect(mapLdapSettings({ ...OPENLDAP, LoginIdAttribute: 'sAMAccountName' }).connector.preset).toBe('active-directory');
    expect(mapLdapSettings({ ...OPENLDAP, IdAttribute: 'uidNumber', LoginIdAttribute: 'mail' }).connector.preset).toBe('openldap');
  });

  it('builds URLs for a plain connection, a default port and an IPv6 server, and warns about clear text', () => {
    const plain = mapLdapSettings({ ...OPENLDAP, ConnectionSecurity: '', LdapPort: '' });
    expect(plain.connector.url).toBe('ldap://ldap.example.org:389');
    expect(plain.notes.some((n) => n.startsWith('ConnectionSecurity is empty: passwords travel unencrypted'))).toBe(true);
    expect(mapLdapSettings({ ...AD, LdapPort: 0 }).connector.url).toBe('ldaps://dc1.corp.example.com:636');
    const v6 = mapLdapSettings({ ...OPENLDAP, LdapServer: 'fd00::10', ConnectionSecurity: 'TLS', LdapPort: 636 });
    expect(v6.connector.url).toBe('ldaps://[fd00::10]:636');
    expect(ldapConnectorSchema.safeParse(v6.connector).success).toBe(true);
  });

  it('loads as the server would once the password file is filled in: preset merged, objectGUID read as bytes', () => {
    const file = join(dir, 'bind.pw');
    writeFileSync(file, `${BIND_SECRET}\n`, { mode: 0o600 });
    const { connector } = mapLdapSettings({ ...AD, SkipCertificateVerification: false });
    const s = resolveLdapSettings({ ...connector, bindPasswordFile: file } as never);
    expect(s).toMatchObject({ preset: 'active-directory', urls: ['ldaps://dc1.corp.example.com:636'], bindPassword: BIND_SECRET, loginAttributes: ['sAMAccountName'], pageSize: 1000 });
    expect(s.tls.rejectUnauthorized).toBe(true);
    expect(s.binaryAttributes).toContain('objectGUID');
    expect(s.adminGroups.has('cn=chat-admins,ou=groups,dc=corp,dc=example,dc=com')).toBe(true);
  });
});

describe('runImportMattermost with LdapSettings', () => {
  it('prints the SAML connector as before and the LDAP connector after it, with nothing left to fill in for LDAP', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({
      SamlSettings: { Enable: true, IdpURL: 'https://idp.example.com/sso', IdpDescriptorURL: 'https://idp.example.com/entity', IdpMetadataURL: '', EmailAttribute: 'Email', UsernameAttribute: 'Username', IdAttribute: 'uid' },
      LdapSettings: AD,
      GoogleSettings: { Enable: false, Id: '' },
    }));
    const io = captured();
    expect(runImportMattermost(['mattermost-config', file], io)).toBe(0);
    const { connectors } = JSON.parse(io.stdout) as { connectors: Record<string, unknown>[] };
    expect(connectors.map((c) => c.id)).toEqual(['saml', 'ldap']);
    expect(connectors[0]).toMatchObject({ type: 'saml', default: true, idp: { entityId: 'https://idp.example.com/entity', ssoUrl: 'https://idp.example.com/sso' }, attributes: { id: 'uid', email: 'Email', username: 'Username' } });
    expect(ldapConnectorSchema.safeParse(connectors[1]).success).toBe(true);
    expect(io.stdout + io.stderr).not.toContain(BIND_SECRET);
    expect(io.stderr).toContain('note (ldap): LdapSettings.BindPassword is not copied');
    expect(io.stderr).toContain('note (ldap): WARNING: SkipCertificateVerification was on');
    expect(io.stderr).not.toContain('still to fill in (ldap)');
  });

  it('leaves a disabled LdapSettings block out, and reports what an empty enabled one still needs', () => {
    const off = join(dir, 'off.json');
    writeFileSync(off, JSON.stringify({ LdapSettings: { ...AD, Enable: false } }));
    const io = captured();
    expect(runImportMattermost(['mattermost-config', off], io)).toBe(1);
    expect(io.stderr).toContain('has no enabled SamlSettings, LdapSettings,');
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ LdapSettings: { Enable: true } }));
    const io2 = captured();
    expect(runImportMattermost(['mattermost-config', empty], io2)).toBe(0);
    expect(io2.stderr).toContain('still to fill in (ldap): bindDn:');
    expect(io2.stderr).toContain('still to fill in (ldap): userBase:');
    expect(io2.stderr).toContain('note (ldap): LdapServer is empty: set url to your directory');
  });
});
