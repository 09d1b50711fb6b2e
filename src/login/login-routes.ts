/** `POST /api/v4/users/login` and `/logout`, as Mattermost answers them. */
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { sendJson } from '../errors/respond.js';
import { toMattermostUser } from '../directory/users.js';
import { passwordLogin, type PasswordLoginDeps } from './password-login.js';
import { GatewayError } from '../errors/gateway-error.js';
import { secondFactorFor } from '../mfa/policy.js';
import { verifySecondFactor } from '../mfa/verify-code.js';
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
        const { userId, amr, connectorId } = await passwordLogin(ctx, only, body.login_id, body.password, req.ip ?? '');
        const deviceId = typeof body.device_id === 'string' ? body.device_id.slice(0, 128) : '';
        // Mattermost's second factor: the `token` field of the same request.
        const next = await secondFactorFor(ctx, userId, { connectorId, idpMfa: false });
        let sessionAmr = amr;
        if (next.kind === 'verify') {
          if (body.token === undefined || body.token === '') throw new GatewayError('MFA_TOKEN_REQUIRED', { detail: `user ${userId} has MFA` });
          await verifySecondFactor(ctx, userId, body.token, req.ip ?? '');
          sessionAmr = [...amr, 'otp'];
        }
        await startSession(ctx, req, res, userId, sessionAmr, deviceId, undefined, { mfaEnrolRequired: next.kind === 'enrol' });
        sendJson(res, 200, toMattermostUser(await ctx.users.require(userId), { mfaActive: next.kind === 'verify' }));
      },
    },
    {
      method: 'post', path: '/api/v4/users/logout', access: { kind: 'authenticated' }, duringMfaEnrolment: true,
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
