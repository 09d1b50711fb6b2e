/**
 * A stand-in for the gateway's signing side in tests: a key pair made with jose, its JWKS served
 * from a tiny node:http server on port 0, and assertions minted with SignJWT. Claims and header
 * fields can be overridden; an override of `undefined` removes the field, so tests can mint the
 * malformed tokens an attacker would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  ASSERTION_AUDIENCE, ASSERTION_TYP, PROVISION_TYP, type AssertionAlgorithm,
} from '../../chat-core/contract.js';

export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export type Overrides = Record<string, unknown>;

export interface TestIssuer {
  /** The `iss` every minted token carries (the JWKS server's base URL). */
  issuer: string;
  jwksUrl: string;
  algorithm: AssertionAlgorithm;
  /** The published key that signs by default. */
  key: TestKey;
  /** A user assertion: valid by default; `claims`/`header` override or (with `undefined`) remove fields. */
  mint(claims?: Overrides, header?: Overrides, options?: { key?: TestKey }): Promise<string>;
  /** A provisioning assertion (typ gatehouse-provision+jwt, scope provision). */
  mintProvision(claims?: Overrides, header?: Overrides, options?: { key?: TestKey }): Promise<string>;
  /** A fresh key of the same algorithm, not yet published. */
  generateKey(kid?: string): Promise<TestKey>;
  /** Adds a key to the served JWKS. */
  publish(key: TestKey): void;
  /** How many times the JWKS has been fetched. */
  jwksRequests(): number;
  close(): Promise<void>;
}

export interface TestIssuerOptions {
  algorithm?: AssertionAlgorithm;
  /** Clock for iat/exp, ms; share it with the service under test. */
  now?: () => number;
}

export function randomUserId(): string {
  return randomBytes(13).toString('hex');
}

function apply(base: Overrides, overrides: Overrides): Overrides {
  const out: Overrides = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}

async function newKey(algorithm: AssertionAlgorithm, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const algorithm = options.algorithm ?? 'EdDSA';
  const now = options.now ?? Date.now;
  const published: JWK[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = await newKey(algorithm, `k-${randomBytes(4).toString('hex')}`);
  published.push(key.publicJwk);

  const sign = (payload: Overrides, header: Overrides, signer: TestKey) =>
    new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(signer.privateKey);
  const times = () => {
    const iat = Math.floor(now() / 1000);
    return { iat, exp: iat + 300, jti: randomBytes(12).toString('base64url') };
  };

  return {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    algorithm,
    key,
    mint(claims = {}, header = {}, opts = {}) {
      const signer = opts.key ?? key;
      const iat = Math.floor(now() / 1000);
      const base: Overrides = {
        iss: issuer, aud: ASSERTION_AUDIENCE, sub: randomUserId(), sid: randomBytes(8).toString('hex'), ...times(),
        username: 'alice', name: 'Alice Example', roles: ['system_user'], teams: {}, guest: false,
        amr: ['pwd'], auth_time: iat,
      };
      return sign(apply(base, claims), apply({ alg: algorithm, kid: signer.kid, typ: ASSERTION_TYP }, header), signer);
    },
    mintProvision(claims = {}, header = {}, opts = {}) {
      const signer = opts.key ?? key;
      const base: Overrides = { iss: issuer, aud: ASSERTION_AUDIENCE, sub: 'gatehouse', scope: 'provision', ...times() };
      return sign(apply(base, claims), apply({ alg: algorithm, kid: signer.kid, typ: PROVISION_TYP }, header), signer);
    },
    generateKey: (kid) => newKey(algorithm, kid ?? `k-${randomBytes(4).toString('hex')}`),
    publish(extra) {
      published.push(extra.publicJwk);
    },
    jwksRequests: () => requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** An unsecured JWS (`alg: none`), as an attacker would send one. */
export function unsecuredToken(payload: Overrides, header: Overrides = { alg: 'none', typ: ASSERTION_TYP }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.`;
}
