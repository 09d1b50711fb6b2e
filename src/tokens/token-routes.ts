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
import { mayActForUser, mayManageBot } from '../bots/bot-access.js';
import { createBotRepository } from '../bots/bots.js';

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

/**
 * Whose tokens a caller may handle (Mattermost's SessionHasPermissionToUserOrBot): their own, a
 * bot's by the bot rules (`manage_bots` for its owner, `manage_others_bots` otherwise), anyone
 * else's with `edit_other_users`.
 */
async function assertMayActFor(ctx: GatewayContext, p: Principal, userId: string): Promise<void> {
  if (!(await mayActForUser(ctx, p, userId))) throw new GatewayError('AUTHZ_FORBIDDEN', { detail: `access tokens of ${userId}` });
}

export function tokenRoutes(ctx: GatewayContext): RouteSpec[] {
  return [
    {
      method: 'post', path: '/api/v4/users/:user_id/tokens',
      access: { kind: 'system', permission: 'create_user_access_token' },
      async handler(req, res) {
        const userId = targetUserId(req);
        await assertMayActFor(ctx, req.principal!, userId);
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
      access: { kind: 'system', permission: 'read_user_access_token' },
      async handler(req, res) {
        await assertMayActFor(ctx, req.principal!, targetUserId(req));
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
        if (!row || !(own || decide(ctx.authorizer, p, 'edit_other_users') || (await mayRevokeBotToken(ctx, p, row.user_id)))) throw new GatewayError('TOKEN_NOT_FOUND');
        await ctx.tokens.revoke(row.id);
        await ctx.authenticator.forgetAccessToken(row.token_hash);
        ctx.minter.forget(row.id);
        await ctx.audit.record('access_token.revoked', { actorId: p.userId, subjectId: row.id, ip: req.ip ?? '' });
        sendJson(res, 200, { status: 'OK' });
      },
    },
  ];
}

/** A bot's token, by someone who may manage that bot and holds `revoke_user_access_token`. */
async function mayRevokeBotToken(ctx: GatewayContext, p: Principal, userId: string): Promise<boolean> {
  if (!decide(ctx.authorizer, p, 'revoke_user_access_token')) return false;
  const bot = await createBotRepository(ctx.db, ctx.now).get(userId, true);
  return bot !== undefined && mayManageBot(ctx.authorizer, p, bot);
}
