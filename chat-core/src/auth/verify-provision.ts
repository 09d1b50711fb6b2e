/**
 * Verifies a gateway provisioning assertion: the same keys and pinning as user assertions, but
 * its own `typ`, `sub: 'gatehouse'` and `scope: 'provision'`, so neither kind passes for the other.
 */
import { PROVISION_TYP, type AssertionAlgorithm, type ProvisionClaims } from '../../contract.js';
import { AssertionError } from './assertion-error.js';
import { createPinnedVerify } from './jws-check.js';
import type { KeyResolver } from './remote-jwks.js';

export interface ProvisionVerifierConfig {
  issuer: string;
  algorithm: AssertionAlgorithm;
  clockSkewSeconds: number;
}

export interface ProvisionVerifier {
  verify(token: string): Promise<ProvisionClaims>;
}

export function createProvisionVerifier(config: ProvisionVerifierConfig, deps: { keys: KeyResolver; now: () => number }): ProvisionVerifier {
  const verifyJws = createPinnedVerify(deps.keys, {
    algorithm: config.algorithm,
    issuer: config.issuer,
    typ: PROVISION_TYP,
    requiredClaims: ['sub', 'iat', 'exp', 'jti', 'scope'],
    clockSkewSeconds: config.clockSkewSeconds,
    subject: 'gatehouse',
  });
  return {
    async verify(token) {
      const payload = await verifyJws(token, deps.now());
      if (payload.scope !== 'provision') throw new AssertionError('ASSERTION_SCOPE', 'scope is not "provision"');
      if (typeof payload.jti !== 'string') throw new AssertionError('ASSERTION_CLAIM', '"jti" must be a string');
      return payload as unknown as ProvisionClaims;
    },
  };
}
