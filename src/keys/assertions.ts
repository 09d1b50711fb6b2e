/**
 * Minting the assertion chat-core trusts, once per session and access version, re-used until ~80 %
 * of its life is spent (signing costs real CPU; see bench/assertion).
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { ASSERTION_AUDIENCE, ASSERTION_TYP, PROVISION_TYP, type AssertionClaims } from '../../chat-core/contract.js';
import type { Principal } from '../sessions/principal.js';
import type { KeySet } from './signing-keys.js';

export interface AssertionMinter {
  /** The cached assertion for this principal, minted when missing, stale or the access changed. */
  assertionFor(principal: Principal): Promise<string>;
  /** A short-lived provisioning assertion for gateway → chat-core pushes. */
  provisionAssertion(): Promise<string>;
  /** Drop cached assertions of a session (revocation). */
  forget(sessionId: string): void;
  /** Swap in freshly loaded keys (rotation). Cached assertions stay valid: their key stays published. */
  useKeys(keys: KeySet): void;
  readonly minted: () => number;
}

interface Cached { token: string; refreshAt: number; version: string }

const MAX_CACHED = 100_000;

export function createAssertionMinter(options: { issuer: string; ttlSeconds: number; keys: KeySet; now: () => number; onMint?: () => void }): AssertionMinter {
  let keys = options.keys;
  let mintedCount = 0;
  const cache = new Map<string, Cached>();
  const sign = (claims: object, typ: string, subject: string, exp: number, iat: number) =>
    new SignJWT({ ...claims })
      .setProtectedHeader({ alg: keys.active.alg, kid: keys.active.kid, typ })
      .setIssuer(options.issuer).setAudience(ASSERTION_AUDIENCE).setSubject(subject)
      .setIssuedAt(iat).setExpirationTime(exp).setJti(randomBytes(12).toString('base64url'))
      .sign(keys.active.privateKey);

  return {
    async assertionFor(p) {
      const at = options.now();
      const hit = cache.get(p.sessionId);
      if (hit && hit.version === p.access.version && at < hit.refreshAt) return hit.token;
      const iat = Math.floor(at / 1000);
      const exp = iat + options.ttlSeconds;
      const claims: Omit<AssertionClaims, 'iss' | 'aud' | 'sub' | 'iat' | 'exp' | 'jti'> = {
        sid: p.sessionId, username: p.access.username, name: p.access.name, roles: p.access.roles,
        teams: p.access.teams, guest: p.access.guest, amr: p.amr, auth_time: Math.floor(p.authTime / 1000),
      };
      const token = await sign(claims, ASSERTION_TYP, p.userId, exp, iat);
      mintedCount += 1;
      options.onMint?.();
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(p.sessionId, { token, version: p.access.version, refreshAt: at + options.ttlSeconds * 800 });
      return token;
    },
    async provisionAssertion() {
      const iat = Math.floor(options.now() / 1000);
      return sign({ scope: 'provision' }, PROVISION_TYP, 'gatehouse', iat + 60, iat);
    },
    forget(sessionId) {
      cache.delete(sessionId);
    },
    useKeys(next) {
      keys = next;
    },
    minted: () => mintedCount,
  };
}
