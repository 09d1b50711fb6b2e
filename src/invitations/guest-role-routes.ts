/**
 * `POST /api/v4/users/{id}/promote` (guest → member) and `/demote` (member → guest), as Mattermost
 * has them, for system admins. Team roles follow (team_guest ↔ team_user; a demoted admin loses
 * team_admin), chat-core's mirror and channel memberships follow, and — a privilege change — the
 * user's sessions end.
 */
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { targetUserId } from '../http/params.js';
import { userUpserted } from '../directory/chat-provisioner.js';

export function guestRoleRoutes(ctx: GatewayContext): RouteSpec[] {
  const change = async (userId: string, actorId: string, toGuest: boolean) => {
    const user = await ctx.users.get(userId);
    if (!user || user.delete_at > 0) throw new GatewayError('USER_NOT_FOUND');
    const isGuest = user.roles.split(' ').includes('system_guest');
    if (isGuest === toGuest) throw new GatewayError('REQUEST_INVALID_PARAM', { message: toGuest ? 'The user is already a guest.' : 'The user is not a guest.' });
    if (toGuest && !ctx.config.guests.enabled) throw new GatewayError('GUESTS_DISABLED');
    if (toGuest && userId === actorId) throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'You cannot demote yourself.' });
    const roles = toGuest ? ['system_guest'] : ['system_user'];
    await ctx.users.setRoles(userId, roles);
    if (!toGuest) await ctx.db.updateTable('users').set({ expires_at: 0 }).where('id', '=', userId).execute();
    await ctx.db.updateTable('team_members').set({ roles: toGuest ? 'team_guest' : 'team_user', scheme_admin_by_group: 0 })
      .where('user_id', '=', userId).where('delete_at', '=', 0).execute();
    await ctx.access.invalidate(userId);
    await ctx.sessions.revokeAllForUser(userId);
    await ctx.chat.push([userUpserted(user, toGuest)]);
    await ctx.audit.record('user.roles_changed', { actorId, subjectId: userId, details: { roles: roles.join(' '), change: toGuest ? 'demoted_to_guest' : 'promoted_from_guest' } });
  };
  return [
    {
      method: 'post', path: '/api/v4/users/:user_id/promote', access: { kind: 'system', permission: 'manage_system' },
      async handler(req, res) {
        await change(targetUserId(req), req.principal!.userId, false);
        sendJson(res, 200, { status: 'OK' });
      },
    },
    {
      method: 'post', path: '/api/v4/users/:user_id/demote', access: { kind: 'system', permission: 'manage_system' },
      async handler(req, res) {
        await change(targetUserId(req), req.principal!.userId, true);
        sendJson(res, 200, { status: 'OK' });
      },
    },
  ];
}
