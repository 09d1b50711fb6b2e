/** `GET /`: who is signed in, with a sign-out button (the chat web client comes later). */
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { clearSessionCookies } from '../login/start-session.js';
import { checkCsrf } from '../sessions/authenticate.js';
import { html, page, raw } from './html.js';
import { ssoLogoutRedirect } from '../login/sso/sso-logout.js';

export function homePageRoutes(ctx: GatewayContext): RouteSpec[] {
  return [
    {
      method: 'get', path: '/', access: { kind: 'public' },
      async handler(req, res) {
        const p = await ctx.authenticator.authenticate(req);
        if (!p) { res.redirect(302, '/login'); return; }
        res.setHeader('Cache-Control', 'no-store');
        const teams = await ctx.teams.listForUser(p.userId);
        const roleOf = (id: string) => (p.access.teams[id] ?? []).includes('team_admin') ? ' (team admin)' : '';
        const teamList = teams.length === 0
          ? html`<p>You are not in a team yet.</p>`
          : html`<h2>Your teams</h2><ul>${raw(teams.map((t) => html`<li>${t.display_name}${roleOf(t.id)}</li>`.__html).join(''))}</ul>`;
        res.type('html').send(page('Signed in', html`
          <h1>Signed in</h1><p>You are signed in as <strong>${p.access.username}</strong>.</p>
          ${teamList}
          <form method="post" action="/logout"><input type="hidden" name="csrf_token" value="${p.csrfToken}"><button type="submit">Sign out</button></form>`));
      },
    },
    {
      method: 'post', path: '/logout', access: { kind: 'public' },
      async handler(req, res) {
        const p = await ctx.authenticator.authenticate(req);
        let next = '/login';
        if (p?.kind === 'session') {
          // The form carries the CSRF token in its body, since a form cannot set headers.
          const sent = (req.body as Record<string, unknown> | undefined)?.csrf_token;
          if (typeof sent === 'string') req.headers['x-csrf-token'] = sent;
          checkCsrf(req, p, true);
          const session = await ctx.sessions.get(p.sessionId);
          await ctx.sessions.revoke(p.sessionId);
          ctx.minter.forget(p.sessionId);
          // An SSO session also ends at the IdP (SAML Single Logout, OIDC RP-initiated logout) when it can.
          next = (await ssoLogoutRedirect(ctx, session?.sso)) ?? next;
        }
        clearSessionCookies(ctx, res);
        res.redirect(303, next);
      },
    },
  ];
}
