import { describe, expect, it } from 'vitest';
import { issuerParamMatches } from '../../../src/connectors/oidc/finish-login.js';

const ENTRA = 'https://login.microsoftonline.com/{tenantid}/v2.0';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('the RFC 9207 iss parameter', () => {
  it('must equal a single-tenant issuer exactly', () => {
    expect(issuerParamMatches('https://idp.example.com', 'https://idp.example.com')).toBe(true);
    expect(issuerParamMatches('https://idp.example.com', 'https://idp.example.com/')).toBe(false);
    expect(issuerParamMatches('https://idp.example.com', 'https://evil.example.com')).toBe(false);
  });

  it("accepts Entra's multi-tenant issuer only for an allowed tenant", () => {
    expect(issuerParamMatches(ENTRA, `https://login.microsoftonline.com/${TENANT}/v2.0`, [TENANT])).toBe(true);
    expect(issuerParamMatches(ENTRA, 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0', [TENANT])).toBe(false);
    expect(issuerParamMatches(ENTRA, ENTRA, [TENANT])).toBe(false);
    expect(issuerParamMatches(ENTRA, `https://login.microsoftonline.com/${TENANT}/v2.0`, [])).toBe(false);
  });
});
