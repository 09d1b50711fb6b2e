/**
 * Bots API (Mattermost v4, server/channels/api4/bot.go): create, list, get, patch, disable, enable,
 * assign. Creating needs `create_bot`; the others decide from the bot's owner (see bot-access.ts),
 * which is why they are declared `authenticated` and checked in the handler.
 */
import type { Request } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { decide } from '../authz/decide.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { pagination } from '../http/params.js';
import { userUpserted } from '../directory/chat-provisioner.js';
import { createBotRepository, type BotView } from './bots.js';
import { toMattermostBot } from './bot-json.js';
import { readBotPatch } from './bot-input.js';
import { mayReadBot, requireManagedBot } from './bot-access.js';
import { createBot } from './create-bot.js';
import { disableBot, enableBot } from './bot-active.js';

/** Go's strconv.ParseBool, where anything unparsable reads as false (as Mattermost ignores the error). */
function queryBool(req: Request, name: string): boolean {
  const v = req.query[name];
  return typeof v === 'string' && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

const botUserId = (req: Request) => String(req.params.bot_user_id ?? '');

export function botRoutes(ctx: GatewayContext): RouteSpec[] {
  const bots = createBotRepository(ctx.db, ctx.now);
  const current = async (id: string): Promise<BotView> => {
    const bot = await bots.get(id, true);
    if (!bot) throw new GatewayError('BOT_NOT_FOUND');
    return bot;
  };
  return [
    {
      method: 'post', path: '/api/v4/bots', access: { kind: 'system', permission: 'create_bot' },
      async handler(req, res) {
        const bot = await createBot(ctx, req.principal!, readBotPatch(req), req.ip ?? '');
        sendJson(res, 201, toMattermostBot(bot));
      },
    },
    {
      method: 'get', path: '/api/v4/bots', access: { kind: 'authenticated' },
      async handler(req, res) {
        const p = req.principal!;
        let ownerId: string | undefined;
        if (decide(ctx.authorizer, p, 'read_others_bots')) ownerId = undefined;
        else if (decide(ctx.authorizer, p, 'read_bots')) ownerId = p.userId;
        else throw new GatewayError('AUTHZ_FORBIDDEN', { detail: 'listing bots needs read_bots' });
        const { page, perPage } = pagination(req);
        const rows = await bots.list({ page, perPage, ...(ownerId ? { ownerId } : {}), includeDeleted: queryBool(req, 'include_deleted'), onlyOrphaned: queryBool(req, 'only_orphaned') });
        sendJson(res, 200, rows.map(toMattermostBot));
      },
    },
    {
      method: 'get', path: '/api/v4/bots/:bot_user_id', access: { kind: 'authenticated' },
      async handler(req, res) {
        const bot = await bots.get(botUserId(req), queryBool(req, 'include_deleted'));
        // Someone who may not read this bot is told it does not exist: nobody learns who is a bot.
        if (!bot || !mayReadBot(ctx.authorizer, req.principal!, bot)) throw new GatewayError('BOT_NOT_FOUND', { detail: `bot ${botUserId(req)} missing or unreadable` });
        sendJson(res, 200, toMattermostBot(bot));
      },
    },
    {
      method: 'put', path: '/api/v4/bots/:bot_user_id', access: { kind: 'authenticated' },
      async handler(req, res) {
        const bot = await requireManagedBot(ctx, req.principal!, botUserId(req));
        const patch = readBotPatch(req);
        if (patch.username !== undefined && patch.username !== bot.username && (await ctx.users.usernameTaken(patch.username))) {
          throw new GatewayError('USERNAME_EXISTS', { detail: `username ${patch.username} is taken` });
        }
        await bots.patch(bot.user_id, patch);
        const user = await ctx.users.require(bot.user_id);
        const event = userUpserted(user);
        // A disabled bot stays disabled in chat-core's mirror while its profile changes.
        if (event.type === 'user.upserted') event.user.deactivated = user.delete_at > 0;
        if (!(await ctx.chat.push([event]))) ctx.logger.warn({ user_id: bot.user_id }, 'chat-core did not take a bot profile change; its next request refreshes the mirror');
        await ctx.audit.record('bot.patched', { actorId: req.principal!.userId, subjectId: bot.user_id, ip: req.ip ?? '', details: { fields: Object.keys(patch).join(' ') } });
        sendJson(res, 200, toMattermostBot(await current(bot.user_id)));
      },
    },
    {
      method: 'post', path: '/api/v4/bots/:bot_user_id/disable', access: { kind: 'authenticated' },
      async handler(req, res) {
        const bot = await requireManagedBot(ctx, req.principal!, botUserId(req));
        await disableBot(ctx, bot, req.principal!.userId, req.ip ?? '');
        sendJson(res, 200, toMattermostBot(await current(bot.user_id)));
      },
    },
    {
      method: 'post', path: '/api/v4/bots/:bot_user_id/enable', access: { kind: 'authenticated' },
      async handler(req, res) {
        const bot = await requireManagedBot(ctx, req.principal!, botUserId(req));
        await enableBot(ctx, bot, req.principal!.userId, req.ip ?? '');
        sendJson(res, 200, toMattermostBot(await current(bot.user_id)));
      },
    },
    {
      method: 'post', path: '/api/v4/bots/:bot_user_id/assign/:user_id', access: { kind: 'authenticated' },
      async handler(req, res) {
        const bot = await requireManagedBot(ctx, req.principal!, botUserId(req));
        const owner = await ctx.users.get(String(req.params.user_id ?? ''));
        if (!owner || owner.delete_at > 0) throw new GatewayError('USER_NOT_FOUND');
        if (owner.is_bot === 1) throw new GatewayError('AUTHZ_FORBIDDEN', { detail: 'a bot cannot own a bot' });
        await bots.setOwner(bot.user_id, owner.id);
        await ctx.audit.record('bot.assigned', { actorId: req.principal!.userId, subjectId: bot.user_id, ip: req.ip ?? '', details: { owner_id: owner.id, previous_owner_id: bot.owner_id } });
        sendJson(res, 200, toMattermostBot(await current(bot.user_id)));
      },
    },
  ];
}
