/**
 * The directory sync timer: each LDAP connector with `sync.enabled` syncs every
 * `sync.intervalMinutes` (the first run shortly after start). Every node runs the timer; the lock in
 * the ephemeral store lets one of them sync at a time, so the others skip quietly.
 */
import type { GatewayContext } from '../context.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { runLdapSync } from './ldap-sync.js';

const FIRST_RUN_DELAY_MS = 30_000;

export function startSyncScheduler(ctx: GatewayContext): () => void {
  const timers: NodeJS.Timeout[] = [];
  for (const connector of ctx.connectors.ldap()) {
    const { sync } = connector.settings;
    if (!sync.enabled) continue;
    const run = () => {
      runLdapSync(ctx, connector)
        .then((r) => ctx.logger.info({ connector: connector.id, status: r.status, reason: r.reason, ...r.counts, ms: r.endAt - r.startAt }, 'directory sync finished'))
        .catch((err: unknown) => {
          if (isGatewayError(err) && err.code === 'LDAP_SYNC_RUNNING') return;
          ctx.logger.error({ connector: connector.id, err: (err as Error).message }, 'directory sync could not run');
        });
    };
    const first = setTimeout(run, Math.min(FIRST_RUN_DELAY_MS, sync.intervalMinutes * 60_000));
    const every = setInterval(run, sync.intervalMinutes * 60_000);
    first.unref();
    every.unref();
    timers.push(first, every);
  }
  return () => { for (const t of timers) clearTimeout(t); };
}
