/**
 * Errors out (node-oidc-provider's rule): below 500 the error is shown, anything else becomes a
 * generic server error and only the log gets the cause. Library errors (body-parser, router)
 * are translated here.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { ChatError, badRequest, serverError } from './chat-error.js';
import { contextOf, type RequestContext } from './request-context.js';
import { sendJson } from './send-json.js';

interface HttpLibraryError {
  status?: unknown;
  type?: unknown;
  expose?: unknown;
}

function translate(error: unknown): ChatError | undefined {
  if (error instanceof ChatError) return error;
  const lib = (typeof error === 'object' && error !== null ? error : {}) as HttpLibraryError;
  if (typeof lib.status !== 'number' || lib.status < 400 || lib.status >= 500) return undefined;
  switch (lib.type) {
    case 'entity.parse.failed':
      return badRequest('api.context.invalid_body_param.app_error', 'Invalid or malformed JSON in request body.');
    case 'entity.too.large':
      return new ChatError(413, 'api.context.request_body_too_large.app_error', 'The request body is too large.');
    default:
      return new ChatError(lib.status, 'api.context.invalid_request.app_error', 'The request could not be understood.', String(lib.type ?? ''));
  }
}

export function sendError(res: Response, context: RequestContext, error: ChatError): void {
  sendJson(res, error.status, {
    id: error.id,
    message: error.publicMessage,
    detailed_error: error.publicDetail,
    request_id: context.requestId,
    status_code: error.status,
  });
}

export function errorMiddleware(): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const context = contextOf(res);
    const known = translate(error);
    if (known) {
      context.log.info({ error_id: known.id, status: known.status, detail: known.detail }, 'request refused');
      return sendError(res, context, known);
    }
    context.log.error({ err: error }, 'unhandled error');
    return sendError(res, context, serverError());
  };
}
