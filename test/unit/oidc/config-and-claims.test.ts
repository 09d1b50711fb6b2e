import { describe, expect, it } from 'vitest';
import { oidcCallbackUrl, oidcCallbackUrls, oidcConnectorSchema } from '../../../src/connectors/oidc/config-schema.js';
import { loadOidcPreset, mapIdentity, matchesClaimRule, mergeClaimMap } from '../../../src/connectors/oidc/claims.js';
import { expectedIssuer } from '../../../src/connectors/oidc/id-token.js';

const base = { id: 'corp', type: 'oidc', displayName: 'Corp', issuer: 'https://idp.example.com', clientId: 'c', clientSecretFile: '/run/secret' };

describe('the OIDC connector configuration', () => {
  it('applies the defaults', () => {
    const c = oidcConnectorSchema.parse(base);
    expect(c).toMatchObject({ clientAuth: 'client_secret_basic', responseMode: 'query', idTokenAlgorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'], trustEmail: false, allowSignup: true, allowInsecureHttp: false });
  });

  it.each([
    [{ idTokenAlgorithms: ['none'] }, 'idTokenAlgorithms.0'],
    [{ idTokenAlgorithms: ['HS256'] }, 'idTokenAlgorithms.0'],
    [{ issuer: 'http://idp.example.com' }, 'issuer'],
    [{ issuer: 'http://10.0.0.1', allowInsecureHttp: true }, 'allowInsecureHttp'],
    [{ clientSecretFile: undefined }, 'clientSecretFile'],
    [{ clientAuth: 'private_key_jwt' }, 'privateKeyFile'],
    [{ clientSecret: 'x' }, 'clientSecret'],
    [{ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' }, 'entra'],
    [{ unknownKey: 1 }, ''],
  ])('refuses %j (problem at %s)', (overrides, path) => {
    const r = oidcConnectorSchema.safeParse({ ...base, ...overrides });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('names the per-connector callback, plus Mattermost’s for a mattermostService', () => {
    expect(oidcCallbackUrl({ id: 'corp' }, 'https://chat.example.com/')).toBe('https://chat.example.com/auth/corp/callback');
    expect(oidcCallbackUrls({ id: 'gl', mattermostService: 'gitlab' }, 'https://chat.example.com')).toEqual([
      'https://chat.example.com/auth/gl/callback', 'https://chat.example.com/signup/gitlab/complete',
    ]);
  });
});

describe('presets', () => {
  it.each(['okta', 'entra-id', 'google', 'keycloak', 'auth0', 'onelogin', 'gitlab'] as const)('loads the oidc section of providers/%s.json', (name) => {
    const p = loadOidcPreset(name);
    expect(p.scopes).toContain('openid');
    expect(p.claims.email).toBe('email');
    expect(p.notes.length).toBeGreaterThan(20);
  });

  it('maps Entra groups and app roles together', () => {
    const map = mergeClaimMap(loadOidcPreset('entra-id').claims, {});
    const id = mapIdentity({ id: 'e', preset: 'entra-id' }, map, { sub: 's', email: 'a@x', email_verified: true, groups: ['g1'], roles: ['Chat.Admin'] });
    expect(id.groups).toEqual(['g1', 'Chat.Admin']);
    expect(id.emailVerified).toBe(false);
  });
});

describe('claims', () => {
  it('matches claim=value on strings, arrays, booleans and dotted paths', () => {
    const claims = { role: 'admin', groups: ['a', 'b'], staff: true, realm_access: { roles: ['ops'] } };
    expect(matchesClaimRule('role=admin', claims)).toBe(true);
    expect(matchesClaimRule('groups=b', claims)).toBe(true);
    expect(matchesClaimRule('groups=c', claims)).toBe(false);
    expect(matchesClaimRule('staff=true', claims)).toBe(true);
    expect(matchesClaimRule('realm_access.roles=ops', claims)).toBe(true);
    expect(matchesClaimRule(undefined, claims)).toBeUndefined();
  });

  it('adds the amr values after oidc and takes the username from the configured claim', () => {
    const map = mergeClaimMap({}, { username: 'nickname' });
    const id = mapIdentity({ id: 'c', preset: 'generic' }, map, { sub: 's', email: 'a@x', email_verified: 'true', nickname: 'ali', preferred_username: 'alice', amr: ['pwd', 'mfa'] });
    expect(id).toMatchObject({ username: 'ali', emailVerified: true, amr: ['oidc', 'pwd', 'mfa'] });
  });

  it('refuses claims without sub or e-mail', () => {
    const map = mergeClaimMap({}, {});
    expect(() => mapIdentity({ id: 'c', preset: 'generic' }, map, { email: 'a@x' })).toThrow(/no sub/);
    expect(() => mapIdentity({ id: 'c', preset: 'generic' }, map, { sub: 's' })).toThrow(/no e-mail/);
  });
});

describe("Entra's multi-tenant issuer", () => {
  const ctx = { config: { issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' } } as Parameters<typeof expectedIssuer>[0];
  it('expects the issuer with the token’s own tid', () => {
    expect(expectedIssuer(ctx, { tid: 'abc' })).toBe('https://login.microsoftonline.com/abc/v2.0');
  });
  it('refuses a token without tid', () => {
    expect(() => expectedIssuer(ctx, {})).toThrow(/no tid/);
  });
});
