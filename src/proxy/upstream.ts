/**
 * One proxied exchange with chat-core over HTTP, shared by the API and incoming-webhook forwarders:
 * a pooled connection, the request streamed up, the answer streamed down (hop-by-hop headers and
 * Set-Cookie dropped), and a Mattermost-shaped 502 when chat-core cannot be reached.
 */
import http from 'node:http';
import type { GatewayContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import { mattermostErrorBody, toGatewayError } from '../errors/respond.js';
import { downstreamResponseHeaders } from './headers.js';

/** A pool to chat-core. */
export function createUpstreamAgent(maxSockets: number): http.Agent {
  // noDelay: Nagle's algorithm with delayed ACKs would hold small answers back by up to 40 ms.
  // timeout: an idle pooled connection is dropped after 30 s, well before chat-core's 65 s keep-alive.
  return new http.Agent({ keepAlive: true, noDelay: true, timeout: 30_000, maxSockets, maxFreeSockets: Math.min(64, maxSockets), scheduling: 'lifo' });
}

/** Answers `err` as a Mattermost error (or cuts the connection when the answer had begun). */
export function failProxied(ctx: GatewayContext, res: http.ServerResponse, err: unknown, requestId: string, what: string): void {
  const error = toGatewayError(err);
  if (error.status >= 500) ctx.logger.error({ request_id: requestId, err: (err as Error).message, code: error.code }, `${what} failed`);
  if (res.headersSent) { res.destroy(); return; }
  res.writeHead(error.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(mattermostErrorBody(error, requestId)));
}

export interface UpstreamCall {
  target: URL;
  method: string;
  path: string;
  headers: http.OutgoingHttpHeaders;
  requestId: string;
  /** performance.now() when the gateway took the request, for the proxy duration metric. */
  started: number;
  /** For the error log line. */
  what: string;
}

export function pipeUpstream(ctx: GatewayContext, agent: http.Agent, req: http.IncomingMessage, res: http.ServerResponse, call: UpstreamCall): void {
  const upstream = http.request({ agent, host: call.target.hostname, port: call.target.port, method: call.method, path: call.path, headers: call.headers });
  upstream.on('response', (up) => {
    ctx.metrics.proxyDuration.observe({ status: String(up.statusCode) }, (performance.now() - call.started) / 1000);
    res.writeHead(up.statusCode ?? 502, downstreamResponseHeaders(up.headers));
    up.pipe(res);
  });
  upstream.on('error', (err) => failProxied(ctx, res, new GatewayError('UPSTREAM_UNAVAILABLE', { cause: err, detail: err.message }), call.requestId, call.what));
  res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
  req.pipe(upstream);
}
