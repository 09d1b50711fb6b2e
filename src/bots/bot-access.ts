/**
 * Who may see and manage a bot, after Mattermost's app/authorization.go. Reading: one's own bots
 * with `read_bots`, anyone's with `read_others_bots`. Managing: `manage_bots` / `manage_others_bots`.
 * A caller who may not even read a bot is told it does not exist, so nobody learns which users are
 * bots by probing.
 */
import type { GatewayContext } from '../context.js';
import type { Authorizer } from '../../policies/authorizer.js';
import type { Principal } from '../sessions/principal.js';
import { decide } from '../authz/decide.js';
import { GatewayError } from '../errors/gateway-error.js';
import { createBotRepository, type BotView } from './bots.js';

type Caller = Pick<Principal, 'userId' | 'access'>;

export function mayReadBot(authorizer: Authorizer, p: Caller, bot: Pick<BotView, 'owner_id'>): boolean {
  return decide(authorizer, p, bot.owner_id === p.userId ? 'read_bots' : 'read_others_bots');
}

export function mayManageBot(authorizer: Authorizer, p: Caller, bot: Pick<BotView, 'owner_id'>): boolean {
  return decide(authorizer, p, bot.owner_id === p.userId ? 'manage_bots' : 'manage_others_bots');
}

/** What a caller may learn and do about one bot: `manage`, `read` only (refused with 403), or `none` (told it does not exist). */
export function botAccess(authorizer: Authorizer, p: Caller, bot: Pick<BotView, 'owner_id'>): 'manage' | 'read' | 'none' {
  if (mayManageBot(authorizer, p, bot)) return 'manage';
  return mayReadBot(authorizer, p, bot) ? 'read' : 'none';
}

/** Mattermost's SessionHasPermissionToManageBot: the bot (deleted ones included), or BOT_NOT_FOUND / AUTHZ_FORBIDDEN. */
export async function requireManagedBot(ctx: GatewayContext, p: Principal, botUserId: string): Promise<BotView> {
  const bot = await createBotRepository(ctx.db, ctx.now).get(botUserId, true);
  const access = bot ? botAccess(ctx.authorizer, p, bot) : 'none';
  if (!bot || access === 'none') throw new GatewayError('BOT_NOT_FOUND', { detail: `bot ${botUserId} missing or unreadable` });
  if (access !== 'manage') throw new GatewayError('AUTHZ_FORBIDDEN', { detail: `${bot.owner_id === p.userId ? 'manage_bots' : 'manage_others_bots'} for bot ${botUserId}` });
  return bot;
}

/**
 * Mattermost's SessionHasPermissionToUserOrBot, for another user's access tokens: oneself; a bot by
 * the bot rules above (and only by them); any other user with `edit_other_users`.
 */
export async function mayActForUser(ctx: GatewayContext, p: Principal, userId: string): Promise<boolean> {
  if (userId === p.userId) return true;
  const bot = await createBotRepository(ctx.db, ctx.now).get(userId, true);
  if (bot) return mayManageBot(ctx.authorizer, p, bot);
  return decide(ctx.authorizer, p, 'edit_other_users');
}
