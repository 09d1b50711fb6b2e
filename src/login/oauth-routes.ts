/**
 * OpenID Connect and OAuth 2.0 over HTTP: `/auth/{id}/start`, `/auth/{id}/callback` (query and
 * form_post), Mattermost's `/oauth/{service}/login` and `/signup/{service}/complete` for the
 * connector that serves that service, and the OIDC back-channel logout endpoint.
 */
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import type { OAuthConnector } from '../connectors/contract.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { completeSsoLogin } from './sso/complete-sso-login.js';
import type { SsoSessionRef } from '../sessions/session-store.js';
import { refreshSealContext } from './sso/sso-recheck.js';
import { completeSsoAcceptance, ssoAcceptanceFor } from '../invitations/accept.js';
import { renderSsoFailure } from './sso/sso-failure.js';
import { consumeRelay, createRelay } from './relay-state.js';
import { finishBrowserLogin } from '../mfa/finish-login.js';

async function start(ctx: GatewayContext, connector: OAuthConnector, req: Request, res: Response): Promise<void> {
  const { redirectUrl } = await connector.startLogin(await createRelay(ctx, connector.id, req.query.redirect_to));
  res.setHeader('Cache-Control', 'no-store');
  res.redirect(302, redirectUrl);
}

async function callback(ctx: GatewayContext, connector: OAuthConnector, req: Request, res: Response): Promise<void> {
  try {
    const body = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const result = await connector.finishLogin({ url: `${ctx.config.siteUrl}${req.originalUrl}`, body });
    const returnTo = await consumeRelay(ctx, connector.id, result.relay);
    // Accepting a guest invitation through this connector: the invited address, and a new account is a guest.
    const acceptance = await ssoAcceptanceFor(ctx, req, connector.id, result.identity);
    const { userId, amr } = await completeSsoLogin(ctx, acceptance?.identity ?? result.identity, { trustEmail: connector.trustEmail, allowSignup: connector.allowSignup || acceptance !== undefined }, req.ip ?? '');
    if (acceptance) await completeSsoAcceptance(ctx, req, res, acceptance, userId);
    const sso: SsoSessionRef = { connectorId: connector.id, nameId: result.session.sub, nameIdFormat: connector.kind, sessionIndex: result.session.sid ?? '', ...(result.session.idToken ? { idToken: result.session.idToken } : {}) };
    // A connector that re-checks users keeps the refresh token with the session, sealed.
    if (connector.recheck && result.session.refreshToken) Object.assign(sso, { refreshTokenSealed: ctx.sealer.seal(result.session.refreshToken, refreshSealContext(connector.id, result.session.sub)), checkedAt: ctx.now() });
    await finishBrowserLogin(ctx, req, res, { userId, amr, connectorId: connector.id, trustIdpMfa: connector.trustIdpMfa ?? false, sso }, returnTo);
  } catch (err) {
    renderSsoFailure(ctx, req, res, connector.id, err);
  }
}

/** Back-Channel Logout 1.0 §2.8: 200 on success, 400 with an OAuth error body otherwise; never cached. */
async function backchannelLogout(ctx: GatewayContext, connector: OAuthConnector, req: Request, res: Response): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  const token = (req.body as Record<string, unknown> | undefined)?.logout_token;
  try {
    if (!connector.verifyLogoutToken) throw new Error('this connector has no back-channel logout');
    if (typeof token !== 'string') throw new Error('no logout_token in the form');
    const { sub, sid } = await connector.verifyLogoutToken(token);
    const sessions = sid ? await ctx.sessions.findBySsoIndex(connector.id, sid) : await ctx.sessions.findBySso(connector.id, sub!);
    const matching = sessions.filter((s) => !sub || s.sso?.nameId === sub);
    for (const s of matching) {
      await ctx.sessions.revoke(s.id);
      await ctx.audit.record('session.revoked', { subjectId: s.id, details: { connector: connector.id, via: 'oidc_backchannel_logout' } });
    }
    req.log.info({ connector: connector.id, revoked: matching.length }, 'back-channel logout');
    res.status(200).end();
  } catch (err) {
    req.log.warn({ connector: connector.id, reason: isGatewayError(err) ? err.detail : (err as Error).message }, 'back-channel logout refused');
    res.status(400).setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ error: 'invalid_request', error_description: 'The logout token could not be verified.' }));
  }
}

export function oauthRoutes(ctx: GatewayContext): RouteSpec[] {
  const byId = (req: Request) => ctx.connectors.oauth(String(req.params.connector_id));
  const byService = (req: Request) => ctx.connectors.oauthForService(String(req.params.service));
  return [
    { method: 'get', path: '/auth/:connector_id/start', access: { kind: 'public' }, handler: (req, res) => start(ctx, byId(req), req, res) },
    { method: 'get', path: '/auth/:connector_id/callback', access: { kind: 'public' }, handler: (req, res) => callback(ctx, byId(req), req, res) },
    { method: 'post', path: '/auth/:connector_id/callback', access: { kind: 'public' }, handler: (req, res) => callback(ctx, byId(req), req, res) },
    { method: 'post', path: '/auth/:connector_id/backchannel-logout', access: { kind: 'public' }, handler: (req, res) => backchannelLogout(ctx, byId(req), req, res) },
    { method: 'get', path: '/oauth/:service/login', access: { kind: 'public' }, handler: (req, res) => start(ctx, byService(req), req, res) },
    { method: 'get', path: '/signup/:service/complete', access: { kind: 'public' }, handler: (req, res) => callback(ctx, byService(req), req, res) },
  ];
}
