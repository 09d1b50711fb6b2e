/**
 * The second-factor pages, plain forms that work without JavaScript:
 * - `/login/mfa`: the code page between the first factor and the session (a pending sign-in);
 * - `/mfa/setup`: enrolment — a QR code and the secret as text, activated by a first code, then
 *   the recovery codes, shown once.
 */
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { startSession } from '../login/start-session.js';
import { checkCsrf } from '../sessions/authenticate.js';
import { activate, currentOrNewSecret, generateSecret, markSessionPassedMfa } from '../mfa/enrolment.js';
import { createMfaRepository } from '../mfa/mfa-repository.js';
import { clearPendingCookie, consumePendingLogin, peekPendingLogin } from '../mfa/pending-login.js';
import { verifySecondFactor } from '../mfa/verify-code.js';
import { html, page, raw, safeReturnPath } from './html.js';

const QR_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function renderCode(res: Response, formToken: string, options: { error?: string; status?: number } = {}) {
  res.setHeader('Cache-Control', 'no-store');
  res.status(options.status ?? 200).type('html').send(page('Verification code', html`
    <h1>Enter your verification code</h1>
    ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : undefined}
    <form method="post" action="/login/mfa">
      <input type="hidden" name="form_token" value="${formToken}">
      <label for="code">Code from your authenticator app</label>
      <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required autofocus>
      <button type="submit">Verify</button>
    </form>
    <p class="hint">Lost your device? Enter one of your recovery codes instead (like <code>abcde-fghjk</code>).</p>`));
}

function renderExpired(res: Response) {
  res.setHeader('Cache-Control', 'no-store');
  res.status(400).type('html').send(page('Sign-in expired', html`
    <h1>This sign-in has expired</h1><p>It was already completed, or waited too long. <a href="/login">Sign in again</a>.</p>`));
}

export function mfaPageRoutes(ctx: GatewayContext): RouteSpec[] {
  const renderSetup = async (req: Request, res: Response, options: { error?: string; status?: number; returnTo: string; sameSecret?: boolean }) => {
    const p = (await ctx.authenticator.authenticate(req))!;
    const user = await ctx.users.require(p.userId);
    // After a wrong code the app already holds this secret: show the same one again.
    const { secret, qrPng } = options.sameSecret ? await currentOrNewSecret(ctx, user) : await generateSecret(ctx, user);
    res.setHeader('Content-Security-Policy', QR_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.status(options.status ?? 200).type('html').send(page('Set up two-factor authentication', html`
      <h1>Set up two-factor authentication</h1>
      ${p.mfaEnrolRequired ? html`<p>This server requires a second factor for your account before you continue.</p>` : undefined}
      ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : undefined}
      <p>Scan this code with an authenticator app (Google Authenticator, 1Password, FreeOTP…):</p>
      <p><img alt="QR code for your authenticator app" width="240" height="240" src="data:image/png;base64,${qrPng}"></p>
      <p class="hint">Or enter this key by hand: <code>${secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
      <form method="post" action="/mfa/setup">
        <input type="hidden" name="csrf_token" value="${p.csrfToken}">
        <input type="hidden" name="return_to" value="${options.returnTo}">
        <label for="code">Code shown by the app</label>
        <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
        <button type="submit">Activate</button>
      </form>`));
  };
  return [
    {
      method: 'get', path: '/login/mfa', access: { kind: 'public' },
      async handler(req, res) {
        const pending = await peekPendingLogin(ctx, req);
        if (!pending) { renderExpired(res); return; }
        renderCode(res, pending.formToken);
      },
    },
    {
      method: 'post', path: '/login/mfa', access: { kind: 'public' },
      async handler(req, res) {
        const b = (req.body ?? {}) as Record<string, unknown>;
        const pending = await peekPendingLogin(ctx, req);
        if (!pending) { renderExpired(res); return; }
        if (b.form_token !== pending.formToken) { renderCode(res, pending.formToken, { status: 400, error: 'This form expired. Enter the code again.' }); return; }
        try {
          await verifySecondFactor(ctx, pending.userId, b.code, req.ip ?? '');
        } catch (err) {
          if (!isGatewayError(err) || err.status >= 500) throw err;
          renderCode(res, pending.formToken, { status: err.status, error: err.publicMessage });
          return;
        }
        // Single use: a second submission of the same pending sign-in finds nothing.
        const used = await consumePendingLogin(ctx, req);
        if (!used) { renderExpired(res); return; }
        clearPendingCookie(ctx, res);
        await startSession(ctx, req, res, used.userId, [...used.amr, 'otp'], used.deviceId, used.sso);
        res.redirect(303, safeReturnPath(used.returnTo));
      },
    },
    {
      method: 'get', path: '/mfa/setup', access: { kind: 'public' },
      async handler(req, res) {
        const p = await ctx.authenticator.authenticate(req);
        if (!p || p.kind !== 'session') { res.redirect(302, `/login?redirect_to=${encodeURIComponent('/mfa/setup')}`); return; }
        if (await createMfaRepository(ctx.db, ctx.sealer, ctx.now).isActive(p.userId)) {
          res.setHeader('Cache-Control', 'no-store');
          res.type('html').send(page('Two-factor authentication', html`<h1>Two-factor authentication is on</h1><p><a href="/">Continue</a></p>`));
          return;
        }
        try {
          await renderSetup(req, res, { returnTo: safeReturnPath(req.query.redirect_to) });
        } catch (err) {
          if (!isGatewayError(err) || err.status >= 500) throw err;
          res.status(err.status).type('html').send(page('Two-factor authentication', html`<h1>Two-factor authentication</h1><p class="error">${err.publicMessage}</p>`));
        }
      },
    },
    {
      method: 'post', path: '/mfa/setup', access: { kind: 'public' },
      async handler(req, res) {
        const p = await ctx.authenticator.authenticate(req);
        if (!p || p.kind !== 'session') { res.redirect(303, '/login'); return; }
        const b = (req.body ?? {}) as Record<string, unknown>;
        const returnTo = safeReturnPath(b.return_to);
        // A form cannot set headers: the CSRF token travels in the body.
        if (typeof b.csrf_token === 'string') req.headers['x-csrf-token'] = b.csrf_token;
        checkCsrf(req, p, true);
        let codes: string[];
        try {
          codes = await activate(ctx, p.userId, b.code, req.ip ?? '');
        } catch (err) {
          if (!isGatewayError(err) || err.status >= 500) throw err;
          await renderSetup(req, res, { returnTo, status: err.status, error: err.publicMessage, sameSecret: true });
          return;
        }
        await markSessionPassedMfa(ctx, p);
        res.setHeader('Cache-Control', 'no-store');
        res.type('html').send(page('Recovery codes', html`
          <h1>Two-factor authentication is on</h1>
          <p>Keep these recovery codes somewhere safe. Each works once, in place of a code, if you lose your device. They are shown only now.</p>
          <ul class="codes">${raw(codes.map((c) => html`<li><code>${c}</code></li>`.__html).join(''))}</ul>
          <p><a href="${returnTo}">Continue</a></p>`));
      },
    },
  ];
}
