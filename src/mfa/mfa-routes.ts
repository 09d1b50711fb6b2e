/**
 * Mattermost's MFA API: `POST /users/mfa` (does this login id need a code?), `POST
 * /users/{id}/mfa/generate` (a new secret and its QR code), `PUT /users/{id}/mfa` (activate with a
 * code, or turn off), and Gatehouse's `POST /users/{id}/mfa/recovery_codes`. Enrolment needs a
 * session (not an access token) of the user themself; turning someone else's MFA off (a reset)
 * needs `edit_other_users`.
 */
import type { Request } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { decide } from '../authz/decide.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { body, targetUserId } from '../http/params.js';
import { createMfaRepository } from './mfa-repository.js';
import { activate, deactivate, generateSecret, markSessionPassedMfa, regenerateRecoveryCodes } from './enrolment.js';

export function mfaRoutes(ctx: GatewayContext): RouteSpec[] {
  const ownSession = (req: Request): string => {
    const p = req.principal!;
    const id = targetUserId(req);
    if (id !== p.userId) throw new GatewayError('AUTHZ_FORBIDDEN', { detail: 'MFA enrolment is for one\'s own account' });
    if (p.kind !== 'session') throw new GatewayError('AUTHZ_FORBIDDEN', { detail: 'MFA enrolment needs a session, not an access token' });
    return id;
  };
  return [
    {
      method: 'post', path: '/api/v4/users/mfa', access: { kind: 'public' },
      async handler(req, res) {
        const loginId = body(req).login_id;
        if (typeof loginId !== 'string' || loginId.trim() === '') throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'login_id is required.', publicDetail: 'login_id' });
        const user = loginId.length <= 320 ? await ctx.users.findByLoginId(loginId) : undefined;
        const active = user && ctx.config.mfa.mode !== 'off' ? await createMfaRepository(ctx.db, ctx.sealer, ctx.now).isActive(user.id) : false;
        sendJson(res, 200, { mfa_required: active });
      },
    },
    {
      method: 'post', path: '/api/v4/users/:user_id/mfa/generate', access: { kind: 'authenticated' }, duringMfaEnrolment: true,
      async handler(req, res) {
        const user = await ctx.users.require(ownSession(req));
        const { secret, qrPng } = await generateSecret(ctx, user);
        res.setHeader('Cache-Control', 'no-store');
        sendJson(res, 200, { secret, qr_code: qrPng });
      },
    },
    {
      method: 'put', path: '/api/v4/users/:user_id/mfa', access: { kind: 'authenticated' }, duringMfaEnrolment: true,
      async handler(req, res) {
        const b = body(req);
        if (typeof b.activate !== 'boolean') throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'activate must be true or false.', publicDetail: 'activate' });
        const p = req.principal!;
        const id = targetUserId(req);
        if (b.activate) {
          ownSession(req);
          const codes = await activate(ctx, id, b.code, req.ip ?? '');
          await markSessionPassedMfa(ctx, req.principal!);
          res.setHeader('Cache-Control', 'no-store');
          sendJson(res, 200, { status: 'OK', recovery_codes: codes });
          return;
        }
        const byAdmin = id !== p.userId;
        if (byAdmin && (p.mfaEnrolRequired || !decide(ctx.authorizer, p, 'edit_other_users'))) throw new GatewayError('AUTHZ_FORBIDDEN', { detail: 'resetting another user\'s MFA needs edit_other_users' });
        if (!byAdmin) ownSession(req);
        await deactivate(ctx, await ctx.users.require(id), { actorId: p.userId, byAdmin, code: b.code, ip: req.ip ?? '' });
        sendJson(res, 200, { status: 'OK' });
      },
    },
    {
      method: 'post', path: '/api/v4/users/:user_id/mfa/recovery_codes', access: { kind: 'authenticated' },
      async handler(req, res) {
        const codes = await regenerateRecoveryCodes(ctx, ownSession(req), body(req).code, req.ip ?? '');
        res.setHeader('Cache-Control', 'no-store');
        sendJson(res, 200, { recovery_codes: codes });
      },
    },
  ];
}
