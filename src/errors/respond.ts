/**
 * Turning errors into responses. Rule (after oidc-provider's err_out): errors under 500 are shown;
 * anything else becomes a generic server error, and only the log learns more.
 */
import type { Request, Response, NextFunction } from 'express';
import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from './gateway-error.js';

/** Mattermost's error body: `{ id, message, detailed_error, request_id, status_code }`. */
export function mattermostErrorBody(err: GatewayError, requestId: string) {
  return { id: err.mattermostId, message: err.publicMessage, detailed_error: err.publicDetail, request_id: requestId, status_code: err.status };
}

/** Translate anything thrown into a GatewayError, so nothing unclassified reaches a client. */
export function toGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.parse.failed') return new GatewayError('REQUEST_INVALID_JSON', { cause: err });
  if (e?.type === 'entity.too.large') return new GatewayError('REQUEST_TOO_LARGE', { cause: err });
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new GatewayError('REQUEST_INVALID_PARAM', { cause: err, detail: String((err as Error).message) });
  return new GatewayError('SERVER_ERROR', { cause: err });
}

export function sendJson(res: Response, status: number, body: unknown): void {
  // Exactly `application/json`: @mattermost/client parses nothing else (STACK.md).
  res.status(status).setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

export function errorMiddleware(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const error = toGatewayError(err);
    const log = req.log ?? logger;
    if (error.status >= 500) log.error({ err: err instanceof Error ? err : String(err), code: error.code }, 'request failed');
    else log.info({ code: error.code, reason: error.detail }, 'request refused');
    if (res.headersSent) { res.end(); return; }
    const requestId = req.requestId ?? '';
    if (wantsHtml(req)) {
      res.status(error.status).type('html').send(errorPage(error, requestId));
      return;
    }
    sendJson(res, error.status, mattermostErrorBody(error, requestId));
  };
}

function wantsHtml(req: Request): boolean {
  return !req.path.startsWith('/api/') && req.accepts(['json', 'html']) === 'html';
}

function errorPage(error: GatewayError, requestId: string): string {
  const msg = error.publicMessage.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gatehouse</title></head><body><main><h1>Something went wrong</h1><p>${msg}</p><p><small>Request id ${requestId}</small></p><p><a href="/login">Back to sign-in</a></p></main></body></html>`;
}
