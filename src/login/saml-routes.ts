/**
 * SAML over HTTP: start (HTTP-Redirect AuthnRequest), ACS (HTTP-POST), metadata. Mattermost's
 * paths answer for the default connector; every connector answers under `/auth/{id}/saml/…`.
 * RelayState is an opaque key to server-side state (consumed once) holding a same-site return path.
 */
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import type { SamlConnector } from '../connectors/contract.js';
import { GatewayError } from '../errors/gateway-error.js';
import { consumeRelay, createRelay } from './relay-state.js';
import { completeSsoLogin } from './sso/complete-sso-login.js';
import { renderSsoFailure } from './sso/sso-failure.js';
import { finishBrowserLogin } from '../mfa/finish-login.js';
import { completeSsoAcceptance, ssoAcceptanceFor } from '../invitations/accept.js';

async function start(ctx: GatewayContext, connector: SamlConnector, req: Request, res: Response): Promise<void> {
  const { redirectUrl } = await connector.startLogin(await createRelay(ctx, connector.id, req.query.redirect_to));
  res.setHeader('Cache-Control', 'no-store');
  res.redirect(302, redirectUrl);
}

async function acs(ctx: GatewayContext, connector: SamlConnector, req: Request, res: Response): Promise<void> {
  const b = (req.body ?? {}) as Record<string, unknown>;
  try {
    if (typeof b.SAMLResponse !== 'string') throw new GatewayError('SAML_INVALID_RESPONSE', { detail: 'no SAMLResponse in the form' });
    const result = await connector.finishLogin(b.SAMLResponse);
    const returnTo = await consumeRelay(ctx, connector.id, b.RelayState);
    // Accepting a guest invitation through this connector: the invited address, and a new account is a guest.
    const acceptance = await ssoAcceptanceFor(ctx, req, connector.id, result.identity);
    const { userId, amr } = await completeSsoLogin(ctx, acceptance?.identity ?? result.identity, { trustEmail: connector.trustEmail, allowSignup: connector.allowSignup || acceptance !== undefined }, req.ip ?? '');
    if (acceptance) await completeSsoAcceptance(ctx, req, res, acceptance, userId);
    const sso = { connectorId: connector.id, ...result.session };
    await finishBrowserLogin(ctx, req, res, { userId, amr, connectorId: connector.id, trustIdpMfa: connector.trustIdpMfa ?? false, sso }, returnTo);
  } catch (err) {
    renderSsoFailure(ctx, req, res, connector.id, err);
  }
}

function sendMetadata(res: Response, connector: SamlConnector): void {
  res.setHeader('Content-Type', 'application/samlmetadata+xml');
  res.setHeader('Cache-Control', 'public, max-age=300');
  res.end(connector.metadata());
}

export function samlRoutes(ctx: GatewayContext): RouteSpec[] {
  const byParam = (req: Request) => ctx.connectors.saml(String(req.params.connector_id));
  return [
    { method: 'get', path: '/login/sso/saml', access: { kind: 'public' }, handler: (req, res) => start(ctx, ctx.connectors.defaultSaml(), req, res) },
    { method: 'post', path: '/login/sso/saml', access: { kind: 'public' }, handler: (req, res) => acs(ctx, ctx.connectors.defaultSaml(), req, res) },
    { method: 'get', path: '/api/v4/saml/metadata', access: { kind: 'public' }, handler: (_req, res) => sendMetadata(res, ctx.connectors.defaultSaml()) },
    {
      method: 'get', path: '/api/v4/gatehouse/connectors', access: { kind: 'system', permission: 'manage_system' },
      handler: (_req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify(ctx.connectors.list())); },
    },
    { method: 'get', path: '/auth/:connector_id/saml/login', access: { kind: 'public' }, handler: (req, res) => start(ctx, byParam(req), req, res) },
    { method: 'post', path: '/auth/:connector_id/saml/acs', access: { kind: 'public' }, handler: (req, res) => acs(ctx, byParam(req), req, res) },
    { method: 'get', path: '/auth/:connector_id/saml/metadata', access: { kind: 'public' }, handler: (req, res) => sendMetadata(res, byParam(req)) },
  ];
}
