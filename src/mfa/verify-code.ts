/**
 * Checking a second-factor code: attempts limited per user (`maxAttempts`) and per client address
 * (`maxAttemptsPerAddress`), a lockout of `lockoutMinutes`, counted in the ephemeral store so every
 * node sees them; then a recovery code (spent once) or a TOTP code (±1 step, each step accepted once,
 * advanced with a compare-and-set in SQL).
 */
import type { GatewayContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import { hashToken } from '../sessions/session-store.js';
import { createMfaRepository } from './mfa-repository.js';
import { looksLikeRecoveryCode } from './recovery-codes.js';
import { verifyTotp } from './totp.js';
import { recoveryCodeUsedMessage } from '../mail/templates.js';

const userKey = (userId: string) => `mfa-fail:u:${userId}`;
const ipKey = (ip: string) => `mfa-fail:ip:${hashToken(ip)}`;

export type CodeKind = 'otp' | 'recovery';

/** Refuse before any check when this user or this address has used up its wrong codes. */
export async function assertNotLocked(ctx: GatewayContext, userId: string, ip: string): Promise<void> {
  const { maxAttempts, maxAttemptsPerAddress } = ctx.config.mfa;
  const [u, i] = await Promise.all([ctx.store.get(userKey(userId)), ctx.store.get(ipKey(ip))]);
  if (Number(u ?? 0) >= maxAttempts || Number(i ?? 0) >= maxAttemptsPerAddress) {
    await ctx.audit.record('mfa.locked', { subjectId: userId, ip });
    throw new GatewayError('MFA_LOCKED', { detail: `too many wrong codes for ${userId} or from this address` });
  }
}

/** Count a wrong code against the user and the address, then refuse. */
export async function refuseCode(ctx: GatewayContext, userId: string, ip: string, reason: string): Promise<never> {
  const ttl = ctx.config.mfa.lockoutMinutes * 60_000;
  await Promise.all([ctx.store.increment(userKey(userId), ttl), ctx.store.increment(ipKey(ip), ttl)]);
  await ctx.audit.record('mfa.failed', { subjectId: userId, ip, details: { reason } });
  throw new GatewayError('MFA_INVALID_CODE', { detail: reason });
}

export async function clearFailures(ctx: GatewayContext, userId: string): Promise<void> {
  await ctx.store.delete(userKey(userId));
}

/** Tell the account's owner by mail (never the code); a mail failure is logged, never fatal to the sign-in. */
async function noticeRecoveryCodeUse(ctx: GatewayContext, userId: string, remaining: number, ip: string): Promise<void> {
  const user = await ctx.users.get(userId);
  if (!user?.email) return;
  try {
    await ctx.mailer.send({ to: user.email, ...recoveryCodeUsedMessage({ siteName: 'Gatehouse', siteUrl: ctx.config.siteUrl, username: user.username, remaining, at: new Date(ctx.now()), ip }) });
  } catch (err) {
    ctx.logger.warn({ user_id: userId, err: (err as Error).message }, 'could not mail the recovery-code notice');
  }
}

export async function verifySecondFactor(ctx: GatewayContext, userId: string, code: unknown, ip: string): Promise<CodeKind> {
  if (typeof code !== 'string' || code.trim() === '') throw new GatewayError('MFA_TOKEN_REQUIRED');
  await assertNotLocked(ctx, userId, ip);
  const fail = (reason: string) => refuseCode(ctx, userId, ip, reason);
  const repo = createMfaRepository(ctx.db, ctx.sealer, ctx.now);
  const value = code.trim().replace(/\s+/g, '');
  if (looksLikeRecoveryCode(value)) {
    if (!(await repo.useRecoveryCode(userId, value))) return fail('unknown or already used recovery code');
    const left = await repo.unusedRecoveryCodes(userId);
    await ctx.audit.record('mfa.recovery_code_used', { subjectId: userId, ip, details: { remaining: left } });
    ctx.logger.warn({ user_id: userId, remaining: left }, 'a recovery code was used to sign in');
    await noticeRecoveryCodeUse(ctx, userId, left, ip);
    await clearFailures(ctx, userId);
    return 'recovery';
  }
  const state = await repo.get(userId);
  if (!state?.active) return fail('MFA is not active for this user');
  const step = await verifyTotp(state.secret, value, ctx.now(), state.lastStep);
  if (step === null) return fail('wrong, expired or already used code');
  // Two requests with the same code: only one advances the step.
  if (!(await repo.advanceStep(userId, step))) return fail('code already used');
  await clearFailures(ctx, userId);
  await ctx.audit.record('mfa.verified', { subjectId: userId, ip });
  return 'otp';
}
