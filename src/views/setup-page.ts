/**
 * First-run setup: when no system admin exists and none is configured, boot prints a one-time link
 * (single use, 1 hour) to this page, which creates the first admin and signs them in.
 */
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';
import { hashToken } from '../sessions/session-store.js';
import { checkPasswordPolicy } from '../login/password-policy.js';
import { hashPassword } from '../login/passwords.js';
import { startSession } from '../login/start-session.js';
import { validateNewUser } from '../directory/users.js';
import { newSecret } from '../http/ids.js';
import { html, page } from './html.js';

export const SETUP_TTL_MS = 60 * 60_000;
const setupKey = (token: string) => `setup-token:${hashToken(token)}`;

/** Create a setup token and return the link to print. */
export async function createSetupLink(ctx: GatewayContext): Promise<string> {
  const token = newSecret();
  await ctx.store.set(setupKey(token), '1', SETUP_TTL_MS);
  return `${ctx.config.siteUrl}/setup?token=${token}`;
}

function renderSetup(res: Response, token: string, options: { error?: string; email?: string; username?: string; status?: number } = {}) {
  res.setHeader('Cache-Control', 'no-store');
  res.status(options.status ?? 200).type('html').send(page('Set up', html`
    <h1>Create the first administrator</h1>
    <p class="hint">This link works once, for one hour.</p>
    ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : undefined}
    <form method="post" action="/setup">
      <input type="hidden" name="token" value="${token}">
      <label for="email">Email</label><input id="email" name="email" type="email" required value="${options.email ?? ''}">
      <label for="username">Username</label><input id="username" name="username" required value="${options.username ?? ''}">
      <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="new-password" required>
      <button type="submit">Create administrator</button>
    </form>`));
}

export function setupPageRoutes(ctx: GatewayContext): RouteSpec[] {
  return [
    {
      method: 'get', path: '/setup', access: { kind: 'public' },
      async handler(req: Request, res: Response) {
        const token = typeof req.query.token === 'string' ? req.query.token : '';
        if (!token || !(await ctx.store.get(setupKey(token))) || (await ctx.users.countAdmins()) > 0) throw new GatewayError('SETUP_INVALID');
        renderSetup(res, token);
      },
    },
    {
      method: 'post', path: '/setup', access: { kind: 'public' },
      async handler(req: Request, res: Response) {
        const b = (req.body ?? {}) as Record<string, string | undefined>;
        const token = b.token ?? '';
        const email = b.email ?? '';
        const username = b.username ?? '';
        try {
          validateNewUser({ email, username });
          checkPasswordPolicy(b.password, ctx.config.passwordPolicy, { email, username });
        } catch (err) {
          if (!isGatewayError(err)) throw err;
          renderSetup(res, token, { error: err.publicMessage, email, username, status: 400 });
          return;
        }
        // Consumed atomically: two racing submissions cannot both create an admin.
        if (!token || !(await ctx.store.consume(setupKey(token))) || (await ctx.users.countAdmins()) > 0) throw new GatewayError('SETUP_INVALID');
        const user = await ctx.users.create({ email, username, roles: ['system_admin', 'system_user'], passwordHash: await hashPassword(b.password!) });
        await ctx.audit.record('setup.admin_created', { actorId: user.id, subjectId: user.id, ip: req.ip ?? '' });
        await startSession(ctx, req, res, user.id, ['pwd']);
        res.redirect(303, '/');
      },
    },
  ];
}
