/**
 * Simple timing of each step the gateway's proxy path runs per request (src/app.ts handleRequest
 * → src/proxy/forward-http.ts forward), called directly on the running gateway with no load:
 * the steps' own cost, without HTTP parsing, sockets or piping.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RunningGateway } from '../../src/server.js';
import { isChatPath } from '../../src/proxy/chat-paths.js';
import { downstreamResponseHeaders, upstreamRequestHeaders } from '../../src/proxy/headers.js';
import { checkCsrf } from '../../src/sessions/authenticate.js';
import { newId } from '../../src/http/ids.js';

export interface StageTiming { stage: string; us: number }

/** Sync steps are timed without `await`, so the microtask hop is not billed to them. */
async function timeIt(iterations: number, step: () => unknown): Promise<number> {
  const isAsync = step() instanceof Promise;
  for (let i = 0; i < Math.min(2_000, iterations); i += 1) await step();
  const t0 = process.hrtime.bigint();
  if (isAsync) for (let i = 0; i < iterations; i += 1) await step();
  else for (let i = 0; i < iterations; i += 1) step();
  return Number(process.hrtime.bigint() - t0) / iterations / 1000;
}

/** Median of three runs of `iterations` calls, in µs per call. */
async function stage(iterations: number, step: () => unknown): Promise<number> {
  const runs = [await timeIt(iterations, step), await timeIt(iterations, step), await timeIt(iterations, step)];
  return runs.sort((a, b) => a - b)[1]!;
}

export async function timeGatewayStages(gw: RunningGateway, token: string, path: string, upstreamHeaders: IncomingHttpHeaders, iterations = 20_000): Promise<StageTiming[]> {
  const ctx = gw.gateway.ctx;
  const headers = { host: '127.0.0.1', authorization: `Bearer ${token}`, accept: '*/*', connection: 'keep-alive' };
  const req = { method: 'GET', url: path, headers } as unknown as IncomingMessage;
  const principal = (await ctx.authenticator.authenticate(req))!;
  const assertion = await ctx.minter.assertionFor(principal);
  const started = performance.now();
  return [
    { stage: 'isChatPath (route match)', us: await stage(iterations, () => isChatPath(path)) },
    { stage: 'newId (X-Request-Id)', us: await stage(iterations, () => newId()) },
    { stage: 'authenticate (sha256 + 2 store gets + 2 JSON.parse)', us: await stage(iterations, () => ctx.authenticator.authenticate(req)) },
    { stage: '  of which sessions.lookup', us: await stage(iterations, () => ctx.sessions.lookup(token)) },
    { stage: '  of which access.resolve (cache hit)', us: await stage(iterations, () => ctx.access.resolve(principal.userId)) },
    { stage: 'checkCsrf', us: await stage(iterations, () => checkCsrf(req, principal, false)) },
    { stage: 'minter.assertionFor (cache hit)', us: await stage(iterations, () => ctx.minter.assertionFor(principal)) },
    { stage: 'upstreamRequestHeaders', us: await stage(iterations, () => upstreamRequestHeaders(headers, assertion, 'r')) },
    { stage: 'downstreamResponseHeaders', us: await stage(iterations, () => downstreamResponseHeaders(upstreamHeaders)) },
    { stage: 'metrics.proxyDuration.observe', us: await stage(iterations, () => ctx.metrics.proxyDuration.observe({ status: '200' }, (performance.now() - started) / 1000)) },
  ];
}
