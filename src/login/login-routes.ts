/** `POST /api/v4/users/login` and `/logout`, as Mattermost answers them. */
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { sendJson } from '../errors/respond.js';
import { toMattermostUser } from '../directory/users.js';
import { passwordLogin, type PasswordLoginDeps } from './password-login.js';
import { clearSessionCookies, startSession } from './start-session.js';

export function loginRoutes(ctx: GatewayContext, deps: PasswordLoginDeps): RouteSpec[] {
  return [
    {
      method: 'post', path: '/api/v4/users/login', access: { kind: 'public' },
      async handler(req, res) {
        const body = (req.body ?? {}) as Record<string, unknown>;
        // Mattermost's `ldap_only`: only the directories are asked.
        const only = body.ldap_only === true || body.ldap_only === 'true'
          ? { ...deps, connectors: () => deps.connectors().filter((c) => c.linking !== undefined) } : deps;
        const { userId, amr } = await passwordLogin(ctx, only, body.login_id, body.password, req.ip ?? '');
        await startSession(ctx, req, res, userId, amr, typeof body.device_id === 'string' ? body.device_id.slice(0, 128) : '');
        sendJson(res, 200, toMattermostUser(await ctx.users.require(userId)));
      },
    },
    {
      method: 'post', path: '/api/v4/users/logout', access: { kind: 'authenticated' },
      async handler(req, res) {
        const p = req.principal!;
        if (p.kind === 'session') {
          await ctx.sessions.revoke(p.sessionId);
          ctx.minter.forget(p.sessionId);
          await ctx.audit.record('logout.succeeded', { actorId: p.userId, subjectId: p.sessionId, ip: req.ip ?? '' });
        }
        clearSessionCookies(ctx, res);
        sendJson(res, 200, { status: 'OK' });
      },
    },
  ];
}
