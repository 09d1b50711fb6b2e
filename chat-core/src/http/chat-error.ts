/**
 * chat-core's one error type and its catalogue. `id` is the stable Mattermost-style error id a
 * client may switch on; `message` is public; `detail` is for the log only.
 */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly status: number,
    readonly id: string,
    readonly publicMessage: string,
    readonly detail = '',
    /** Shown as `detailed_error`; only for callers that are themselves trusted (provisioning). */
    readonly publicDetail = '',
  ) {
    super(`${id}: ${detail || publicMessage}`);
  }
}

export const invalidToken = (): ChatError =>
  new ChatError(401, 'invalid_token', 'Invalid or expired session, please login again.');

export const forbidden = (detail = ''): ChatError =>
  new ChatError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.', detail);

export const notFound = (id: string, message: string, detail = ''): ChatError => new ChatError(404, id, message, detail);

export const badRequest = (id: string, message: string, detail = ''): ChatError => new ChatError(400, id, message, detail);

export const invalidBody = (field: string): ChatError =>
  badRequest('api.context.invalid_body_param.app_error', `Invalid or missing ${field} in request body.`);

export const invalidUrlParam = (name: string): ChatError =>
  badRequest('api.context.invalid_url_param.app_error', `Invalid or missing ${name} parameter in request URL.`);

export const routeNotFound = (): ChatError =>
  notFound('api.context.404.app_error', 'Sorry, we could not find the page.');

export const shuttingDown = (): ChatError =>
  new ChatError(503, 'api.context.shutting_down.app_error', 'The server is shutting down.');

export const serverError = (): ChatError =>
  new ChatError(500, 'api.context.server_error.app_error', 'An internal error occurred.');

export const channelNotFound = (): ChatError =>
  notFound('app.channel.get.existing.app_error', 'Unable to find the existing channel.');

export const postNotFound = (): ChatError =>
  notFound('app.post.get.app_error', 'Unable to get the post.');
