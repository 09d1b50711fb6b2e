/** Personal access tokens API (Mattermost's user access tokens). */
import type { GatewayContext } from '../context.js';
import type { Principal } from '../sessions/principal.js';
import { createMfaRepository } from '../mfa/mfa-repository.js';
import { amrProvesMfa, isMfaRequired } from '../mfa/policy.js';
import type { RouteSpec } from '../authz/route-table.js';
import { decide } from '../authz/decide.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { body, requiredString, targetUserId } from '../http/params.js';
import { toMattermostAccessToken } from './access-tokens.js';

/**
 * A token outlives its session and skips sign-in: creating one needs a session that passed MFA
 * whenever MFA applies to the caller (enrolled, or required for them).
 */
async function assertPassedMfa(ctx: GatewayContext, p: Principal): Promise<void> {
  if (ctx.config.mfa.mode === 'off') return;
  if (p.kind === 'session' && (p.amr.includes('otp') || amrProvesMfa(p.amr))) return;
  const caller = await ctx.users.require(p.userId);
  const applies = (await createMfaRepository(ctx.db, ctx.sealer, ctx.now).isActive(caller.id)) || (await isMfaRequired(ctx, caller, caller.auth_service || 'local'));
  if (applies) throw new GatewayError('MFA_REQUIRED', { detail: 'creating an access token needs a session that passed MFA' });
}

export function tokenRoutes(ctx: GatewayContext): RouteSpec[] {
  return [
    {
      method: 'post', path: '/api/v4/users/:user_id/tokens',
      access: { kind: 'self', param: 'user_id', permission: 'create_user_access_token', otherPermission: 'edit_other_users' },
      async handler(req, res) {
        const userId = targetUserId(req);
        const user = await ctx.users.require(userId);
        if (user.delete_at > 0) throw new GatewayError('USER_NOT_FOUND');
        await assertPassedMfa(ctx, req.principal!);
        const { row, token } = await ctx.tokens.create(userId, body(req).description);
        await ctx.audit.record('access_token.created', { actorId: req.principal!.userId, subjectId: row.id, ip: req.ip ?? '' });
        sendJson(res, 200, toMattermostAccessToken(row, token));
      },
    },
    {
      method: 'get', path: '/api/v4/users/:user_id/tokens',
      access: { kind: 'self', param: 'user_id', permission: 'read_user_access_token', otherPermission: 'edit_other_users' },
      async handler(req, res) {
        const rows = await ctx.tokens.listForUser(targetUserId(req));
        sendJson(res, 200, rows.map((r) => toMattermostAccessToken(r)));
      },
    },
    {
      method: 'post', path: '/api/v4/users/tokens/revoke', access: { kind: 'authenticated' },
      async handler(req, res) {
        const p = req.principal!;
        const row = await ctx.tokens.get(requiredString(body(req).token_id, 'token_id'));
        const own = row?.user_id === p.userId && decide(ctx.authorizer, p, 'revoke_user_access_token');
        if (!row || !(own || decide(ctx.authorizer, p, 'edit_other_users'))) throw new GatewayError('TOKEN_NOT_FOUND');
        await ctx.tokens.revoke(row.id);
        await ctx.authenticator.forgetAccessToken(row.token_hash);
        ctx.minter.forget(row.id);
        await ctx.audit.record('access_token.revoked', { actorId: p.userId, subjectId: row.id, ip: req.ip ?? '' });
        sendJson(res, 200, { status: 'OK' });
      },
    },
  ];
}
