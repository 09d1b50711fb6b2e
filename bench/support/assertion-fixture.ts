/**
 * The signing side for bench/assertion: one key pair per algorithm, its JWKS served by a tiny
 * node:http server on 127.0.0.1:0, and assertions of the gateway's shape (src/keys/assertions.ts:
 * the same header, registered claims and session claims, five teams) signed with jose's SignJWT.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { ASSERTION_AUDIENCE, ASSERTION_TYP, type AssertionAlgorithm } from '../../chat-core/contract.js';
import { newId } from '../../src/http/ids.js';

export interface Signer {
  alg: AssertionAlgorithm;
  kid: string;
  issuer: string;
  jwksUrl: string;
  privateKey: CryptoKey;
  /** The public key imported from the published JWK, as chat-core's JWKS client imports it. */
  publicKey: CryptoKey;
  jwksFetches(): number;
  close(): Promise<void>;
}

export async function startSigner(alg: AssertionAlgorithm): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const kid = newId();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  let fetches = 0;
  const server = http.createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    alg, kid, issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, privateKey, publicKey: (await importJWK(jwk, alg)) as CryptoKey,
    jwksFetches: () => fetches,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

const TEAMS = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [newId(), i === 0 ? ['team_user', 'team_admin'] : ['team_user']]));

/** One assertion as the gateway mints it, issued at `iatSeconds`. */
export function mint(signer: Signer, iatSeconds: number): Promise<string> {
  const claims = {
    sid: newId(), username: 'alice.example', name: 'Alice Example', roles: ['system_user'], teams: TEAMS,
    guest: false, amr: ['pwd', 'otp'], auth_time: iatSeconds - 60,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: ASSERTION_TYP })
    .setIssuer(signer.issuer).setAudience(ASSERTION_AUDIENCE).setSubject(newId())
    .setIssuedAt(iatSeconds).setExpirationTime(iatSeconds + 300).setJti(randomBytes(12).toString('base64url'))
    .sign(signer.privateKey);
}

/** `count` fresh tokens, signed `inFlight` at a time (setup, not timed as a figure). */
export async function mintPool(signer: Signer, iatSeconds: number, count: number, inFlight = 32): Promise<string[]> {
  const tokens = new Array<string>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      tokens[i] = await mint(signer, iatSeconds);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return tokens;
}
