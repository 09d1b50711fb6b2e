/**
 * The proxy's HTTP path, kept off the Express stack (it runs on every chat request): authenticate,
 * check CSRF, attach the cached assertion, stream to chat-core and back.
 */
import http from 'node:http';
import type { GatewayContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import { mattermostErrorBody, toGatewayError } from '../errors/respond.js';
import { checkCsrf } from '../sessions/authenticate.js';
import type { ChatNodes } from './chat-nodes.js';
import type { LocalChat } from './forward-websocket.js';
import { downstreamResponseHeaders, replaceRequestHeaders, upstreamRequestHeaders } from './headers.js';

export interface HttpForwarder {
  forward(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void>;
  close(): void;
}

export function createHttpForwarder(ctx: GatewayContext, nodes: ChatNodes, local?: LocalChat): HttpForwarder {
  // noDelay: Nagle's algorithm with delayed ACKs would hold small answers back by up to 40 ms.
  // timeout: an idle pooled connection is dropped after 30 s, well before chat-core's 65 s keep-alive.
  const agent = new http.Agent({ keepAlive: true, noDelay: true, timeout: 30_000, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
  const fail = (res: http.ServerResponse, err: unknown, requestId: string) => {
    const error = toGatewayError(err);
    if (error.status >= 500) ctx.logger.error({ request_id: requestId, err: (err as Error).message, code: error.code }, 'proxy failed');
    if (res.headersSent) { res.destroy(); return; }
    res.writeHead(error.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(mattermostErrorBody(error, requestId)));
  };
  return {
    async forward(req, res, requestId) {
      const started = performance.now();
      try {
        const principal = await ctx.authenticator.authenticate(req);
        if (!principal) throw new GatewayError('AUTHN_REQUIRED', { detail: 'no valid session or access token' });
        checkCsrf(req, principal, ctx.config.sessions.strictCsrf);
        if (principal.mfaEnrolRequired) throw new GatewayError('MFA_REQUIRED', { detail: 'chat before MFA enrolment' });
        const assertion = await ctx.minter.assertionFor(principal);
        if (local) {
          replaceRequestHeaders(req, upstreamRequestHeaders(req.headers, assertion, requestId));
          res.once('finish', () => ctx.metrics.proxyDuration.observe({ status: String(res.statusCode) }, (performance.now() - started) / 1000));
          return local.handleRequest(req, res);
        }
        const target = nodes.next();
        const upstream = http.request({
          agent, host: target.hostname, port: target.port, method: req.method, path: req.url,
          headers: upstreamRequestHeaders(req.headers, assertion, requestId),
        });
        upstream.on('response', (up) => {
          ctx.metrics.proxyDuration.observe({ status: String(up.statusCode) }, (performance.now() - started) / 1000);
          res.writeHead(up.statusCode ?? 502, downstreamResponseHeaders(up.headers));
          up.pipe(res);
        });
        upstream.on('error', (err) => fail(res, new GatewayError('UPSTREAM_UNAVAILABLE', { cause: err, detail: err.message }), requestId));
        res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
        req.pipe(upstream);
      } catch (err) {
        req.resume();
        fail(res, err, requestId);
      }
    },
    close() {
      agent.destroy();
    },
  };
}
