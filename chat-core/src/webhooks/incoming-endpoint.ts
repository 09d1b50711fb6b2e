/**
 * POST /hooks/{hook_id}: the public incoming-webhook endpoint (contract.ts INCOMING_HOOK_PREFIX). The
 * hook id is the credential, so no assertion is asked for; the gateway rate-limits the calls. The
 * body is read raw (at most 1 MB, else 413) and parsed here, since hooks send forms as well as JSON.
 * Answers `ok` as text/plain, as Mattermost does.
 */
import express, { type Express, type RequestHandler } from 'express';
import { INCOMING_HOOK_PREFIX } from '../../contract.js';
import { ChatError } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { isId } from '../store/ids.js';
import { handleIncomingWebhook, unknownHook } from './handle-incoming.js';
import { parseIncomingPayload } from './incoming-payload.js';
import { findIncomingHook } from './webhook-store.js';

const MAX_BODY = '1mb';
const REDACTED_PATH = `${INCOMING_HOOK_PREFIX}:hook_id`;

/**
 * The id is a credential, and the request log reads req.path when the response finishes: keep the id
 * aside and take it out of the URL before anything (the body parser's 413 included) can answer.
 */
const redactHookId: RequestHandler = (req, res, next) => {
  res.locals.hookId = req.params.hook_id;
  req.url = REDACTED_PATH;
  next();
};

function incomingHookHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const hookId: unknown = res.locals.hookId;
    if (!services.config.incomingWebhooks) {
      throw new ChatError(501, 'web.incoming_webhook.disabled.app_error', 'Incoming webhooks have been disabled by the system admin.');
    }
    const hook = isId(hookId) ? await findIncomingHook(services.db, hookId) : undefined;
    if (!hook) throw unknownHook();
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    await handleIncomingWebhook(services, hook, await parseIncomingPayload(body, req.headers));
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('Cache-Control', 'no-store');
    res.end('ok');
  };
}

export function registerIncomingHookEndpoint(app: Express, services: ChatServices): void {
  app.post(`${INCOMING_HOOK_PREFIX}:hook_id`, redactHookId, express.raw({ type: () => true, limit: MAX_BODY }), incomingHookHandler(services));
}
