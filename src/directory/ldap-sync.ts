/**
 * One directory sync: read the whole directory (nothing written while reading), decide every change,
 * hold them against the safety valve, then apply — users updated, deactivated (sessions and tokens
 * dead everywhere), reactivated, optionally created; groups and their effective members; then the
 * group links to teams and channels. A sync that errors, times out, reads no user, or would
 * deactivate more than `sync.maxDeactivatePercent` of the connector's active users changes nothing
 * and says why. One node syncs a connector at a time (a lock in the ephemeral store); every run is
 * recorded in `sync_runs`.
 */
import type { GatewayContext } from '../context.js';
import type { LdapConnector } from '../connectors/ldap/create-ldap-connector.js';
import { readDirectory, type DirectorySnapshot } from '../connectors/ldap/read-directory.js';
import { LdapUnavailableError } from '../connectors/ldap/directory-client.js';
import { normalizeDn } from '../connectors/ldap/settings.js';
import { GatewayError } from '../errors/gateway-error.js';
import { newId } from '../http/ids.js';
import { reconcileAll } from './group-sync.js';
import { apply } from './ldap-sync-apply.js';
import { knownUsers, plan, type SyncCounts, type SyncPlan, type SyncProgress } from './ldap-sync-plan.js';

export type { SyncCounts, SyncPlan, SyncProgress } from './ldap-sync-plan.js';

export interface SyncReport {
  runId: string;
  connectorId: string;
  dryRun: boolean;
  /** `full`, or `incremental` (only users changed since the last run were read). */
  kind: 'full' | 'incremental';
  status: 'succeeded' | 'refused' | 'failed';
  /** Why a refused or failed sync changed nothing. */
  reason?: string;
  counts: SyncCounts;
  plan: SyncPlan;
  cycles: string[];
  startAt: number;
  endAt: number;
}

const LOCK_MARGIN_MS = 60_000;
const lockName = (connectorId: string) => `ldap-sync:${connectorId}`;

/**
 * Incremental when configured, a full run succeeded within `sync.fullSyncHours`, and a change mark
 * was recorded since; the mark is the highest one the last successful run (of either kind) saw.
 */
async function incrementalMark(ctx: GatewayContext, connector: LdapConnector): Promise<string | undefined> {
  const s = connector.settings;
  if (!s.sync.incremental) return undefined;
  const lastFull = await ctx.db.selectFrom('sync_runs').select('start_at').where('connector_id', '=', s.id).where('kind', '=', 'full')
    .where('status', '=', 'succeeded').orderBy('start_at', 'desc').limit(1).executeTakeFirst();
  if (!lastFull || ctx.now() - lastFull.start_at >= s.sync.fullSyncHours * 3_600_000) return undefined;
  // Group members are DNs: an account whose DN the gateway does not know yet needs a full read.
  const unmapped = await ctx.db.selectFrom('identities').select('subject').where('connector_id', '=', s.id).where('dn', '=', '').limit(1).executeTakeFirst();
  if (unmapped) return undefined;
  const last = await ctx.db.selectFrom('sync_runs').select('high_water').where('connector_id', '=', s.id).where('kind', 'in', ['full', 'incremental'])
    .where('status', '=', 'succeeded').where('high_water', '!=', '').orderBy('start_at', 'desc').limit(1).executeTakeFirst();
  return last?.high_water;
}

export async function runLdapSync(
  ctx: GatewayContext, connector: LdapConnector, opts: { dryRun?: boolean; full?: boolean; onProgress?: (p: SyncProgress) => void; actorId?: string } = {},
): Promise<SyncReport> {
  const s = connector.settings;
  const dryRun = opts.dryRun ?? false;
  const release = await ctx.store.lock(lockName(s.id), s.sync.timeoutSeconds * 1000 + LOCK_MARGIN_MS);
  if (!release) throw new GatewayError('LDAP_SYNC_RUNNING', { detail: `connector ${s.id}` });
  const startAt = ctx.now();
  const runId = newId();
  let since: string | undefined;
  try {
    since = opts.full ? undefined : await incrementalMark(ctx, connector);
  } catch (err) {
    await release();
    throw err;
  }
  const kind: SyncReport['kind'] = since ? 'incremental' : 'full';
  const counts: SyncCounts = { directoryUsers: 0, skipped: 0, groups: 0, updated: 0, deactivated: 0, reactivated: 0, created: 0, membershipsAdded: 0, membershipsRemoved: 0, teamOrChannelChanges: 0 };
  const emptyPlan: SyncPlan = { update: [], roles: [], deactivate: [], reactivate: [], create: [], membershipsAdded: 0, membershipsRemoved: 0, groupsNew: 0, groupsGone: 0, memberships: [] };
  await ctx.db.insertInto('sync_runs').values({ id: runId, connector_id: s.id, kind: dryRun ? 'dry-run' : kind, status: 'running', start_at: startAt, end_at: 0, counts: '{}', error: '', high_water: '' }).execute();
  const finish = async (status: SyncReport['status'], reason: string | undefined, p: SyncPlan, cycles: string[], highWater = ''): Promise<SyncReport> => {
    const endAt = ctx.now();
    await ctx.db.updateTable('sync_runs').set({ status, end_at: endAt, counts: JSON.stringify(counts), error: reason ?? '', high_water: highWater }).where('id', '=', runId).execute();
    const event = status === 'succeeded' ? 'sync.succeeded' : status === 'refused' ? 'sync.refused' : 'sync.failed';
    await ctx.audit.record(event, { actorId: opts.actorId ?? '', subjectId: s.id, details: { run_id: runId, dry_run: dryRun, reason: reason ?? '', ...counts } });
    return { runId, connectorId: s.id, dryRun, kind, status, ...(reason ? { reason } : {}), counts, plan: p, cycles, startAt, endAt };
  };
  try {
    let snap: DirectorySnapshot;
    const knownBefore = since ? await knownUsers(ctx, s.id) : undefined;
    const session = await connector.openSession();
    try {
      snap = await readDirectory(session, s, {
        now: ctx.now(), deadline: Date.now() + s.sync.timeoutSeconds * 1000, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(since && knownBefore ? {
          since,
          knownDns: new Map([...knownBefore.values()].filter((k) => k.dn).map((k) => [normalizeDn(k.dn), k.subject])),
          knownUids: new Map([...knownBefore.values()].map((k) => [k.user.username.toLowerCase(), k.subject])),
        } : {}),
      });
    } finally {
      await session.close();
    }
    counts.directoryUsers = snap.users.length;
    counts.skipped = snap.skipped.length;
    counts.groups = snap.groups.length;
    if (snap.cycles.length > 0) ctx.logger.warn({ connector: s.id, groups: snap.cycles }, 'group membership cycle in the directory; each group was expanded once');
    const { plan: p, known, pendingMembers, groupIds } = await plan(ctx, connector, snap);
    counts.membershipsAdded = p.membershipsAdded;
    counts.membershipsRemoved = p.membershipsRemoved;
    // The safety valve: a directory that answers nothing, or would take away many people at once, is doubt.
    const active = [...known.values()].filter((k) => k.user.delete_at === 0).length;
    if (snap.complete && snap.users.length === 0 && known.size > 0) return await finish('refused', 'the directory returned no users; nothing was changed (check userBase, userFilter and the service account\'s read access)', p, snap.cycles);
    if (active > 0 && (p.deactivate.length / active) * 100 > s.sync.maxDeactivatePercent) {
      return await finish('refused', `the sync would deactivate ${p.deactivate.length} of ${active} active users (more than sync.maxDeactivatePercent = ${s.sync.maxDeactivatePercent} %); nothing was changed. Check the directory, or raise the limit for one run if this is intended.`, p, snap.cycles);
    }
    if (dryRun) {
      p.memberships = await reconcileAll(ctx, { dryRun: true, pending: { groupMembers: pendingMembers, deactivated: new Set(p.deactivate.map((d) => d.userId)) } });
      counts.deactivated = p.deactivate.length; counts.reactivated = p.reactivate.length; counts.updated = p.update.length; counts.created = p.create.length;
      counts.teamOrChannelChanges = p.memberships.length;
      return await finish('succeeded', undefined, p, snap.cycles, snap.highWater);
    }
    await apply(ctx, connector, snap, p, known, groupIds, counts, opts.onProgress);
    p.memberships = await reconcileAll(ctx);
    counts.teamOrChannelChanges = p.memberships.length;
    return await finish('succeeded', undefined, p, snap.cycles, snap.highWater);
  } catch (err) {
    const reason = err instanceof LdapUnavailableError || err instanceof Error ? err.message : String(err);
    ctx.logger.warn({ connector: s.id, reason }, 'directory sync failed');
    return await finish('failed', `${reason}; nothing was deactivated`, emptyPlan, []);
  } finally {
    await release();
  }
}

/** The last runs of a connector, newest first. */
export async function syncHistory(ctx: GatewayContext, connectorId?: string, limit = 20) {
  let q = ctx.db.selectFrom('sync_runs').selectAll().orderBy('start_at', 'desc').limit(limit);
  if (connectorId) q = q.where('connector_id', '=', connectorId);
  return (await q.execute()).map((r) => ({ ...r, counts: JSON.parse(r.counts) as Partial<SyncCounts> }));
}
