/** Sessions API: list and revoke (Mattermost's `/users/{id}/sessions…`). */
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { body, requiredString, targetUserId } from '../http/params.js';
import { toMattermostSession } from './session-store.js';

export function sessionRoutes(ctx: GatewayContext): RouteSpec[] {
  const access = { kind: 'self', param: 'user_id', otherPermission: 'edit_other_users' } as const;
  return [
    {
      method: 'get', path: '/api/v4/users/:user_id/sessions', access,
      async handler(req, res) {
        const sessions = await ctx.sessions.listForUser(targetUserId(req));
        sendJson(res, 200, sessions.map(toMattermostSession));
      },
    },
    {
      method: 'post', path: '/api/v4/users/:user_id/sessions/revoke', access,
      async handler(req, res) {
        const userId = targetUserId(req);
        const sessionId = requiredString(body(req).session_id, 'session_id');
        const session = await ctx.sessions.get(sessionId);
        // Someone else's session answers exactly like one that does not exist.
        if (!session || session.userId !== userId) throw new GatewayError('SESSION_NOT_FOUND');
        await ctx.sessions.revoke(sessionId);
        ctx.minter.forget(sessionId);
        await ctx.audit.record('session.revoked', { actorId: req.principal!.userId, subjectId: sessionId, ip: req.ip ?? '' });
        sendJson(res, 200, { status: 'OK' });
      },
    },
    {
      method: 'post', path: '/api/v4/users/:user_id/sessions/revoke/all', access,
      async handler(req, res) {
        const userId = targetUserId(req);
        const n = await ctx.sessions.revokeAllForUser(userId);
        await ctx.audit.record('session.revoked_all', { actorId: req.principal!.userId, subjectId: userId, ip: req.ip ?? '', details: { count: n } });
        sendJson(res, 200, { status: 'OK' });
      },
    },
  ];
}
