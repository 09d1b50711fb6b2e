/**
 * Per-request context: a request id (the gateway's, when it sent a well-formed one), a child
 * logger carrying it, and — once authenticated — the verified claims.
 */
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { AssertionClaims } from '../../contract.js';
import { newId } from '../store/ids.js';
import { SERVER_VERSION } from '../version.js';

export interface RequestContext {
  requestId: string;
  log: Logger;
  claims?: AssertionClaims;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

export function requestContext(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : newId();
    const log = logger.child({ request_id: requestId });
    const context: RequestContext = { requestId, log };
    res.locals.context = context;
    res.setHeader('X-Request-ID', requestId);
    res.setHeader('X-Version-Id', SERVER_VERSION);
    const started = performance.now();
    res.on('finish', () => {
      const duration_ms = Math.round((performance.now() - started) * 10) / 10;
      log.info({ method: req.method, path: req.path, status: res.statusCode, duration_ms }, 'request');
    });
    next();
  };
}

export function contextOf(res: Response): RequestContext {
  const context = res.locals.context as RequestContext | undefined;
  if (!context) throw new Error('request context missing: requestContext() must run first');
  return context;
}

/** The verified claims; only routes behind the authenticator may call this. */
export function claimsOf(res: Response): AssertionClaims {
  const claims = contextOf(res).claims;
  if (!claims) throw new Error('claims missing: route is not behind the authenticator');
  return claims;
}
