/**
 * MFA state in SQL: the sealed TOTP secret, its activation, the last accepted time step (advanced
 * with a compare-and-set, so two nodes cannot both accept one code), and recovery codes (hashed,
 * used once — also a compare-and-set).
 */
import type { Kysely } from 'kysely';
import type { Sealer } from '../keys/seal.js';
import type { GatewayDatabase } from '../store/sql/schema.js';
import { hashRecoveryCode } from './recovery-codes.js';

const sealContext = (userId: string) => `mfa-totp:${userId}`;

export interface MfaState {
  active: boolean;
  secret: string;
  lastStep: number;
}

export function createMfaRepository(db: Kysely<GatewayDatabase>, sealer: Sealer, now: () => number) {
  return {
    async get(userId: string): Promise<MfaState | undefined> {
      const row = await db.selectFrom('mfa_secrets').selectAll().where('user_id', '=', userId).executeTakeFirst();
      if (!row) return undefined;
      return { active: row.active === 1, secret: sealer.unseal(row.secret_sealed, sealContext(userId)), lastStep: Number(row.last_step) };
    },
    async isActive(userId: string): Promise<boolean> {
      const row = await db.selectFrom('mfa_secrets').select('active').where('user_id', '=', userId).executeTakeFirst();
      return row?.active === 1;
    },
    /** A new, inactive secret (replacing an inactive one); refused while MFA is active. */
    async saveInactiveSecret(userId: string, secret: string): Promise<boolean> {
      const sealed = sealer.seal(secret, sealContext(userId));
      const at = now();
      const res = await db.insertInto('mfa_secrets').values({ user_id: userId, secret_sealed: sealed, active: 0, last_step: 0, create_at: at, activate_at: 0 })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret_sealed: sealed, last_step: 0, create_at: at }).where('mfa_secrets.active', '=', 0))
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    /** Accept `step` only when newer than the last accepted one; true when this call advanced it. */
    async advanceStep(userId: string, step: number): Promise<boolean> {
      const res = await db.updateTable('mfa_secrets').set({ last_step: step }).where('user_id', '=', userId).where('last_step', '<', step).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async activate(userId: string): Promise<void> {
      await db.updateTable('mfa_secrets').set({ active: 1, activate_at: now() }).where('user_id', '=', userId).execute();
    },
    /** Remove the secret and every recovery code. */
    async reset(userId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        await trx.deleteFrom('mfa_secrets').where('user_id', '=', userId).execute();
      });
    },
    async replaceRecoveryCodes(userId: string, codes: string[]): Promise<void> {
      const at = now();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        await trx.insertInto('recovery_codes').values(codes.map((c) => ({ user_id: userId, code_hash: hashRecoveryCode(userId, c), create_at: at, used_at: 0 }))).execute();
      });
    },
    /** Spend one recovery code; true when it existed and was unused (exactly one caller wins). */
    async useRecoveryCode(userId: string, code: string): Promise<boolean> {
      const res = await db.updateTable('recovery_codes').set({ used_at: now() })
        .where('user_id', '=', userId).where('code_hash', '=', hashRecoveryCode(userId, code)).where('used_at', '=', 0).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async unusedRecoveryCodes(userId: string): Promise<number> {
      const rows = await db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', userId).where('used_at', '=', 0).execute();
      return rows.length;
    },
  };
}

export type MfaRepository = ReturnType<typeof createMfaRepository>;
