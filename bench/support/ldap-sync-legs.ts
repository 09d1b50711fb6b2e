/**
 * The legs of bench/ldap-sync, shared by the measuring child process and the profiled rounds: the
 * connector pointed at the bulk directory, one timed sync, and the checks that each sync did what
 * the directory asks for (so a fast but wrong sync fails the bench instead of passing it).
 */
import type { LdapConnectorInput } from '../../src/connectors/ldap/config-schema.js';
import type { LdapConnector } from '../../src/connectors/ldap/create-ldap-connector.js';
import type { GatewayContext } from '../../src/context.js';
import { runLdapSync, type SyncReport } from '../../src/directory/ldap-sync.js';
import { startHarness } from '../../test/support/gateway-harness.js';
import type { TestSlapd } from '../../test/support/ldap-server.js';
import { bulkGroupMembers } from './ldap-bulk.js';
import type { RssPeak, RssSampler } from './peak-rss.js';

export const CONNECTOR_ID = 'bulk-ldap';

export interface SyncLeg {
  /** What the sync decided to be: `full` or `incremental` (report.kind). */
  kind: string;
  /** Directory users the sync read (all of them on a full read; changed ones on an incremental one). */
  usersRead: number;
  seconds: number;
  /** Until the last page of groups was read (the sync's LDAP part). */
  readSeconds: number;
  rss: RssPeak;
  /** V8 heap of the main thread when the leg ended: reserved and used, bytes. */
  heapTotalBytes: number;
  heapUsedBytes: number;
}

export interface Expected {
  users: number;
  groups: number;
  memberships: number;
}

/** One LDAP connector on the bulk OUs, pre-creating users, never on a timer. */
export function connectorConfig(slapd: TestSlapd): LdapConnectorInput {
  return {
    id: CONNECTOR_ID, type: 'ldap', displayName: 'Bulk directory', preset: 'openldap',
    url: slapd.url, bindDn: slapd.serviceDn, bindPassword: slapd.servicePassword,
    userBase: `ou=people,${slapd.baseDn}`, groups: { base: `ou=groups,${slapd.baseDn}` },
    sync: { enabled: false, createUsers: true },
  };
}

/** Effective memberships the bulk directory implies: each group's run of users, plus the group it nests. */
export function expectedMemberships(users: number, groups: number, nestedEvery: number): number {
  let total = 0;
  for (let n = 1; n <= groups; n += 1) {
    const members = new Set(bulkGroupMembers(n, users));
    if (nestedEvery > 0 && n % nestedEvery === 0 && n > 1) for (const u of bulkGroupMembers(n - 1, users)) members.add(u);
    total += members.size;
  }
  return total;
}

/** The three legs of a round, in order: into the empty database, at once again (incremental when configured), then a forced full re-read. */
export const LEGS = [
  { key: 'full', name: 'full sync (empty DB)', opts: {} },
  { key: 'again', name: 'no-change sync (as configured)', opts: {} },
  { key: 'reread', name: 'no-change full re-read', opts: { full: true } },
] as const;

type LegOptions = (typeof LEGS)[number]['opts'];

async function timedSync(ctx: GatewayContext, connector: LdapConnector, sampler: RssSampler, opts: LegOptions): Promise<SyncLeg & { report: SyncReport }> {
  const { result, rss } = await sampler.measure(async () => {
    const t0 = performance.now();
    let readDone = t0;
    const report = await runLdapSync(ctx, connector, { ...opts, onProgress: (p) => { if (p.phase !== 'apply') readDone = performance.now(); } });
    return { report, seconds: (performance.now() - t0) / 1000, readSeconds: (readDone - t0) / 1000 };
  });
  if (result.report.status !== 'succeeded') throw new Error(`sync ${result.report.status}: ${result.report.reason ?? ''}`);
  const heap = process.memoryUsage();
  return { ...result, kind: result.report.kind, usersRead: result.report.counts.directoryUsers, rss, heapTotalBytes: heap.heapTotal, heapUsedBytes: heap.heapUsed };
}

function check(leg: string, report: SyncReport, want: Partial<SyncReport['counts']>): void {
  const wrong = Object.entries(want).filter(([k, v]) => report.counts[k as keyof SyncReport['counts']] !== v);
  if (wrong.length > 0) throw new Error(`${leg}: ${wrong.map(([k, v]) => `${k} ${report.counts[k as keyof SyncReport['counts']]} (expected ${v})`).join(', ')}`);
}

/** What the full sync wrote: one linked account per directory user, every effective membership. */
async function checkStored(ctx: GatewayContext, want: Expected): Promise<void> {
  const linked = await ctx.db.selectFrom('identities').select((eb) => eb.fn.countAll().as('n')).where('connector_id', '=', CONNECTOR_ID).executeTakeFirstOrThrow();
  const members = await ctx.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select((eb) => eb.fn.countAll().as('n')).where('groups.source', '=', CONNECTOR_ID).executeTakeFirstOrThrow();
  if (Number(linked.n) !== want.users || Number(members.n) !== want.memberships) {
    throw new Error(`full sync stored ${linked.n} linked users (expected ${want.users}) and ${members.n} memberships (expected ${want.memberships})`);
  }
}

const NOTHING_CHANGED = { created: 0, updated: 0, deactivated: 0, reactivated: 0, membershipsAdded: 0, membershipsRemoved: 0 };

export interface RoundLegs {
  /** RSS of the gateway process after it started, before the first sync. */
  idleBytes: number;
  full: SyncLeg;
  again: SyncLeg;
  reread: SyncLeg;
}

/** On a fresh embedded gateway, the three LEGS, each checked against what the directory asks for. */
export async function syncRound(cfg: LdapConnectorInput, sampler: RssSampler, want: Expected): Promise<RoundLegs> {
  const h = await startHarness('embedded', { config: { connectors: [cfg] } });
  try {
    const ctx = h.gw.gateway.ctx;
    const connector = ctx.connectors.ldapById(CONNECTOR_ID);
    const idleBytes = process.memoryUsage.rss();
    const leg = async (i: number) => {
      const { report, ...measured } = await timedSync(ctx, connector, sampler, LEGS[i]!.opts);
      return { report, measured };
    };
    const full = await leg(0);
    // counts.membershipsAdded is planned before users are created, so a first sync reports 0: count the rows.
    check('full sync', full.report, { directoryUsers: want.users, created: want.users, groups: want.groups, membershipsRemoved: 0 });
    if (full.report.kind !== 'full') throw new Error(`the first sync was ${full.report.kind}, expected full`);
    await checkStored(ctx, want);
    const again = await leg(1);
    check('no-change sync', again.report, { groups: want.groups, ...NOTHING_CHANGED });
    const reread = await leg(2);
    check('no-change full re-read', reread.report, { directoryUsers: want.users, groups: want.groups, ...NOTHING_CHANGED });
    if (reread.report.kind !== 'full') throw new Error(`the forced full re-read was ${reread.report.kind}`);
    return { idleBytes, full: full.measured, again: again.measured, reread: reread.measured };
  } finally {
    await h.close();
  }
}

/** The three LEGS on a fresh gateway in this process, each wrapped by `around` (a profiler). */
export async function profiledLegs<T>(cfg: LdapConnectorInput, around: (work: () => Promise<SyncReport>) => Promise<T>): Promise<{ seconds: number; out: T }[]> {
  const h = await startHarness('embedded', { config: { connectors: [cfg] } });
  try {
    const ctx = h.gw.gateway.ctx;
    const connector = ctx.connectors.ldapById(CONNECTOR_ID);
    const legs: { seconds: number; out: T }[] = [];
    for (const { opts } of LEGS) {
      const t0 = performance.now();
      const out = await around(() => runLdapSync(ctx, connector, opts));
      legs.push({ seconds: (performance.now() - t0) / 1000, out });
    }
    return legs;
  } finally {
    await h.close();
  }
}
