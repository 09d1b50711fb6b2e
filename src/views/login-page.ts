/** `GET /login` and `POST /login`: the password form, with a double-submit token against login CSRF. */
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { getCookie, serializeCookie } from '../http/cookies.js';
import { newSecret } from '../http/ids.js';
import { passwordLogin, type PasswordLoginDeps } from '../login/password-login.js';
import { finishBrowserLogin } from '../mfa/finish-login.js';
import { html, page, raw, safeReturnPath } from './html.js';

const FORM_COOKIE = 'gh_login_form';

/** One link-button per connector: plain links, so they work without JavaScript. */
function ssoButtons(ctx: GatewayContext, returnTo: string) {
  const list = ctx.connectors.list();
  if (list.length === 0) return undefined;
  const q = returnTo === '/' ? '' : `?redirect_to=${encodeURIComponent(returnTo)}`;
  const buttons = list.map((c) => html`<a class="sso" href="${c.startPath}${q}" style="background:${c.buttonColor}">${c.displayName}</a>`.__html).join('');
  return html`<p class="hint">or</p><nav aria-label="Single sign-on">${raw(buttons)}</nav>`;
}

function renderLogin(res: Response, ctx: GatewayContext, options: { returnTo: string; error?: string; loginId?: string; status?: number }) {
  const token = newSecret();
  res.append('Set-Cookie', serializeCookie(FORM_COOKIE, token, { httpOnly: true, secure: ctx.config.siteUrl.startsWith('https://'), sameSite: 'Strict', maxAgeSeconds: 3600, path: '/login' }));
  res.setHeader('Cache-Control', 'no-store');
  res.status(options.status ?? 200).type('html').send(page('Sign in', html`
    <h1>Sign in to Gatehouse</h1>
    ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : undefined}
    <form method="post" action="/login">
      <input type="hidden" name="form_token" value="${token}">
      <input type="hidden" name="return_to" value="${options.returnTo}">
      <label for="login_id">Email or username</label>
      <input id="login_id" name="login_id" autocomplete="username" required value="${options.loginId ?? ''}">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Sign in</button>
    </form>
    ${ssoButtons(ctx, options.returnTo)}`));
}

export function loginPageRoutes(ctx: GatewayContext, deps: PasswordLoginDeps): RouteSpec[] {
  return [
    {
      method: 'get', path: '/login', access: { kind: 'public' },
      handler(req: Request, res: Response) { renderLogin(res, ctx, { returnTo: safeReturnPath(req.query.redirect_to) }); },
    },
    {
      method: 'post', path: '/login', access: { kind: 'public' },
      async handler(req: Request, res: Response) {
        const b = (req.body ?? {}) as Record<string, unknown>;
        const returnTo = safeReturnPath(b.return_to);
        const loginId = typeof b.login_id === 'string' ? b.login_id : '';
        const expected = getCookie(req, FORM_COOKIE);
        if (!expected || b.form_token !== expected) {
          renderLogin(res, ctx, { returnTo, loginId, status: 400, error: 'This form expired. Please sign in again.' });
          return;
        }
        try {
          const { userId, amr, connectorId } = await passwordLogin(ctx, deps, b.login_id, b.password, req.ip ?? '');
          await finishBrowserLogin(ctx, req, res, { userId, amr, connectorId }, returnTo);
        } catch (err) {
          if (!isGatewayError(err) || err.status >= 500) throw err;
          renderLogin(res, ctx, { returnTo, loginId, status: err.status, error: err.publicMessage });
        }
      },
    },
  ];
}
