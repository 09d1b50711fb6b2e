/**
 * The proxy's HTTP path, kept off the Express stack (it runs on every chat request): authenticate,
 * check CSRF, attach the cached assertion, stream to chat-core and back.
 */
import type http from 'node:http';
import type { GatewayContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import { checkCsrf } from '../sessions/authenticate.js';
import type { ChatNodes } from './chat-nodes.js';
import type { LocalChat } from './forward-websocket.js';
import { replaceRequestHeaders, upstreamRequestHeaders } from './headers.js';
import { createUpstreamAgent, failProxied, pipeUpstream } from './upstream.js';

export interface HttpForwarder {
  forward(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void>;
  close(): void;
}

export function createHttpForwarder(ctx: GatewayContext, nodes: ChatNodes, local?: LocalChat): HttpForwarder {
  const agent = createUpstreamAgent(256);
  return {
    async forward(req, res, requestId) {
      const started = performance.now();
      try {
        const principal = await ctx.authenticator.authenticate(req);
        if (!principal) throw new GatewayError('AUTHN_REQUIRED', { detail: 'no valid session or access token' });
        checkCsrf(req, principal, ctx.config.sessions.strictCsrf);
        if (principal.mfaEnrolRequired) throw new GatewayError('MFA_REQUIRED', { detail: 'chat before MFA enrolment' });
        const assertion = await ctx.minter.assertionFor(principal);
        const headers = upstreamRequestHeaders(req.headers, assertion, requestId);
        if (local) {
          replaceRequestHeaders(req, headers);
          res.once('finish', () => ctx.metrics.proxyDuration.observe({ status: String(res.statusCode) }, (performance.now() - started) / 1000));
          return local.handleRequest(req, res);
        }
        pipeUpstream(ctx, agent, req, res, { target: nodes.next(), method: req.method ?? 'GET', path: req.url ?? '/', headers, requestId, started, what: 'proxy' });
      } catch (err) {
        req.resume();
        failProxied(ctx, res, err, requestId, 'proxy');
      }
    },
    close() {
      agent.destroy();
    },
  };
}
