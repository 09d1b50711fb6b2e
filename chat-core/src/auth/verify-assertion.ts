/**
 * Verifies a gateway user assertion (DESIGN.md "The assertion"): pinned algorithm, issuer,
 * audience, typ, required claims, maximum age and lifetime, then the contract's claim types.
 * A verified token is cached by its SHA-256 until it expires, so a session's assertion reused on
 * every request costs one hash and one map look-up.
 */
import { pino, type Logger } from 'pino';
import { ASSERTION_MAX_AGE_SECONDS, ASSERTION_TYP, type AssertionAlgorithm, type AssertionClaims } from '../../contract.js';
import { AssertionError } from './assertion-error.js';
import { parseAssertionClaims } from './claims.js';
import { MAX_TOKEN_LENGTH, createPinnedVerify } from './jws-check.js';
import { createRemoteJwks, type KeyResolver } from './remote-jwks.js';
import { createTokenCache, hashToken } from './token-cache.js';

export interface AssertionVerifierConfig {
  issuer: string;
  jwksUrl: string;
  algorithm: AssertionAlgorithm;
  clockSkewSeconds: number;
  jwksCooldownMs: number;
  /** Verified tokens kept in memory; default 50,000. */
  tokenCacheSize?: number;
}

export interface AssertionVerifierDeps {
  now?: () => number;
  fetch?: typeof fetch;
  logger?: Logger;
  /** Shared key source; by default a remote JWKS at `config.jwksUrl`. */
  keys?: KeyResolver;
}

export interface AssertionVerifier {
  /** Resolves with the frozen claims, or rejects with an AssertionError naming the reason. */
  verify(token: string): Promise<AssertionClaims>;
}

export const USER_REQUIRED_CLAIMS = ['sub', 'sid', 'iat', 'exp', 'jti'];

export function createAssertionVerifier(config: AssertionVerifierConfig, deps: AssertionVerifierDeps = {}): AssertionVerifier {
  const now = deps.now ?? Date.now;
  // jose reads the real clock itself unless a clock was injected.
  const injected = deps.now !== undefined;
  const keys = deps.keys ?? defaultKeys(config, deps, now);
  const cache = createTokenCache<AssertionClaims>(config.tokenCacheSize ?? 50_000);
  const verifyJws = createPinnedVerify(keys, {
    algorithm: config.algorithm,
    issuer: config.issuer,
    typ: ASSERTION_TYP,
    requiredClaims: USER_REQUIRED_CLAIMS,
    clockSkewSeconds: config.clockSkewSeconds,
  });
  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new AssertionError('ASSERTION_MALFORMED', 'not a token-sized string');
      const nowMs = now();
      const hash = hashToken(token);
      const cached = cache.get(hash, nowMs);
      if (cached) return cached;
      const claims = parseAssertionClaims(await verifyJws(token, injected ? nowMs : undefined));
      const lastValidSecond = Math.min(claims.exp, claims.iat + ASSERTION_MAX_AGE_SECONDS) + config.clockSkewSeconds;
      cache.set(hash, claims, lastValidSecond * 1000);
      return claims;
    },
  };
}

function defaultKeys(config: AssertionVerifierConfig, deps: AssertionVerifierDeps, now: () => number): KeyResolver {
  return createRemoteJwks({
    url: config.jwksUrl,
    algorithm: config.algorithm,
    cooldownMs: config.jwksCooldownMs,
    fetch: deps.fetch ?? fetch,
    now,
    logger: deps.logger ?? pino({ level: 'warn' }),
  });
}
