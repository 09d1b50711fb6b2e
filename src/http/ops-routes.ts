/** Operations: liveness, readiness (SQL + ephemeral store), Prometheus metrics, Mattermost's ping. */
import { sql } from 'kysely';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { sendJson } from '../errors/respond.js';

/**
 * Readiness covers what this node needs to serve: its database and its ephemeral store. chat-core's
 * state is reported beside them but does not make the gateway unready (sign-in still works, and
 * taking every gateway out of a load balancer would not bring chat-core back).
 */
export function opsRoutes(ctx: GatewayContext, chatUrl: string): RouteSpec[] {
  const ready = async () => {
    const checks: Record<string, string> = {};
    const run = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref())]);
        checks[name] = 'ok';
      } catch (err) {
        checks[name] = (err as Error).message || 'failed';
      }
    };
    await run('database', () => sql`select 1`.execute(ctx.db));
    await run('ephemeral_store', () => ctx.store.ping());
    const dependencies: Record<string, string> = {};
    try {
      const res = await fetch(`${chatUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      dependencies.chat_core = res.ok ? 'ok' : `status ${res.status}`;
    } catch {
      dependencies.chat_core = 'unreachable';
    }
    return { checks, dependencies };
  };
  return [
    { method: 'get', path: '/healthz', access: { kind: 'public' }, handler(_req, res) { sendJson(res, 200, { status: 'OK' }); } },
    {
      method: 'get', path: '/readyz', access: { kind: 'public' },
      async handler(_req, res) {
        const { checks, dependencies } = await ready();
        const ok = Object.values(checks).every((v) => v === 'ok');
        sendJson(res, ok ? 200 : 503, { status: ok ? 'OK' : 'UNAVAILABLE', checks, dependencies });
      },
    },
    {
      method: 'get', path: '/metrics', access: { kind: 'public' },
      async handler(_req, res) {
        res.setHeader('Content-Type', ctx.metrics.registry.contentType);
        res.end(await ctx.metrics.registry.metrics());
      },
    },
    { method: 'get', path: '/api/v4/system/ping', access: { kind: 'public' }, handler(_req, res) { sendJson(res, 200, { status: 'OK' }); } },
  ];
}
