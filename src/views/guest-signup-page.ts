/**
 * `/signup/guest?token=…`: accepting a guest invitation, a plain form (no JavaScript). The invited
 * person picks a username and a password (the password policy applies) and becomes a guest of the
 * invited channels only: `system_guest`, `team_guest` in the team, `channel_guest` in each channel
 * (through chat-core provisioning). An address that already has an account must be signed in as
 * that account to accept. The token is used once; a session starts (MFA policy applies). Connectors
 * in `guests.ssoConnectors` are offered too (`/signup/guest/sso` → the connector's sign-in; see
 * src/invitations/accept.ts).
 */
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { getCookie, serializeCookie } from '../http/cookies.js';
import { newSecret } from '../http/ids.js';
import { checkPasswordPolicy } from '../login/password-policy.js';
import { hashPassword } from '../login/passwords.js';
import { beginSsoAcceptance, provisionInvitation } from '../invitations/accept.js';
import { createInvitationRepository, type InvitationRow } from '../invitations/invitations.js';
import { finishBrowserLogin } from '../mfa/finish-login.js';
import { html, page, raw } from './html.js';

const FORM_COOKIE = 'gh_guest_form';
const PATH = '/signup/guest';

function renderInvalid(res: Response) {
  res.setHeader('Cache-Control', 'no-store');
  res.status(404).type('html').send(page('Invitation', html`
    <h1>This invitation cannot be used</h1><p>The link is invalid, was already used, was revoked or has expired. Ask the person who invited you for a new invitation.</p>`));
}

export function guestSignupRoutes(ctx: GatewayContext): RouteSpec[] {
  const invitations = createInvitationRepository(ctx.db, ctx.now);
  const renderForm = (res: Response, token: string, inv: InvitationRow, options: { error?: string; username?: string; status?: number } = {}) => {
    const formToken = newSecret();
    res.append('Set-Cookie', serializeCookie(FORM_COOKIE, formToken, { httpOnly: true, secure: ctx.config.siteUrl.startsWith('https://'), sameSite: 'Strict', maxAgeSeconds: 3600, path: PATH }));
    res.setHeader('Cache-Control', 'no-store');
    res.status(options.status ?? 200).type('html').send(page('Accept invitation', html`
      <h1>Join as a guest</h1>
      <p>You were invited as <strong>${inv.email}</strong>. Choose a username and a password.</p>
      ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : undefined}
      <form method="post" action="${PATH}">
        <input type="hidden" name="token" value="${token}">
        <input type="hidden" name="form_token" value="${formToken}">
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required value="${options.username ?? ''}">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required>
        <button type="submit">Accept invitation</button>
      </form>
      ${ssoLinks(token)}`));
  };
  /** One link per SSO connector guests may accept with (plain links: no JavaScript needed). */
  const ssoLinks = (token: string) => {
    const allowed = new Set(ctx.config.guests.ssoConnectors);
    const list = ctx.connectors.list().filter((c) => allowed.has(c.id));
    if (list.length === 0) return undefined;
    return raw(`<p class="hint">Or accept with your organisation's sign-in:</p>${list.map((c) => html`<a class="sso" style="background:${c.buttonColor}" href="${PATH}/sso?token=${encodeURIComponent(token)}&connector=${encodeURIComponent(c.id)}">${c.displayName}</a>`.__html).join('')}`);
  };

  return [
    {
      method: 'get', path: PATH, access: { kind: 'public' },
      async handler(req: Request, res: Response) {
        const token = typeof req.query.token === 'string' ? req.query.token : '';
        const inv = ctx.config.guests.enabled ? await invitations.findLive(token) : undefined;
        if (!inv) { renderInvalid(res); return; }
        renderForm(res, token, inv);
      },
    },
    {
      method: 'get', path: `${PATH}/sso`, access: { kind: 'public' },
      async handler(req: Request, res: Response) {
        const token = typeof req.query.token === 'string' ? req.query.token : '';
        const connectorId = typeof req.query.connector === 'string' ? req.query.connector : '';
        const inv = ctx.config.guests.enabled ? await invitations.findLive(token) : undefined;
        const summary = ctx.connectors.list().find((c) => c.id === connectorId);
        if (!inv || !summary || !ctx.config.guests.ssoConnectors.includes(connectorId)) { renderInvalid(res); return; }
        await beginSsoAcceptance(ctx, res, inv, connectorId);
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(302, `${summary.startPath}?redirect_to=%2F`);
      },
    },
    {
      method: 'post', path: PATH, access: { kind: 'public' },
      async handler(req: Request, res: Response) {
        const b = (req.body ?? {}) as Record<string, unknown>;
        const token = typeof b.token === 'string' ? b.token : '';
        const inv = ctx.config.guests.enabled ? await invitations.findLive(token) : undefined;
        if (!inv) { renderInvalid(res); return; }
        const expected = getCookie(req, FORM_COOKIE);
        if (!expected || b.form_token !== expected) { renderForm(res, token, inv, { status: 400, error: 'This form expired. Please try again.' }); return; }
        const existing = await ctx.users.findByEmail(inv.email);
        if (existing) {
          // The owner of the address must be signed in as that account; then the invitation adds its channels.
          const p = await ctx.authenticator.authenticate(req);
          if (!p || p.userId !== existing.id) {
            res.status(409).type('html').send(page('Invitation', html`
              <h1>Sign in first</h1><p>An account with the address ${inv.email} already exists. <a href="/login?redirect_to=${encodeURIComponent(`${PATH}?token=${token}`)}">Sign in</a> with it, then open the invitation link again.</p>`));
            return;
          }
          if (!(await invitations.consume(inv.id, existing.id))) { renderInvalid(res); return; }
          await provisionInvitation(ctx, existing.id, inv);
          await ctx.audit.record('invitation.accepted', { actorId: existing.id, subjectId: inv.id, details: { existing_account: true } });
          res.redirect(303, '/');
          return;
        }
        const username = typeof b.username === 'string' ? b.username.trim() : '';
        let userId: string;
        try {
          const password = checkPasswordPolicy(b.password, ctx.config.passwordPolicy, { username, email: inv.email });
          const days = ctx.config.guests.accountDays;
          const user = await ctx.users.create({
            username, email: inv.email, emailVerified: true, roles: ['system_guest'], passwordHash: await hashPassword(password),
            ...(days > 0 ? { expiresAt: ctx.now() + days * 86_400_000 } : {}),
          });
          userId = user.id;
        } catch (err) {
          if (!isGatewayError(err) || err.status >= 500) throw err;
          renderForm(res, token, inv, { status: err.status, error: err.publicMessage, username });
          return;
        }
        // Used once: a second acceptance racing this one loses, and its half-made account goes.
        if (!(await invitations.consume(inv.id, userId))) {
          await ctx.db.deleteFrom('users').where('id', '=', userId).execute();
          renderInvalid(res);
          return;
        }
        await provisionInvitation(ctx, userId, inv);
        await ctx.audit.record('user.created', { subjectId: userId, details: { source: 'guest_invitation', invitation_id: inv.id } });
        await ctx.audit.record('invitation.accepted', { actorId: userId, subjectId: inv.id });
        await finishBrowserLogin(ctx, req, res, { userId, amr: ['pwd'], connectorId: 'local' }, '/');
      },
    },
  ];
}
