/** Operations: liveness, readiness (SQL + ephemeral store), Prometheus metrics, Mattermost's ping. */
import { sql } from 'kysely';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { sendJson } from '../errors/respond.js';

export function opsRoutes(ctx: GatewayContext, extraReadiness: () => Promise<void> = async () => {}): RouteSpec[] {
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
    await run('chat_core', extraReadiness);
    return checks;
  };
  return [
    { method: 'get', path: '/healthz', access: { kind: 'public' }, handler(_req, res) { sendJson(res, 200, { status: 'OK' }); } },
    {
      method: 'get', path: '/readyz', access: { kind: 'public' },
      async handler(_req, res) {
        const checks = await ready();
        const ok = Object.values(checks).every((v) => v === 'ok');
        sendJson(res, ok ? 200 : 503, { status: ok ? 'OK' : 'UNAVAILABLE', checks });
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
