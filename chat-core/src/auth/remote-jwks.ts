/**
 * The gateway's JWKS, fetched lazily and kept until a token names a key we do not hold. A refetch
 * for an unknown `kid` happens at most once per cool-down (success or failure), concurrent misses
 * share one request, and a known key is served from memory; past `maxAgeMs` a refresh runs in the
 * background so keys the gateway withdrew disappear here too.
 */
import { importJWK, type JWK, type JWSHeaderParameters } from 'jose';
import type { Logger } from 'pino';
import type { AssertionAlgorithm } from '../../contract.js';
import { AssertionError } from './assertion-error.js';

export interface KeyResolver {
  getKey(header: JWSHeaderParameters): CryptoKey | Promise<CryptoKey>;
}

export interface RemoteJwksOptions {
  url: string;
  algorithm: AssertionAlgorithm;
  cooldownMs: number;
  maxAgeMs?: number;
  timeoutMs?: number;
  fetch: typeof fetch;
  now: () => number;
  logger: Logger;
}

export interface RemoteJwks extends KeyResolver {
  /** Fetch now (shares an in-flight fetch); failures keep the keys already held. */
  refresh(): Promise<void>;
}

const MAX_JWKS_BYTES = 512 * 1024;
const KEY_TYPE: Record<AssertionAlgorithm, { kty: string; crv: string }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
};

export function createRemoteJwks(options: RemoteJwksOptions): RemoteJwks {
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  let keys = new Map<string, CryptoKey>();
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  const load = async (): Promise<void> => {
    attemptedAt = options.now();
    try {
      keys = await fetchKeys(options);
    } catch (error) {
      options.logger.warn({ jwks_url: options.url, reason: (error as Error).message }, 'jwks fetch failed; keeping known keys');
    }
  };
  const refresh = (): Promise<void> => {
    inFlight ??= load().finally(() => { inFlight = undefined; });
    return inFlight;
  };
  const resolveUnknown = async (kid: string): Promise<CryptoKey> => {
    if (inFlight) await inFlight;
    else if (options.now() - attemptedAt >= options.cooldownMs) await refresh();
    const key = keys.get(kid);
    if (!key) throw new AssertionError('ASSERTION_KEY_UNKNOWN', 'kid not in the gateway JWKS');
    return key;
  };

  return {
    refresh,
    getKey(header) {
      const kid = header.kid;
      if (typeof kid !== 'string' || kid === '') throw new AssertionError('ASSERTION_KEY_MISSING', 'no kid in the JOSE header');
      const key = keys.get(kid);
      if (!key) return resolveUnknown(kid);
      if (options.now() - attemptedAt >= maxAgeMs && !inFlight) void refresh();
      return key;
    },
  };
}

async function fetchKeys(options: RemoteJwksOptions): Promise<Map<string, CryptoKey>> {
  const response = await options.fetch(options.url, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
  });
  if (!response.ok) throw new Error(`jwks answered HTTP ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_JWKS_BYTES) throw new Error('jwks document too large');
  const document = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(document.keys)) throw new Error('jwks document has no keys array');
  return importKeys(document.keys, options);
}

async function importKeys(candidates: unknown[], options: RemoteJwksOptions): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  for (const candidate of candidates) {
    const jwk = usableJwk(candidate, options.algorithm);
    if (!jwk || keys.has(jwk.kid)) continue;
    try {
      keys.set(jwk.kid, (await importJWK(jwk, options.algorithm)) as CryptoKey);
    } catch (error) {
      options.logger.warn({ kid: jwk.kid, reason: (error as Error).message }, 'jwks key skipped');
    }
  }
  return keys;
}

/** A public signing key for the pinned algorithm, with a kid; anything else is ignored. */
function usableJwk(candidate: unknown, algorithm: AssertionAlgorithm): (JWK & { kid: string }) | undefined {
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const jwk = candidate as JWK;
  const expected = KEY_TYPE[algorithm];
  if (typeof jwk.kid !== 'string' || jwk.kid === '') return undefined;
  if (jwk.kty !== expected.kty || jwk.crv !== expected.crv) return undefined;
  if (jwk.alg !== undefined && jwk.alg !== algorithm) return undefined;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  if (jwk.d !== undefined) return undefined; // a private key published by mistake is never trusted
  return jwk as JWK & { kid: string };
}
