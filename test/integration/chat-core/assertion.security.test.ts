/**
 * The assertion contract (DESIGN.md "The assertion"): every forged, stale, mis-addressed or
 * malformed token is refused with the same 401 `invalid_token`, and the log names the reason
 * without ever containing the token.
 */
import { SignJWT, decodeJwt, exportSPKI, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssertionAlgorithm } from '../../../chat-core/contract.js';
import { PROVISION_PATH } from '../../../chat-core/contract.js';
import { unsecuredToken } from '../../support/assertions.js';
import { bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type Dialect } from './harness.js';

const SETUPS: [Dialect, AssertionAlgorithm][] = [['sqlite', 'EdDSA'], ['postgres', 'EdDSA'], ['sqlite', 'ES256']];

describe.each(SETUPS)('chat-core assertion verification on %s with %s', (dialect, algorithm) => {
  let h: ChatCoreHarness;
  const team = newTeamId();
  const path = `/api/v4/users/me/teams/${team}/channels`;
  beforeAll(async () => { h = await startHarness(dialect, { algorithm }); });
  afterAll(async () => { await h.close(); });

  const mint = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    h.issuer.mint({ teams: memberOf(team), ...claims }, header);

  /** Sends the token and checks the generic 401 and the logged reason. */
  const expectRefused = async (token: string, reason: string, target = path) => {
    const res = await h.http().get(target).set(...bearer(token));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      id: 'invalid_token', message: 'Invalid or expired session, please login again.', detailed_error: '',
      request_id: res.headers['x-request-id'], status_code: 401,
    });
    const line = h.logs.find((l) => l.request_id === res.body.request_id && l.level === 40);
    expect(line).toMatchObject({ reason });
    expect(JSON.stringify(h.logs)).not.toContain(token.split('.')[2] || token);
  };

  it('accepts a well-formed token (so each refusal below is the attack, not the setup)', async () => {
    expect((await h.http().get(path).set(...bearer(await mint()))).status).toBe(200);
  });

  it('refuses a request without a bearer assertion', async () => {
    const res = await h.http().get(path).set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(res.status).toBe(401);
    expect((await h.http().get(path)).body.id).toBe('invalid_token');
  });

  it('refuses a token signed by another key under the same kid', async () => {
    const impostor = await h.issuer.generateKey(h.issuer.key.kid);
    await expectRefused(await h.issuer.mint({ teams: memberOf(team) }, {}, { key: impostor }), 'ASSERTION_SIGNATURE');
  });

  it('refuses alg "none"', async () => {
    const claims = decodeJwt(await mint());
    await expectRefused(unsecuredToken(claims, { alg: 'none', typ: 'gatehouse-assertion+jwt', kid: h.issuer.key.kid }), 'ASSERTION_ALGORITHM');
  });

  it('refuses HS256 keyed with the public key bytes', async () => {
    const pem = await exportSPKI((await importJWK(h.issuer.key.publicJwk, algorithm, { extractable: true })) as CryptoKey);
    for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(h.issuer.key.publicJwk))]) {
      const token = await new SignJWT(decodeJwt(await mint()))
        .setProtectedHeader({ alg: 'HS256', kid: h.issuer.key.kid, typ: 'gatehouse-assertion+jwt' }).sign(secret);
      await expectRefused(token, 'ASSERTION_ALGORITHM');
    }
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    await expectRefused(await mint({ iss: 'https://evil.example.com' }), 'ASSERTION_CLAIM');
    await expectRefused(await mint({ aud: 'gateway' }), 'ASSERTION_CLAIM');
  });

  it('refuses a wrong typ and a missing typ', async () => {
    await expectRefused(await mint({}, { typ: 'JWT' }), 'ASSERTION_TYPE');
    await expectRefused(await mint({}, { typ: undefined }), 'ASSERTION_TYPE');
  });

  it('refuses an expired token, even one verified (and cached) before', async () => {
    const token = await mint();
    expect((await h.http().get(path).set(...bearer(token))).status).toBe(200);
    h.clock.advance(331_000);
    await expectRefused(token, 'ASSERTION_EXPIRED');
  });

  it('refuses iat in the future beyond the skew, and accepts it within', async () => {
    const now = Math.floor(h.clock.now() / 1000);
    await expectRefused(await mint({ iat: now + 60, exp: now + 300 }), 'ASSERTION_CLAIM');
    expect((await h.http().get(path).set(...bearer(await mint({ iat: now + 20, exp: now + 300 })))).status).toBe(200);
  });

  it('refuses exp further than 5 minutes (plus skew) after iat', async () => {
    const now = Math.floor(h.clock.now() / 1000);
    await expectRefused(await mint({ iat: now, exp: now + 331 }), 'ASSERTION_LIFETIME');
  });

  it.each(['sub', 'sid', 'jti', 'exp', 'iat'])('refuses a token without %s', async (claim) => {
    const res = await h.http().get(path).set(...bearer(await mint({ [claim]: undefined })));
    expect(res.status).toBe(401);
    expect(res.body.id).toBe('invalid_token');
  });

  it.each([
    ['teams as an array', { teams: [team] }],
    ['team roles as a string', { teams: { [team]: 'team_admin' } }],
    ['team roles holding a number', { teams: { [team]: [1] } }],
    ['a __proto__ team id', { teams: JSON.parse(`{"__proto__":["team_admin"],"${team}":["team_user"]}`) as object }],
    ['roles as a string', { roles: 'system_admin' }],
    ['guest as a string', { guest: 'false' }],
    ['a missing guest flag', { guest: undefined }],
    ['a NUL in the username', { username: 'ali\u0000ce' }],
  ])('refuses a malformed claim: %s', async (_label, claims) => {
    await expectRefused(await mint(claims), 'ASSERTION_CLAIM');
  });

  it('fetches the JWKS at most once per cool-down while 20 tokens with an unknown kid arrive, then learns a new key', async () => {
    expect((await h.http().get(path).set(...bearer(await mint()))).status).toBe(200);
    const before = h.issuer.jwksRequests();
    const stranger = await h.issuer.generateKey('unknown-kid');
    const tokens = await Promise.all(Array.from({ length: 20 }, () => h.issuer.mint({ teams: memberOf(team) }, {}, { key: stranger })));
    const answers = await Promise.all(tokens.map((t) => h.http().get(path).set(...bearer(t))));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect(h.issuer.jwksRequests() - before).toBeLessThanOrEqual(1);
    h.issuer.publish(stranger);
    const within = h.issuer.jwksRequests();
    await expectRefused(tokens[0]!, 'ASSERTION_KEY_UNKNOWN');
    expect(h.issuer.jwksRequests()).toBe(within);
    h.clock.advance(30_000);
    expect((await h.http().get(path).set(...bearer(await h.issuer.mint({ teams: memberOf(team) }, {}, { key: stranger })))).status).toBe(200);
    expect(h.issuer.jwksRequests()).toBe(within + 1);
  });

  it('refuses a provisioning token on /api/v4 and a user token on the provisioning endpoint', async () => {
    await expectRefused(await h.issuer.mintProvision(), 'ASSERTION_TYPE');
    const res = await h.http().post(PROVISION_PATH).set(...bearer(await mint())).send({ events: [] });
    expect(res.status).toBe(401);
    expect(res.body.id).toBe('invalid_token');
    for (const claims of [{ scope: undefined }, { scope: 'admin' }, { sub: 'someone-else' }]) {
      const res2 = await h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision(claims))).send({ events: [] });
      expect(res2.status).toBe(401);
    }
    expect((await h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision())).send({ events: [] })).status).toBe(200);
  });

  it('answers 403 without data to a valid token used in a team it does not name', async () => {
    const otherTeam = newTeamId();
    const owner = await h.user({ teams: memberOf(otherTeam) });
    const channel = await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: otherTeam, name: 'hidden', display_name: 'Hidden', type: 'O' });
    const res = await h.http().get(`/api/v4/channels/${channel.body.id}`).set(...bearer(await mint()));
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('Hidden');
  });
});
