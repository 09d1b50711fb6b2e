/**
 * The Express app: request context first, then the provisioning endpoints behind their own
 * authenticator, then /api/v4 behind the user authenticator. Bodies are parsed only after
 * authentication, as JSON whatever the Content-Type says.
 */
import express, { Router, type Express, type RequestHandler } from 'express';
import { CHAT_HEALTH_PATH, CHAT_READY_PATH, PROVISION_CHANNEL_PATH, PROVISION_PATH, PROVISION_SHARED_PATH } from '../../contract.js';
import { requireUser, type UserAuthenticator } from '../auth/authenticate.js';
import type { ProvisionVerifier } from '../auth/verify-provision.js';
import { registerChannelRoutes } from '../channels/channel-routes.js';
import { registerEmojiRoutes } from '../emoji/emoji-routes.js';
import { registerFileRoutes } from '../files/file-routes.js';
import { registerPostRoutes } from '../posts/post-routes.js';
import { registerReactionRoutes } from '../reactions/reaction-routes.js';
import { registerSearchRoutes } from '../search/search-routes.js';
import { registerIncomingHookEndpoint } from '../webhooks/incoming-endpoint.js';
import { registerWebhookRoutes } from '../webhooks/webhook-routes.js';
import { provisionChannelHandler, provisionSharedHandler } from '../provision/channel-route.js';
import { provisionHandler, requireProvisioner } from '../provision/provision-route.js';
import type { ChatServices } from '../services.js';
import { routeNotFound } from './chat-error.js';
import { errorMiddleware } from './error-middleware.js';
import { requestContext } from './request-context.js';
import { sendJson } from './send-json.js';
import type { ChatMetrics } from './metrics.js';

export interface AppParts {
  services: ChatServices;
  authenticator: UserAuthenticator;
  provisionVerifier: ProvisionVerifier;
  ready: () => Promise<void>;
  metrics: ChatMetrics;
}

/** Uploads (multipart, or a raw body) are streamed by their own routes, never parsed as JSON here. */
const STREAMED_BODY = /^\s*(?:multipart\/|application\/octet-stream)/i;
/** A raw-body upload (`POST /files?filename=…`) may carry any Content-Type, as Mattermost allows. */
const isUpload = (req: { method?: string; url?: string }): boolean => req.method === 'POST' && /^\/files(?:\?|$)/.test(req.url ?? '');
const jsonBody = (limit: string): RequestHandler =>
  express.json({ limit, strict: true, type: (req) => !isUpload(req) && !STREAMED_BODY.test(req.headers['content-type'] ?? '') });

export function createExpressApp(parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('case sensitive routing', true);
  app.set('query parser', 'simple');
  app.use(requestContext(parts.services.logger));
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      parts.metrics.requestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, (performance.now() - started) / 1000);
    });
    next();
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', parts.metrics.registry.contentType);
    res.end(await parts.metrics.registry.metrics());
  });
  app.get(CHAT_HEALTH_PATH, (_req, res) => sendJson(res, 200, { status: 'OK' }));
  app.get(CHAT_READY_PATH, readiness(parts.ready));
  app.post(PROVISION_PATH, requireProvisioner(parts.provisionVerifier), jsonBody('5mb'), provisionHandler(parts.services));
  app.get(`${PROVISION_CHANNEL_PATH}/:channel_id`, requireProvisioner(parts.provisionVerifier), provisionChannelHandler(parts.services));
  app.get(PROVISION_SHARED_PATH, requireProvisioner(parts.provisionVerifier), provisionSharedHandler(parts.services));
  registerIncomingHookEndpoint(app, parts.services);
  app.use('/api/v4', requireUser(parts.authenticator), jsonBody('1mb'), apiRouter(parts.services));
  app.use(() => {
    throw routeNotFound();
  });
  app.use(errorMiddleware());
  return app;
}

function apiRouter(services: ChatServices): Router {
  const router = Router({ caseSensitive: true });
  registerChannelRoutes(router, services);
  registerPostRoutes(router, services);
  registerReactionRoutes(router, services);
  registerEmojiRoutes(router, services);
  registerFileRoutes(router, services);
  registerSearchRoutes(router, services);
  registerWebhookRoutes(router, services);
  return router;
}

function readiness(ready: () => Promise<void>): RequestHandler {
  return async (_req, res) => {
    try {
      await ready();
      sendJson(res, 200, { status: 'OK' });
    } catch {
      sendJson(res, 503, { status: 'UNAVAILABLE' });
    }
  };
}
