/** chat-core's Prometheus metrics, served at /metrics on its internal port, in a registry of its own. */
import { Counter, Histogram, Registry } from 'prom-client';

export function createChatMetrics() {
  const registry = new Registry();
  return {
    registry,
    assertionsVerified: new Counter({ name: 'chat_core_assertions_verified_total', help: 'User assertions checked, by result (ok or the refusal reason)', labelNames: ['result'], registers: [registry] }),
    requestDuration: new Histogram({ name: 'chat_core_http_request_duration_seconds', help: 'chat-core request duration by route', labelNames: ['method', 'route', 'status'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry] }),
  };
}

export type ChatMetrics = ReturnType<typeof createChatMetrics>;
