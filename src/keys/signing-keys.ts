/**
 * The gateway's signing keys. There is always one `active` key (signs) and one `next` key (published
 * in the JWKS before it ever signs, so verifiers have it cached by the time it does). Rotation
 * promotes `next`, retires the old active key — still published until every assertion it signed
 * has expired — and creates a new `next`.
 */
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { GatewayDatabase } from '../store/sql/schema.js';
import type { AssertionAlgorithm } from '../../chat-core/contract.js';
import { newId } from '../http/ids.js';
import type { Sealer } from './seal.js';

export interface SigningKey {
  kid: string;
  alg: AssertionAlgorithm;
  privateKey: CryptoKey;
}

export interface KeySet {
  active: SigningKey;
  /** Public JWKs to publish: active, next and retired-but-live. */
  published: JWK[];
}

const sealContext = (kid: string) => `signing-key:${kid}`;

export function createSigningKeys(deps: { db: Kysely<GatewayDatabase>; sealer: Sealer; now: () => number; algorithm: AssertionAlgorithm; retireAfterMs: number }) {
  const { db, sealer, now } = deps;
  const generate = async (state: 'active' | 'next') => {
    const { privateKey, publicKey } = await generateKeyPair(deps.algorithm, { extractable: true, crv: deps.algorithm === 'EdDSA' ? 'Ed25519' : undefined });
    const kid = newId();
    const pub = { ...(await exportJWK(publicKey)), kid, alg: deps.algorithm, use: 'sig' };
    const priv = JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: deps.algorithm });
    await db.insertInto('signing_keys').values({
      kid, alg: deps.algorithm, private_jwk_sealed: sealer.seal(priv, sealContext(kid)), public_jwk: JSON.stringify(pub),
      state, create_at: now(), activate_at: state === 'active' ? now() : 0, retire_at: 0,
    }).execute();
  };
  const keys = {
    /** Make sure an active and a next key exist (first start, or a new algorithm). */
    async ensure(): Promise<void> {
      const rows = await db.selectFrom('signing_keys').select(['state', 'alg']).where('alg', '=', deps.algorithm).execute();
      if (!rows.some((r) => r.state === 'active')) await generate('active');
      if (!rows.some((r) => r.state === 'next')) await generate('next');
    },
    async load(): Promise<KeySet> {
      await db.deleteFrom('signing_keys').where('state', '=', 'retired').where('retire_at', '<', now()).execute();
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('create_at').execute();
      const activeRow = rows.filter((r) => r.state === 'active' && r.alg === deps.algorithm).at(-1);
      if (!activeRow) throw new Error(`no active ${deps.algorithm} signing key; run "gatehouse migrate"`);
      const jwk = JSON.parse(sealer.unseal(activeRow.private_jwk_sealed, sealContext(activeRow.kid))) as JWK;
      const privateKey = (await importJWK(jwk, activeRow.alg)) as CryptoKey;
      return {
        active: { kid: activeRow.kid, alg: activeRow.alg as AssertionAlgorithm, privateKey },
        published: rows.map((r) => JSON.parse(r.public_jwk) as JWK),
      };
    },
    /**
     * Promote next → active, retire the old active, create a new next. Returns the new active kid.
     * Refuses (unless `force`) when the next key was published less than `minPublishedMs` ago, since
     * verifiers that cached the JWKS before then would refuse its assertions.
     */
    async rotate(options: { force?: boolean; minPublishedMs?: number } = {}): Promise<string> {
      await keys.ensure();
      const kid = await db.transaction().execute(async (trx) => {
        const next = await trx.selectFrom('signing_keys').select(['kid', 'create_at']).where('state', '=', 'next').where('alg', '=', deps.algorithm).orderBy('create_at').executeTakeFirstOrThrow();
        const publishedFor = now() - next.create_at;
        if (!options.force && publishedFor < (options.minPublishedMs ?? 0)) {
          throw new KeyRotationTooSoonError(Math.ceil(((options.minPublishedMs ?? 0) - publishedFor) / 1000));
        }
        await trx.updateTable('signing_keys').set({ state: 'retired', retire_at: now() + deps.retireAfterMs }).where('state', '=', 'active').execute();
        await trx.updateTable('signing_keys').set({ state: 'active', activate_at: now() }).where('kid', '=', next.kid).execute();
        return next.kid;
      });
      await generate('next');
      return kid;
    },
  };
  return keys;
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;

export class KeyRotationTooSoonError extends Error {
  readonly code = 'KEYS_ROTATION_TOO_SOON' as const;
  constructor(readonly waitSeconds: number) {
    super(`the next signing key has not been published long enough for verifiers to have fetched it; wait ${waitSeconds} s or pass --force`);
  }
}
