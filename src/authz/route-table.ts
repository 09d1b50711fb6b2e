/**
 * The route table: every gateway route declares who may call it. Routes are mounted only through
 * `mountRoutes`, which puts the access check in front of the handler; `assertEveryRouteDeclared`
 * runs at boot and refuses to start an app with a route that bypassed it.
 */
import type { Request, Response, Router, Application, RequestHandler } from 'express';
import type { Authorizer } from '../../policies/authorizer.js';
import { GatewayError } from '../errors/gateway-error.js';
import { checkCsrf, type Authenticator } from '../sessions/authenticate.js';
import { decide } from './decide.js';

export type RouteAccess =
  /** No sign-in needed (login, health, JWKS, the login page). */
  | { kind: 'public' }
  /** Any signed-in user; the handler itself limits what it shows. */
  | { kind: 'authenticated' }
  /** A permission held through system roles. */
  | { kind: 'system'; permission: string }
  /** A permission held through system roles or the caller's roles in the team named by `param`. */
  | { kind: 'team'; permission: string; param: string }
  /** The caller's own resource (`param` is their id or `me`), or anyone's with `otherPermission`; `permission`, when set, is needed even for one's own. */
  | { kind: 'self'; param: string; otherPermission: string; permission?: string };

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec {
  method: Method;
  path: string;
  access: RouteAccess;
  /** Serves a session that must set up MFA first (enrolment itself, me, logout); every other route refuses it. */
  duringMfaEnrolment?: boolean;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

const DECLARED = Symbol.for('gatehouse.route-declared');

export interface GuardDeps {
  authenticator: Authenticator;
  authorizer: Authorizer;
  strictCsrf: boolean;
}

export function guardFor(access: RouteAccess, deps: GuardDeps, duringMfaEnrolment = false): RequestHandler {
  return async (req, _res, next) => {
    if (access.kind === 'public') return next();
    const principal = await deps.authenticator.authenticate(req);
    if (!principal) throw new GatewayError('AUTHN_REQUIRED', { detail: 'no valid session or access token' });
    checkCsrf(req, principal, deps.strictCsrf);
    if (principal.mfaEnrolRequired && !duringMfaEnrolment) throw new GatewayError('MFA_REQUIRED', { detail: `${req.method} ${req.path} before MFA enrolment` });
    req.principal = principal;
    if (!allowed(access, req, deps.authorizer)) {
      throw new GatewayError('AUTHZ_FORBIDDEN', { detail: `${req.method} ${req.path} needs ${'permission' in access ? access.permission : access.kind}` });
    }
    next();
  };
}

function allowed(access: RouteAccess, req: Request, authorizer: Authorizer): boolean {
  const p = req.principal!;
  switch (access.kind) {
    case 'authenticated': return true;
    case 'system': return decide(authorizer, p, access.permission);
    case 'team': return decide(authorizer, p, access.permission, String(req.params[access.param] ?? ''));
    case 'self': {
      const target = String(req.params[access.param] ?? '');
      const own = target === 'me' || target === p.userId;
      if (access.permission && !decide(authorizer, p, access.permission)) return false;
      return own || decide(authorizer, p, access.otherPermission);
    }
    default: return false;
  }
}

export function mountRoutes(router: Router, specs: RouteSpec[], deps: GuardDeps): void {
  for (const spec of specs) {
    const handler: RequestHandler = async (req, res) => { await spec.handler(req, res); };
    Object.defineProperty(handler, DECLARED, { value: spec.access });
    router[spec.method](spec.path, guardFor(spec.access, deps, spec.duringMfaEnrolment ?? false), handler);
  }
}

interface Layer { route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] }; handle?: { stack?: Layer[] } }

/** Every (method, path) the app serves, with whether it went through `mountRoutes`. */
export function listRoutes(app: Application): { method: string; path: string; declared: boolean }[] {
  const out: { method: string; path: string; declared: boolean }[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const declared = layer.route.stack.some((l) => typeof l.handle === 'function' && DECLARED in (l.handle as object));
        for (const method of Object.keys(layer.route.methods)) out.push({ method, path: layer.route.path, declared });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

export function assertEveryRouteDeclared(app: Application): void {
  const undeclared = listRoutes(app).filter((r) => !r.declared);
  if (undeclared.length > 0) {
    throw new Error(`routes without an access declaration: ${undeclared.map((r) => `${r.method.toUpperCase()} ${r.path}`).join(', ')}`);
  }
}
