import { describe, expect, it } from 'vitest';
import { acsUrls, samlConnectorSchema, samlUrls, type SamlConnectorInput } from '../../../src/connectors/saml/config-schema.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
const base: SamlConnectorInput = {
  id: 'okta',
  type: 'saml',
  displayName: 'Okta',
  idp: { entityId: 'http://www.okta.com/exk1', ssoUrl: 'https://corp.okta.com/app/sso/saml', certificates: [CERT] },
};

function problems(input: unknown): string[] {
  const r = samlConnectorSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('samlConnectorSchema', () => {
  it('fills the secure defaults', () => {
    const c = samlConnectorSchema.parse(base);
    expect(c).toMatchObject({
      default: false,
      preset: 'generic',
      allowIdpInitiated: false,
      wantAssertionsSigned: true,
      wantResponseSigned: false,
      allowSha1: false,
      allowAesCbc: false,
      clockSkewSeconds: 60,
      maxResponseBytes: 262_144,
      trustEmail: false,
      allowSignup: true,
    });
    expect(c.idp.metadataRefreshMinutes).toBe(1440);
  });

  it('refuses a config where neither the Response nor the Assertion must be signed', () => {
    expect(problems({ ...base, wantAssertionsSigned: false, wantResponseSigned: false })).toEqual([
      'wantAssertionsSigned: at least one of wantAssertionsSigned and wantResponseSigned must be true',
    ]);
  });

  it('refuses an IdP with neither metadata nor entityId + ssoUrl + certificates', () => {
    expect(problems({ ...base, idp: { entityId: 'x', ssoUrl: 'https://idp.example/sso' } })[0]).toMatch(/^idp: set idp.metadataFile or idp.metadataUrl/);
  });

  it('refuses unknown keys, so typos do not pass silently', () => {
    expect(problems({ ...base, wantAssertionSigned: true })[0]).toMatch(/wantAssertionSigned/);
  });

  it('refuses a connector id that is not a URL slug', () => {
    expect(problems({ ...base, id: 'Okta SSO' })[0]).toMatch(/^id: must be a slug/);
  });

  it('refuses a private key without its certificate', () => {
    expect(problems({ ...base, sp: { privateKeyFile: '/k.pem' } })).toContain('sp: sp.privateKeyFile and sp.certificateFile go together');
  });

  it('refuses signAuthnRequests without a key, and says how to make one', () => {
    expect(problems({ ...base, sp: { signAuthnRequests: true } }).join()).toMatch(/gatehouse saml keygen/);
  });

  it('refuses a malformed admin mapping', () => {
    expect(problems({ ...base, adminAttribute: 'role' })[0]).toMatch(/^adminAttribute: must be "attribute=value"/);
  });

  it('refuses a PEM that is not a certificate', () => {
    expect(problems({ ...base, idp: { ...base.idp, certificates: ['MIIB'] } })[0]).toMatch(/^idp.certificates.0: must be a PEM certificate/);
  });
});

describe('SP URLs', () => {
  it('derives entity id, ACS, SLO and metadata URLs from the site URL and connector id', () => {
    const c = samlConnectorSchema.parse(base);
    expect(samlUrls(c, 'https://chat.example.com/')).toEqual({
      entityId: 'https://chat.example.com/auth/okta/saml/metadata',
      acs: 'https://chat.example.com/auth/okta/saml/acs',
      slo: 'https://chat.example.com/auth/okta/saml/slo',
      metadata: 'https://chat.example.com/auth/okta/saml/metadata',
    });
  });

  it('keeps an operator-set SP entity id', () => {
    const c = samlConnectorSchema.parse({ ...base, sp: { entityId: 'mattermost' } });
    expect(samlUrls(c, 'https://chat.example.com').entityId).toBe('mattermost');
  });

  it("accepts Mattermost's ACS path only for the default connector", () => {
    expect(acsUrls(samlConnectorSchema.parse(base), 'https://c.example')).toEqual(['https://c.example/auth/okta/saml/acs']);
    expect(acsUrls(samlConnectorSchema.parse({ ...base, default: true }), 'https://c.example')).toEqual([
      'https://c.example/auth/okta/saml/acs',
      'https://c.example/login/sso/saml',
    ]);
  });
});
