/**
 * Password sign-in, shared by the API and the login form: local accounts first, then each LDAP
 * directory in config order → lockout → checks. Every failure is the same error; the precise reason
 * goes to the audit log only. A directory that cannot be asked answers 503 (LDAP_UNAVAILABLE) and is
 * never counted against the user.
 */
import type { GatewayContext } from '../context.js';
import type { Identity, PasswordConnector } from '../connectors/contract.js';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';
import type { Lockout } from './lockout.js';
import { completeSsoLogin } from './sso/complete-sso-login.js';

export interface PasswordLoginResult {
  userId: string;
  amr: string[];
  /** Which connector recognised the password (`local` or an LDAP connector id). */
  connectorId: string;
}

export interface PasswordLoginDeps {
  /** Tried in order; the first that recognises the login id and password wins. */
  connectors: () => PasswordConnector[];
  lockout: Lockout;
}

async function firstMatch(connectors: PasswordConnector[], loginId: string, password: string): Promise<{ connector: PasswordConnector; identity: Identity } | { unavailable?: GatewayError }> {
  let unavailable: GatewayError | undefined;
  for (const connector of connectors) {
    try {
      const identity = await connector.login(loginId, password);
      if (identity) return { connector, identity };
    } catch (err) {
      if (!isGatewayError(err) || err.code !== 'LDAP_UNAVAILABLE') throw err;
      unavailable ??= err;
    }
  }
  return unavailable ? { unavailable } : {};
}

export async function passwordLogin(ctx: GatewayContext, deps: PasswordLoginDeps, loginId: unknown, password: unknown, ip: string): Promise<PasswordLoginResult> {
  if (typeof loginId !== 'string' || typeof password !== 'string' || loginId.trim() === '' || password === '') {
    ctx.metrics.loginAttempts.inc({ result: 'bad_request' });
    throw new GatewayError('AUTHN_BAD_REQUEST', { detail: 'login_id and password must be non-empty strings' });
  }
  const connectors = deps.connectors();
  const locked = await deps.lockout.isLocked(loginId);
  // The connectors run even when locked, so a locked account costs the same time as any other.
  const match = await firstMatch(connectors, loginId, password);
  const identity = 'identity' in match ? match.identity : undefined;
  const refuse = async (reason: string, event: 'login.failed' | 'login.locked') => {
    if (!locked) await deps.lockout.recordFailure(loginId);
    ctx.metrics.loginAttempts.inc({ result: event === 'login.locked' ? 'locked' : 'failed' });
    await ctx.audit.record(event, { subjectId: identity?.userId ?? '', ip, details: { reason, connector: 'connector' in match ? match.connector.id : '' } });
    return new GatewayError('AUTHN_INVALID_CREDENTIALS', { detail: reason });
  };
  if (locked) throw await refuse('login id is locked after too many failures', 'login.locked');
  if (!('identity' in match)) {
    if (match.unavailable) {
      // Nobody recognised the password and a directory could not be asked: say so, count nothing.
      ctx.metrics.loginAttempts.inc({ result: 'unavailable' });
      throw match.unavailable;
    }
    throw await refuse('unknown login id or wrong password', 'login.failed');
  }
  const { connector } = match;
  if (!match.identity.userId) {
    if (!connector.linking) throw await refuse(`connector ${connector.id} returned an identity without a user`, 'login.failed');
    const result = await completeSsoLogin(ctx, match.identity, connector.linking, ip);
    await deps.lockout.clear(loginId);
    return { ...result, connectorId: connector.id };
  }
  const user = await ctx.users.get(match.identity.userId);
  if (!user || user.delete_at > 0) throw await refuse('account is deactivated', 'login.failed');
  if (user.expires_at > 0 && user.expires_at <= ctx.now()) throw await refuse('guest account past its end date', 'login.failed');
  if (!ctx.config.guests.enabled && user.roles.split(' ').includes('system_guest')) throw await refuse('guest access is off (guests.enabled: false)', 'login.failed');
  await deps.lockout.clear(loginId);
  ctx.metrics.loginAttempts.inc({ result: 'succeeded' });
  await ctx.audit.record('login.succeeded', { actorId: user.id, subjectId: user.id, ip, details: { connector: connector.id, amr: match.identity.amr.join(' ') } });
  return { userId: user.id, amr: match.identity.amr, connectorId: connector.id };
}
