import type { Request, Response } from 'express';
import type { GatewayContext } from '../../context.js';
import { isGatewayError } from '../../errors/gateway-error.js';
import { html, page } from '../../views/html.js';

/**
 * An SSO login that was refused: a generic (or actionable, e.g. "link your account") page with the
 * 4xx status, the precise reason in the log. Anything that is not a GatewayError under 500 is rethrown.
 */
export function renderSsoFailure(ctx: GatewayContext, req: Request, res: Response, connectorId: string, err: unknown): void {
  if (!isGatewayError(err) || err.status >= 500) throw err;
  ctx.metrics.loginAttempts.inc({ result: 'failed' });
  req.log.warn({ connector: connectorId, code: err.code, reason: err.detail }, 'sso login refused');
  res.status(err.status).type('html').setHeader('Cache-Control', 'no-store');
  res.send(page('Sign-in failed', html`<h1>Sign-in failed</h1><p class="error" role="alert">${err.publicMessage}</p><p><a href="/login">Back to sign-in</a></p>`));
}
