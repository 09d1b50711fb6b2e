/**
 * Password sign-in, shared by the API and the login form: connector → lockout → checks. Every
 * failure is the same error; the precise reason goes to the audit log only.
 */
import type { GatewayContext } from '../context.js';
import type { PasswordConnector } from '../connectors/contract.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Lockout } from './lockout.js';

export interface PasswordLoginResult {
  userId: string;
  amr: string[];
}

export async function passwordLogin(ctx: GatewayContext, deps: { connector: PasswordConnector; lockout: Lockout }, loginId: unknown, password: unknown, ip: string): Promise<PasswordLoginResult> {
  if (typeof loginId !== 'string' || typeof password !== 'string' || loginId.trim() === '' || password === '') {
    ctx.metrics.loginAttempts.inc({ result: 'bad_request' });
    throw new GatewayError('AUTHN_BAD_REQUEST', { detail: 'login_id and password must be non-empty strings' });
  }
  const locked = await deps.lockout.isLocked(loginId);
  // The connector runs even when locked, so a locked account costs the same time as any other.
  const identity = await deps.connector.login(loginId, password);
  const refuse = async (reason: string, event: 'login.failed' | 'login.locked') => {
    if (!locked) await deps.lockout.recordFailure(loginId);
    ctx.metrics.loginAttempts.inc({ result: event === 'login.locked' ? 'locked' : 'failed' });
    await ctx.audit.record(event, { subjectId: identity?.userId ?? '', ip, details: { reason, connector: deps.connector.id } });
    return new GatewayError('AUTHN_INVALID_CREDENTIALS', { detail: reason });
  };
  if (locked) throw await refuse('login id is locked after too many failures', 'login.locked');
  if (!identity?.userId) throw await refuse('unknown login id or wrong password', 'login.failed');
  const user = await ctx.users.get(identity.userId);
  if (!user || user.delete_at > 0) throw await refuse('account is deactivated', 'login.failed');
  await deps.lockout.clear(loginId);
  ctx.metrics.loginAttempts.inc({ result: 'succeeded' });
  await ctx.audit.record('login.succeeded', { actorId: user.id, subjectId: user.id, ip, details: { connector: deps.connector.id, amr: identity.amr.join(' ') } });
  return { userId: user.id, amr: identity.amr };
}
