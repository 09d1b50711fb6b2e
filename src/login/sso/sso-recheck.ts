/**
 * Re-checking SSO sessions with their provider (OIDC connectors with `refresh`). When a session is
 * used and its last check is older than the connector's interval, one background check runs (one per
 * session across the cluster, through a short lock in the ephemeral store) while the request goes on:
 * - the provider refuses the refresh token → the session is revoked on every node (the next request fails);
 * - it answers → the rotated refresh token is sealed back, and fresh claims update profile, groups and group links;
 * - it cannot be reached → nothing changes; the check is tried again after the lock expires.
 */
import type { GatewayContext } from '../../context.js';
import type { SessionRecord } from '../../sessions/session-store.js';
import { createGroupRepository } from '../../directory/groups.js';
import { reconcileUser } from '../../directory/group-sync.js';
import { refreshFromIdentity } from './provision-user.js';

/** Sealed refresh tokens are bound to their connector and subject (AES-GCM associated data). */
export function refreshSealContext(connectorId: string, sub: string): string {
  return `sso-refresh:${connectorId}:${sub}`;
}

const RETRY_AFTER_MS = 60_000;

export interface SsoRechecker {
  /** Called for every authenticated session; cheap unless a check is due. */
  onSessionUsed(session: SessionRecord): void;
  /** Run the check now (tests, and the background path); resolves to what happened. */
  check(session: SessionRecord): Promise<'kept' | 'revoked' | 'retry' | 'skipped'>;
}

export function createSsoRechecker(ctx: GatewayContext): SsoRechecker {
  const due = (s: SessionRecord): boolean => {
    const sso = s.sso;
    if (!sso?.refreshTokenSealed) return false;
    let connector;
    try { connector = ctx.connectors.oauth(sso.connectorId); } catch { return false; }
    return connector.recheckIntervalMs !== undefined && ctx.now() - (sso.checkedAt ?? 0) >= connector.recheckIntervalMs;
  };
  const check: SsoRechecker['check'] = async (session) => {
    const sso = session.sso;
    if (!sso?.refreshTokenSealed) return 'skipped';
    const connector = ctx.connectors.oauth(sso.connectorId);
    if (!connector.recheck) return 'skipped';
    const log = ctx.logger.child({ connector: sso.connectorId, session_id: session.id, user_id: session.userId });
    let refreshToken: string;
    try {
      refreshToken = ctx.sealer.unseal(sso.refreshTokenSealed, refreshSealContext(sso.connectorId, sso.nameId));
    } catch {
      // A sealed value that does not open is doubt: the session ends.
      await ctx.sessions.revoke(session.id);
      log.warn('sealed refresh token does not open; session revoked');
      return 'revoked';
    }
    const result = await connector.recheck(refreshToken, sso.nameId);
    if (!result.ok) {
      if (!result.definitive) { log.warn({ reason: result.reason }, 'provider re-check could not run; will retry'); return 'retry'; }
      await ctx.sessions.revoke(session.id);
      ctx.minter.forget(session.id);
      await ctx.audit.record('session.revoked', { subjectId: session.id, details: { user_id: session.userId, reason: `provider re-check: ${result.reason}`, connector: sso.connectorId } });
      log.warn({ reason: result.reason }, 'provider refused the re-check; session revoked');
      return 'revoked';
    }
    const next = { ...sso, checkedAt: ctx.now(), ...(result.refreshToken ? { refreshTokenSealed: ctx.sealer.seal(result.refreshToken, refreshSealContext(sso.connectorId, sso.nameId)) } : {}) };
    if (!(await ctx.sessions.patch(session.id, { sso: next }))) return 'skipped';
    if (result.identity) {
      const user = await ctx.users.get(session.userId);
      if (user) {
        await refreshFromIdentity(ctx, user, result.identity);
        await createGroupRepository(ctx.db, ctx.now).replaceForUser(user.id, result.identity.connectorId, result.identity.groups, result.identity.groupDetails);
        await reconcileUser(ctx, user.id);
        await ctx.access.invalidate(user.id);
      }
    }
    return 'kept';
  };
  return {
    onSessionUsed(session) {
      if (!due(session)) return;
      void (async () => {
        if (!(await ctx.store.setIfAbsent(`sso-recheck:${session.id}`, '1', RETRY_AFTER_MS))) return;
        await check(session);
      })().catch((err: Error) => ctx.logger.error({ session_id: session.id, err: err.message }, 'provider re-check failed'));
    },
    check,
  };
}
