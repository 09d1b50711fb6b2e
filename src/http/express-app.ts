/** The Express application for everything the gateway serves itself (not the proxied chat paths). */
import express, { type Application } from 'express';
import type { GatewayContext } from '../context.js';
import { assertEveryRouteDeclared, mountRoutes, type RouteSpec } from '../authz/route-table.js';
import { GatewayError } from '../errors/gateway-error.js';
import { errorMiddleware } from '../errors/respond.js';
import { createLocalConnector } from '../connectors/local/local-connector.js';
import { createLockout } from '../login/lockout.js';
import { loginRoutes } from '../login/login-routes.js';
import { userRoutes } from '../directory/user-routes.js';
import { teamRoutes } from '../directory/team-routes.js';
import { sessionRoutes } from '../sessions/session-routes.js';
import { tokenRoutes } from '../tokens/token-routes.js';
import { botRoutes } from '../bots/bot-routes.js';
import { jwksRoutes } from '../keys/jwks-routes.js';
import { opsRoutes } from './ops-routes.js';
import { loginPageRoutes } from '../views/login-page.js';
import { setupPageRoutes } from '../views/setup-page.js';
import { homePageRoutes } from '../views/home-page.js';
import { samlRoutes } from '../login/saml-routes.js';
import { samlLogoutRoutes } from '../login/saml-logout-routes.js';
import { oauthRoutes } from '../login/oauth-routes.js';
import { groupRoutes } from '../directory/group-routes.js';
import { userDirectoryRoutes } from '../directory/user-directory-routes.js';
import { mfaRoutes } from '../mfa/mfa-routes.js';
import { mfaPageRoutes } from '../views/mfa-pages.js';
import { inviteRoutes } from '../invitations/invite-routes.js';
import { guestRoleRoutes } from '../invitations/guest-role-routes.js';
import { guestSignupRoutes } from '../views/guest-signup-page.js';

/** Every route the gateway serves itself, in one table. */
export function gatewayRoutes(ctx: GatewayContext, chatUrl: string): RouteSpec[] {
  const local = createLocalConnector(ctx.users);
  const directories = ctx.connectors.ldap();
  const password = { connectors: () => [local, ...directories], lockout: createLockout(ctx.store, { maxAttempts: ctx.config.login.maxAttempts, lockoutMs: ctx.config.login.lockoutMinutes * 60_000 }) };
  return [
    ...opsRoutes(ctx, chatUrl),
    ...jwksRoutes(ctx),
    ...loginRoutes(ctx, password),
    ...samlRoutes(ctx),
    ...samlLogoutRoutes(ctx),
    ...oauthRoutes(ctx),
    ...tokenRoutes(ctx),
    ...botRoutes(ctx),
    ...sessionRoutes(ctx),
    ...teamRoutes(ctx),
    ...groupRoutes(ctx),
    ...mfaRoutes(ctx),
    ...mfaPageRoutes(ctx),
    ...inviteRoutes(ctx),
    ...guestRoleRoutes(ctx),
    ...guestSignupRoutes(ctx),
    // Before userRoutes: /users/autocomplete and /users/search would otherwise read as /users/:user_id.
    ...userDirectoryRoutes(ctx),
    ...userRoutes(ctx),
    ...loginPageRoutes(ctx, password),
    ...setupPageRoutes(ctx),
    ...homePageRoutes(ctx),
  ];
}

export function buildExpressApp(ctx: GatewayContext, chatUrl: string): Application {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    req.log = ctx.logger.child({ request_id: req.requestId });
    const started = performance.now();
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      ctx.metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, (performance.now() - started) / 1000);
      req.log.info({ method: req.method, route, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    next();
  });
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  const router = express.Router();
  mountRoutes(router, gatewayRoutes(ctx, chatUrl), { authenticator: ctx.authenticator, authorizer: ctx.authorizer, strictCsrf: ctx.config.sessions.strictCsrf });
  app.use(router);
  app.use((_req, _res, next) => next(new GatewayError('REQUEST_NOT_FOUND')));
  app.use(errorMiddleware(ctx.logger));
  assertEveryRouteDeclared(app);
  return app;
}
