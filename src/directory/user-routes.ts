/** Users API (Mattermost v4 shapes): create, me, get, list, roles, deactivate. */
import { disableBot } from '../bots/bot-active.js';
import type { GatewayContext } from '../context.js';
import { createMfaRepository } from '../mfa/mfa-repository.js';
import { visibleUsers } from './visibility.js';
import type { RouteSpec } from '../authz/route-table.js';
import { decide } from '../authz/decide.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { body, optionalString, pagination, requiredString, targetUserId } from '../http/params.js';
import { checkPasswordPolicy } from '../login/password-policy.js';
import { hashPassword } from '../login/passwords.js';
import { toMattermostUser, type UserRow } from './users.js';
import { userUpserted } from './chat-provisioner.js';
import { createBotRepository } from '../bots/bots.js';

const SYSTEM_ROLE_SETS = new Set(['system_user', 'system_admin system_user', 'system_guest']);

export function userRoutes(ctx: GatewayContext): RouteSpec[] {
  const canSeeEmail = (req: Parameters<RouteSpec['handler']>[0], user: UserRow) =>
    req.principal!.userId === user.id || decide(ctx.authorizer, req.principal!, 'manage_system');
  return [
    {
      method: 'post', path: '/api/v4/users',
      access: ctx.config.login.openSignup ? { kind: 'public' } : { kind: 'system', permission: 'create_user' },
      async handler(req, res) {
        const b = body(req);
        const email = requiredString(b.email, 'email');
        const username = requiredString(b.username, 'username');
        const password = checkPasswordPolicy(b.password, ctx.config.passwordPolicy, { username, email });
        const user = await ctx.users.create({
          email, username, firstName: optionalString(b.first_name, 'first_name'), lastName: optionalString(b.last_name, 'last_name'),
          nickname: optionalString(b.nickname, 'nickname'), passwordHash: await hashPassword(password),
        });
        await ctx.audit.record('user.created', { actorId: req.principal?.userId ?? user.id, subjectId: user.id, ip: req.ip ?? '' });
        await ctx.chat.push([userUpserted(user)]);
        sendJson(res, 201, toMattermostUser(user));
      },
    },
    {
      method: 'get', path: '/api/v4/users', access: { kind: 'system', permission: 'view_members' },
      async handler(req, res) {
        const { page, perPage } = pagination(req);
        const rows = await ctx.users.list(page, perPage);
        sendJson(res, 200, rows.map((u) => toMattermostUser(u, { sanitized: !canSeeEmail(req, u) })));
      },
    },
    {
      method: 'get', path: '/api/v4/users/:user_id', access: { kind: 'authenticated' }, duringMfaEnrolment: true,
      async handler(req, res) {
        const id = targetUserId(req);
        // A session that must enrol first sees only itself.
        if (req.principal!.mfaEnrolRequired && id !== req.principal!.userId) throw new GatewayError('MFA_REQUIRED');
        const found = await ctx.users.get(id);
        const [user] = found ? await visibleUsers(ctx, req.principal!, [found]) : [];
        if (!user) throw new GatewayError('USER_NOT_FOUND');
        const sanitized = !canSeeEmail(req, user);
        const mfaActive = sanitized ? false : await createMfaRepository(ctx.db, ctx.sealer, ctx.now).isActive(user.id);
        const botDescription = user.is_bot === 1 ? await createBotRepository(ctx.db, ctx.now).description(user.id) : undefined;
        sendJson(res, 200, toMattermostUser(user, { sanitized, mfaActive, ...(botDescription ? { botDescription } : {}) }));
      },
    },
    {
      method: 'put', path: '/api/v4/users/:user_id/roles', access: { kind: 'system', permission: 'manage_system' },
      async handler(req, res) {
        const id = targetUserId(req);
        const roles = requiredString(body(req).roles, 'roles').split(/\s+/).filter(Boolean).sort((a, b) => (a === 'system_admin' ? -1 : b === 'system_admin' ? 1 : 0));
        if (!SYSTEM_ROLE_SETS.has(roles.join(' '))) {
          throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'roles must be "system_user", "system_admin system_user" or "system_guest".', publicDetail: 'roles' });
        }
        await ctx.users.require(id);
        if (roles.includes('system_guest') && !ctx.config.guests.enabled) throw new GatewayError('GUESTS_DISABLED');
        await ctx.users.setRoles(id, roles);
        await ctx.access.invalidate(id);
        // A privilege change ends the user's sessions: each is re-established, with a new id, at the next sign-in.
        if (id !== req.principal!.userId) await ctx.sessions.revokeAllForUser(id);
        await ctx.audit.record('user.roles_changed', { actorId: req.principal!.userId, subjectId: id, details: { roles: roles.join(' ') } });
        sendJson(res, 200, { status: 'OK' });
      },
    },
    {
      method: 'delete', path: '/api/v4/users/:user_id', access: { kind: 'system', permission: 'manage_system' },
      async handler(req, res) {
        const id = targetUserId(req);
        await deactivateUser(ctx, id, req.principal!.userId);
        sendJson(res, 200, { status: 'OK' });
      },
    },
  ];
}

/** Deactivate: mark the user, end every session and token use on every node, tell chat-core. */
export async function deactivateUser(ctx: GatewayContext, userId: string, actorId: string): Promise<void> {
  await ctx.users.setDeactivated(userId, true);
  await ctx.access.invalidate(userId);
  await ctx.sessions.revokeAllForUser(userId);
  await ctx.audit.record('user.deactivated', { actorId, subjectId: userId });
  await ctx.chat.push([{ type: 'user.deactivated', user_id: userId }]);
  // Mattermost's DisableBotsWhenOwnerIsDeactivated (on by default): a departed person's bots stop too.
  const bots = createBotRepository(ctx.db, ctx.now);
  for (const bot of await bots.list({ page: 0, perPage: 200, ownerId: userId, includeDeleted: false, onlyOrphaned: false })) {
    await disableBot(ctx, bot, actorId, '');
  }
}
