/**
 * Disabling and enabling a bot (Mattermost's UpdateBotActive): the bot user is deactivated or
 * reactivated. Its access tokens are kept but stop working at once on every node, because every
 * request re-reads the user's access and that cache is invalidated here.
 */
import type { GatewayContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import { userUpserted } from '../directory/chat-provisioner.js';
import { SESSION_REVOKED_CHANNEL } from '../sessions/session-store.js';
import type { BotView } from './bots.js';

/**
 * Fail closed: the gateway refuses the bot whatever chat-core says. chat-core is then told, so it
 * refuses the bot's assertions and closes its websockets; if that push fails it is logged, and the
 * gateway, which every request crosses, still refuses the bot.
 */
export async function disableBot(ctx: GatewayContext, bot: BotView, actorId: string, ip: string): Promise<void> {
  if (bot.delete_at > 0) return;
  await ctx.users.setDeactivated(bot.user_id, true);
  await ctx.access.invalidate(bot.user_id);
  await ctx.sessions.revokeAllForUser(bot.user_id);
  // A websocket opened with an access token is tracked under the token's id: announcing each as
  // revoked closes those sockets on every node and drops their cached assertions.
  for (const token of await ctx.tokens.listForUser(bot.user_id)) {
    ctx.minter.forget(token.id);
    await ctx.store.publish(SESSION_REVOKED_CHANNEL, JSON.stringify({ session_id: token.id, user_id: bot.user_id }));
  }
  await ctx.audit.record('bot.disabled', { actorId, subjectId: bot.user_id, ip });
  if (!(await ctx.chat.push([{ type: 'user.deactivated', user_id: bot.user_id }]))) {
    ctx.logger.warn({ user_id: bot.user_id }, 'chat-core was not told a bot is disabled; the gateway refuses it regardless');
  }
}

/**
 * Enabling needs chat-core to agree first (it refuses a user it knows as deactivated): when it does
 * not, nothing changes and the caller gets 502. chat-core is told before the gateway changes, so a
 * failure in between leaves the bot refused at the gateway, never half-enabled.
 */
export async function enableBot(ctx: GatewayContext, bot: BotView, actorId: string, ip: string): Promise<void> {
  if (bot.delete_at === 0) return;
  if (!(await ctx.chat.push([userUpserted(await ctx.users.require(bot.user_id))]))) {
    throw new GatewayError('UPSTREAM_UNAVAILABLE', { detail: `chat-core did not take the re-enabled bot ${bot.user_id}; it stays disabled` });
  }
  await ctx.users.setDeactivated(bot.user_id, false);
  await ctx.access.invalidate(bot.user_id);
  await ctx.audit.record('bot.enabled', { actorId, subjectId: bot.user_id, ip });
}
