/**
 * The pinned jose verification shared by user and provisioning assertions, and the translation
 * of jose's errors into refusal reasons (jose's `err.code` is a stable literal).
 */
import { decodeProtectedHeader, jwtVerify, type CryptoKey, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { ASSERTION_AUDIENCE, ASSERTION_MAX_AGE_SECONDS, type AssertionAlgorithm } from '../../contract.js';
import { AssertionError } from './assertion-error.js';
import type { KeyResolver } from './remote-jwks.js';

export interface JwsPinning {
  algorithm: AssertionAlgorithm;
  issuer: string;
  typ: string;
  requiredClaims: string[];
  clockSkewSeconds: number;
  subject?: string;
}

/** A header limit of 16 KiB bounds real tokens; anything longer is refused before parsing. */
export const MAX_TOKEN_LENGTH = 16_384;

/** `nowMs` only when a clock is injected (tests); without it jose reads the real clock. */
export type PinnedVerify = (token: string, nowMs?: number) => Promise<JWTPayload>;

/**
 * Builds the jose options once. The key is looked up by the header's `kid` before jose runs and
 * handed over resolved: jose still pins the algorithm and checks the key fits it. (Measured: a
 * key function and a fresh options object per call each cost jose several µs per token.)
 */
export function createPinnedVerify(keys: KeyResolver, pinning: JwsPinning): PinnedVerify {
  const base: JWTVerifyOptions = {
    algorithms: [pinning.algorithm],
    issuer: pinning.issuer,
    audience: ASSERTION_AUDIENCE,
    typ: pinning.typ,
    requiredClaims: pinning.requiredClaims,
    // jose refuses iat older than maxTokenAge and, with it set, iat further ahead than the tolerance.
    maxTokenAge: ASSERTION_MAX_AGE_SECONDS,
    clockTolerance: pinning.clockSkewSeconds,
    ...(pinning.subject === undefined ? {} : { subject: pinning.subject }),
  };
  return async (token, nowMs) => {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new AssertionError('ASSERTION_MALFORMED', 'token length out of bounds');
    let payload: JWTPayload;
    try {
      const header = readHeader(token);
      // The algorithm pin first, so a token with a foreign alg never triggers a JWKS fetch.
      if (header.alg !== pinning.algorithm) throw new AssertionError('ASSERTION_ALGORITHM', `alg ${String(header.alg)} is not the pinned ${pinning.algorithm}`);
      const found = keys.getKey(header);
      const key: CryptoKey = found instanceof Promise ? await found : found;
      ({ payload } = await jwtVerify(token, key, nowMs === undefined ? base : { ...base, currentDate: new Date(nowMs) }));
    } catch (error) {
      throw translateJoseError(error);
    }
    checkLifetime(payload, pinning.clockSkewSeconds);
    return payload;
  };
}

function readHeader(token: string) {
  try {
    return decodeProtectedHeader(token);
  } catch (error) {
    throw new AssertionError('ASSERTION_MALFORMED', 'the JOSE header does not decode', { cause: error });
  }
}

/** An assertion may live at most 5 minutes (DESIGN.md); the skew absorbs clock drift only. */
function checkLifetime(payload: JWTPayload, skew: number): void {
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number') throw new AssertionError('ASSERTION_CLAIM', 'iat and exp must be numbers');
  if (exp - iat > ASSERTION_MAX_AGE_SECONDS + skew) throw new AssertionError('ASSERTION_LIFETIME', `exp - iat = ${exp - iat}s exceeds ${ASSERTION_MAX_AGE_SECONDS}s`);
}

export function translateJoseError(error: unknown): AssertionError {
  if (error instanceof AssertionError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : 'unknown verification failure';
  switch (code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new AssertionError('ASSERTION_ALGORITHM', message, { cause: error });
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AssertionError('ASSERTION_SIGNATURE', message, { cause: error });
    case 'ERR_JWT_EXPIRED':
      return new AssertionError('ASSERTION_EXPIRED', message, { cause: error });
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: unknown }).claim;
      return new AssertionError(claim === 'typ' ? 'ASSERTION_TYPE' : 'ASSERTION_CLAIM', message, { cause: error });
    }
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return new AssertionError('ASSERTION_MALFORMED', message, { cause: error });
    default:
      // e.g. a TypeError from jose when the resolved key does not fit the algorithm.
      return new AssertionError('ASSERTION_KEY_MISMATCH', message, { cause: error });
  }
}
