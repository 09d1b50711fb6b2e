/**
 * Enrolment, shared by the API and the setup page: a server-generated secret (sealed, inactive),
 * activated only by a first valid code, which also issues the recovery codes; turning MFA off
 * (the user with a code, unless MFA is required for them; an administrator without one); new
 * recovery codes for a valid code.
 */
import type { GatewayContext } from '../context.js';
import type { UserRow } from '../directory/users.js';
import type { Principal } from '../sessions/principal.js';
import { GatewayError } from '../errors/gateway-error.js';
import { createMfaRepository } from './mfa-repository.js';
import { isMfaRequired } from './policy.js';
import { newRecoveryCodes } from './recovery-codes.js';
import { newTotpSecret, otpauthUri, qrCodePng, verifyTotp } from './totp.js';
import { assertNotLocked, clearFailures, refuseCode, verifySecondFactor } from './verify-code.js';

function assertAvailable(ctx: GatewayContext): void {
  if (ctx.config.mfa.mode === 'off') throw new GatewayError('MFA_NOT_AVAILABLE');
}

export async function generateSecret(ctx: GatewayContext, user: UserRow): Promise<{ secret: string; uri: string; qrPng: string }> {
  assertAvailable(ctx);
  const secret = newTotpSecret();
  if (!(await createMfaRepository(ctx.db, ctx.sealer, ctx.now).saveInactiveSecret(user.id, secret))) throw new GatewayError('MFA_ALREADY_ACTIVE');
  const uri = otpauthUri(ctx.config.mfa.issuer, user.email || user.username, secret);
  return { secret, uri, qrPng: await qrCodePng(uri) };
}

/** The secret being enrolled (not yet active), to show again after a wrong code; a new one when there is none. */
export async function currentOrNewSecret(ctx: GatewayContext, user: UserRow): Promise<{ secret: string; uri: string; qrPng: string }> {
  const state = await createMfaRepository(ctx.db, ctx.sealer, ctx.now).get(user.id);
  if (!state || state.active) return generateSecret(ctx, user);
  const uri = otpauthUri(ctx.config.mfa.issuer, user.email || user.username, state.secret);
  return { secret: state.secret, uri, qrPng: await qrCodePng(uri) };
}

/** Activate with the first code from the app; returns the recovery codes (shown once). */
export async function activate(ctx: GatewayContext, userId: string, code: unknown, ip: string): Promise<string[]> {
  assertAvailable(ctx);
  const repo = createMfaRepository(ctx.db, ctx.sealer, ctx.now);
  const state = await repo.get(userId);
  if (!state) throw new GatewayError('MFA_NOT_ENROLLING');
  if (state.active) throw new GatewayError('MFA_ALREADY_ACTIVE');
  if (typeof code !== 'string' || code.trim() === '') throw new GatewayError('MFA_TOKEN_REQUIRED');
  await assertNotLocked(ctx, userId, ip);
  const step = await verifyTotp(state.secret, code.trim(), ctx.now(), 0);
  if (step === null || !(await repo.advanceStep(userId, step))) return refuseCode(ctx, userId, ip, 'activation code does not match the new secret');
  await clearFailures(ctx, userId);
  await repo.activate(userId);
  const codes = newRecoveryCodes();
  await repo.replaceRecoveryCodes(userId, codes);
  await ctx.audit.record('mfa.activated', { actorId: userId, subjectId: userId, ip });
  return codes;
}

/** The session that just activated MFA has passed it: it may do everything, and its amr says so. */
export async function markSessionPassedMfa(ctx: GatewayContext, p: Principal): Promise<void> {
  await ctx.sessions.patch(p.sessionId, { amr: [...new Set([...p.amr, 'otp'])], mfaEnrolRequired: false });
  ctx.minter.forget(p.sessionId);
}

/**
 * Turn MFA off. `byAdmin`: an administrator resetting someone (no code needed, audited as a reset);
 * otherwise the user proves the factor with a current code, and may not when MFA is required for them.
 */
export async function deactivate(ctx: GatewayContext, target: UserRow, opts: { actorId: string; byAdmin: boolean; code?: unknown; ip: string }): Promise<void> {
  const repo = createMfaRepository(ctx.db, ctx.sealer, ctx.now);
  if (!opts.byAdmin) {
    const state = await repo.get(target.id);
    if (state?.active) {
      if (await isMfaRequired(ctx, target, target.auth_service || 'local')) throw new GatewayError('MFA_CANNOT_DISABLE');
      await verifySecondFactor(ctx, target.id, opts.code, opts.ip);
    }
  }
  await repo.reset(target.id);
  await ctx.audit.record(opts.byAdmin ? 'mfa.reset' : 'mfa.deactivated', { actorId: opts.actorId, subjectId: target.id, ip: opts.ip });
}

export async function regenerateRecoveryCodes(ctx: GatewayContext, userId: string, code: unknown, ip: string): Promise<string[]> {
  assertAvailable(ctx);
  const kind = await verifySecondFactor(ctx, userId, code, ip);
  if (kind !== 'otp') throw new GatewayError('MFA_INVALID_CODE', { detail: 'new recovery codes need an authenticator code, not a recovery code' });
  const codes = newRecoveryCodes();
  await createMfaRepository(ctx.db, ctx.sealer, ctx.now).replaceRecoveryCodes(userId, codes);
  await ctx.audit.record('mfa.recovery_codes_regenerated', { actorId: userId, subjectId: userId, ip });
  return codes;
}
