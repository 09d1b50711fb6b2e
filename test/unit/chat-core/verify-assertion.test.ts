import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamRolesOf } from '../../../chat-core/src/auth/claims.js';
import { createAssertionVerifier, type AssertionVerifier } from '../../../chat-core/src/auth/verify-assertion.js';
import { createTestIssuer, type TestIssuer } from '../../support/assertions.js';

describe('the assertion verifier', () => {
  let issuer: TestIssuer;
  let verifier: AssertionVerifier;
  let now = Date.UTC(2025, 5, 1);
  beforeAll(async () => {
    issuer = await createTestIssuer({ now: () => now });
    verifier = createAssertionVerifier(
      { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, algorithm: 'EdDSA', clockSkewSeconds: 30, jwksCooldownMs: 30_000 },
      { now: () => now, logger: pino({ level: 'silent' }) },
    );
  });
  afterAll(() => issuer.close());

  it('returns frozen claims, and the same object for a repeated token', async () => {
    const token = await issuer.mint({ teams: { t1: ['team_user'] } });
    const first = await verifier.verify(token);
    expect(first).toMatchObject({ aud: 'chat-core', roles: ['system_user'], guest: false, username: 'alice' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(await verifier.verify(token)).toBe(first);
  });

  it('stops answering from the cache once the token has expired', async () => {
    const token = await issuer.mint();
    await verifier.verify(token);
    now += 331_000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'ASSERTION_EXPIRED' });
  });

  it('gives team ids such as "constructor" no roles they were not granted', async () => {
    const claims = await verifier.verify(await issuer.mint({ teams: { t1: ['team_user'] } }));
    expect(teamRolesOf(claims, 't1')).toEqual(['team_user']);
    expect(teamRolesOf(claims, 'constructor')).toBeUndefined();
    expect(teamRolesOf(claims, 'toString')).toBeUndefined();
  });

  it('refuses something that is not a compact JWS', async () => {
    for (const junk of ['', 'a.b', 'x'.repeat(20_000), 'a.b.c']) {
      await expect(verifier.verify(junk)).rejects.toMatchObject({ name: 'AssertionError' });
    }
  });
});
