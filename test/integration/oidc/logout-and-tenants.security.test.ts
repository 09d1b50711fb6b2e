/**
 * Back-channel logout tokens (Back-Channel Logout 1.0 §2.6) — real ones sent by oidc-provider,
 * and tampered ones signed with its own key — and provider quirks: an Entra-style token (the
 * provider adds `tid`, as Entra does) from a tenant not allowed, and Google's `hd`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginFlow, type TestOidcProvider } from '../../support/oidc-provider.js';
import { ALICE, connectorFor, expectRefused, startProvider, type Rp } from './harness.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
let op: TestOidcProvider;
let entra: TestOidcProvider;
beforeAll(async () => {
  op = await startProvider();
  entra = await startProvider({ accounts: [{ ...ALICE, tid: 'tenant-contoso', hd: 'example.com' }] });
});
afterAll(async () => {
  await op.close();
  await entra.close();
});

function logoutClaims(overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  return { iss: op.issuer, aud: 'basic-client', iat, exp: iat + 120, jti: `jti-${Math.random()}`, sub: ALICE.sub, sid: 'sid-1', events: { [EVENT]: {} }, ...overrides };
}

describe('back-channel logout tokens', () => {
  it('accepts the logout token the provider really sends and returns its sub and sid', async () => {
    const rp = await connectorFor(op);
    const token = await op.backchannelLogout('basic-client', ALICE.sub, 'sid-42');
    expect(await rp.connector.verifyLogoutToken!(token)).toEqual({ sub: ALICE.sub, sid: 'sid-42' });
  });

  it('refuses the same logout token replayed (jti already seen)', async () => {
    const rp = await connectorFor(op);
    const token = await op.backchannelLogout('basic-client', ALICE.sub, 'sid-43');
    await rp.connector.verifyLogoutToken!(token);
    await expectRefused(rp, rp.connector.verifyLogoutToken!(token), /jti .* already used \(replay\)/, 'OIDC_INVALID_LOGOUT');
  });

  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a wrong events claim (no back-channel logout event)', { events: { 'http://schemas.openid.net/event/other': {} } }, /events claim has no/],
    ['an events member that is not an object', { events: { [EVENT]: 'yes' } }, /events claim has no/],
    ['a nonce (an ID token passed off as a logout token)', { nonce: 'n' }, /carries a nonce/],
    ['neither sub nor sid', { sub: undefined, sid: undefined }, /neither sub nor sid/],
    ['another audience', { aud: 'someone-else' }, /logout token: .*aud/],
    ['another issuer', { iss: 'https://evil.example' }, /logout token: .*iss/],
    ['an iat ten minutes old', { iat: Math.floor(Date.now() / 1000) - 600 }, /logout token: .*(iat|timestamp|age)/i],
    ['no jti', { jti: undefined }, /logout token: .*jti/],
  ];
  for (const [what, overrides, reason] of refusals) {
    it(`refuses a logout token with ${what}`, async () => {
      const rp = await connectorFor(op);
      const token = await op.sign(logoutClaims(overrides), { typ: 'logout+jwt' });
      await expectRefused(rp, rp.connector.verifyLogoutToken!(token), reason, 'OIDC_INVALID_LOGOUT');
    });
  }

  it('refuses a token whose typ is not logout+jwt', async () => {
    const rp = await connectorFor(op);
    const token = await op.sign(logoutClaims(), { typ: 'JWT' });
    await expectRefused(rp, rp.connector.verifyLogoutToken!(token), /typ "JWT" is not logout\+jwt/, 'OIDC_INVALID_LOGOUT');
  });

  it('refuses a logout token issued in the future', async () => {
    const rp = await connectorFor(op);
    const token = await op.sign(logoutClaims({ iat: Math.floor(Date.now() / 1000) + 600 }), { typ: 'logout+jwt' });
    await expectRefused(rp, rp.connector.verifyLogoutToken!(token), /logout token(: .*iat| iat \d+ is in the future)/, 'OIDC_INVALID_LOGOUT');
  });
});

async function signIn(rp: Rp) {
  return loginFlow((await rp.connector.startLogin('r')).redirectUrl, { accountId: ALICE.sub });
}

describe('Entra ID tenants', () => {
  it('refuses a token from a tenant not in entra.allowedTenants', async () => {
    const rp = await connectorFor(entra, { preset: 'entra-id', entra: { allowedTenants: ['tenant-fabrikam'] } });
    await expectRefused(rp, rp.connector.finishLogin(await signIn(rp)), /Entra tenant "tenant-contoso" is not in entra.allowedTenants/);
  });

  it('accepts an allowed tenant, never counting the Entra e-mail as verified, and never trusting it for linking', async () => {
    const rp = await connectorFor(entra, { preset: 'entra-id', entra: { allowedTenants: ['tenant-contoso'] }, trustEmail: true });
    const result = await rp.connector.finishLogin(await signIn(rp));
    expect(result.identity).toMatchObject({ subject: ALICE.sub, email: ALICE.email, emailVerified: false });
    expect(rp.connector.trustEmail).toBe(false);
  });
});

describe('Google hosted domains', () => {
  it('refuses an account outside google.hostedDomains', async () => {
    const rp = await connectorFor(entra, { preset: 'google', google: { hostedDomains: ['corp.example'] } });
    await expectRefused(rp, rp.connector.finishLogin(await signIn(rp)), /hosted domain "example.com" is not in google.hostedDomains/);
  });

  it('accepts an account of an allowed domain and uses the e-mail as username (Google sends no preferred_username)', async () => {
    const rp = await connectorFor(entra, { preset: 'google', google: { hostedDomains: ['example.com'] } });
    const { identity } = await rp.connector.finishLogin(await signIn(rp));
    expect(identity.username).toBe(ALICE.email);
  });
});
