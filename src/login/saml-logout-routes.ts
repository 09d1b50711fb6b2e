/**
 * SAML Single Logout at `/auth/{id}/saml/slo` (Redirect and POST bindings). An IdP LogoutRequest
 * (which must be signed — the connector refuses it otherwise) revokes the matching sessions on every
 * node and is answered with a signed LogoutResponse; a LogoutResponse ends our own SP-initiated logout.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import type { SamlConnector, SamlLogoutInput, SamlOutgoing } from '../connectors/contract.js';
import { html, page } from '../views/html.js';

function inputOf(req: Request): { input: SamlLogoutInput; kind: 'request' | 'response' } {
  if (req.method === 'GET') {
    const q = req.url.indexOf('?');
    const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
    return { input: { binding: 'redirect', rawQuery }, kind: typeof req.query.SAMLRequest === 'string' ? 'request' : 'response' };
  }
  const body = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  return { input: { binding: 'post', body }, kind: body.SAMLRequest ? 'request' : 'response' };
}

const AUTO_POST = 'document.forms[0].submit()';
const AUTO_POST_HASH = createHash('sha256').update(AUTO_POST).digest('base64');

export function sendSamlOutgoing(res: Response, out: SamlOutgoing): void {
  res.setHeader('Cache-Control', 'no-store');
  if (out.binding === 'redirect') { res.redirect(302, out.url); return; }
  // Auto-POST form; the button makes it work without JavaScript.
  const fields = Object.entries(out.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`.__html).join('');
  res.setHeader('Content-Security-Policy', `default-src 'none'; script-src 'sha256-${AUTO_POST_HASH}'; form-action ${new URL(out.url).origin}; style-src 'unsafe-inline'`);
  res.type('html').send(page('Signing out', html`<form method="post" action="${out.url}">${{ __html: fields }}<button type="submit">Continue</button></form><script>${{ __html: AUTO_POST }}</script>`));
}

async function handleSlo(ctx: GatewayContext, connector: SamlConnector, req: Request, res: Response): Promise<void> {
  const { input, kind } = inputOf(req);
  if (kind === 'response') {
    await connector.receiveLogoutResponse(input);
    res.redirect(303, '/login');
    return;
  }
  const request = await connector.receiveLogoutRequest(input);
  const sessions = await ctx.sessions.findBySso(connector.id, request.nameId);
  const matching = sessions.filter((s) => request.sessionIndexes.length === 0 || request.sessionIndexes.includes(s.sso?.sessionIndex ?? ''));
  for (const s of matching) {
    await ctx.sessions.revoke(s.id);
    await ctx.audit.record('session.revoked', { subjectId: s.id, details: { connector: connector.id, via: 'saml_slo' } });
  }
  req.log.info({ connector: connector.id, revoked: matching.length }, 'idp-initiated logout');
  sendSamlOutgoing(res, request.respond(true));
}

export function samlLogoutRoutes(ctx: GatewayContext): RouteSpec[] {
  const run = (req: Request, res: Response) => handleSlo(ctx, ctx.connectors.saml(String(req.params.connector_id)), req, res);
  return [
    { method: 'get', path: '/auth/:connector_id/saml/slo', access: { kind: 'public' }, handler: run },
    { method: 'post', path: '/auth/:connector_id/saml/slo', access: { kind: 'public' }, handler: run },
  ];
}
