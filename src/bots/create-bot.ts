/**
 * `POST /api/v4/bots`: the bot user and its record in one transaction, then its mirror in chat-core
 * (so it can post). chat-core refusing or unreachable undoes the creation — nothing half-made stays,
 * and the caller gets 502 and may simply retry.
 */
import type { GatewayContext } from '../context.js';
import type { Principal } from '../sessions/principal.js';
import { GatewayError } from '../errors/gateway-error.js';
import { userUpserted } from '../directory/chat-provisioner.js';
import { createBotRepository, type BotView } from './bots.js';
import type { BotPatch } from './bot-input.js';

export async function createBot(ctx: GatewayContext, p: Principal, patch: BotPatch, ip: string): Promise<BotView> {
  // A bot never makes bots (Mattermost: the create_bot permission error, whatever its roles).
  if ((await ctx.users.get(p.userId))?.is_bot === 1) throw new GatewayError('AUTHZ_FORBIDDEN', { detail: 'a bot cannot create bots' });
  if (patch.username === undefined) throw new GatewayError('BOT_INVALID_USERNAME', { publicDetail: 'username' });
  if (await ctx.users.usernameTaken(patch.username)) throw new GatewayError('USERNAME_EXISTS', { detail: `username ${patch.username} is taken` });
  const bots = createBotRepository(ctx.db, ctx.now);
  const { bot, user } = await bots.create({ username: patch.username, displayName: patch.displayName ?? '', description: patch.description ?? '', ownerId: p.userId });
  if (!(await ctx.chat.push([userUpserted(user)]))) {
    await bots.remove(user.id);
    throw new GatewayError('UPSTREAM_UNAVAILABLE', { detail: `chat-core did not take bot ${user.id}; creation undone` });
  }
  await ctx.audit.record('bot.created', { actorId: p.userId, subjectId: bot.user_id, ip, details: { username: bot.username, owner_id: bot.owner_id } });
  return bot;
}
