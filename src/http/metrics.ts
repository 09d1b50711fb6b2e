/** Prometheus metrics, in a registry of the app's own (no global state between apps in one process). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  return {
    registry,
    httpDuration: new Histogram({ name: 'gatehouse_http_request_duration_seconds', help: 'Gateway request duration by route', labelNames: ['method', 'route', 'status'], buckets, registers: [registry] }),
    proxyDuration: new Histogram({ name: 'gatehouse_proxy_duration_seconds', help: 'Time from receiving a proxied request to the upstream response head', labelNames: ['status'], buckets, registers: [registry] }),
    loginAttempts: new Counter({ name: 'gatehouse_login_attempts_total', help: 'Login attempts by result', labelNames: ['result'], registers: [registry] }),
    assertionsMinted: new Counter({ name: 'gatehouse_assertions_minted_total', help: 'Assertions signed for chat-core', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
