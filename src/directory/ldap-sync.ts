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
import type { DirectoryUser } from '../connectors/ldap/entries.js';
import type { DirectoryGroup } from '../connectors/ldap/user-groups.js';
import { readDirectory, type DirectorySnapshot, type ReadProgress } from '../connectors/ldap/read-directory.js';
import { LdapUnavailableError } from '../connectors/ldap/directory-client.js';
import { normalizeDn } from '../connectors/ldap/settings.js';
import { GatewayError } from '../errors/gateway-error.js';
import { newId } from '../http/ids.js';
import { pickUsernameFrom, rolesFor } from '../login/sso/provision-user.js';
import { reconcileAll, type MembershipChange } from './group-sync.js';
import { deactivateUser } from './user-routes.js';
import { displayName, normalizeEmail, validateNewUser, type UserRow } from './users.js';

export interface SyncCounts {
  directoryUsers: number;
  skipped: number;
  groups: number;
  updated: number;
  deactivated: number;
  reactivated: number;
  created: number;
  membershipsAdded: number;
  membershipsRemoved: number;
  teamOrChannelChanges: number;
}

export interface SyncPlan {
  update: { userId: string; username: string; fields: Partial<UserRow> }[];
  /** System roles that follow adminGroups / guestGroups. */
  roles: { userId: string; username: string; roles: string[] }[];
  deactivate: { userId: string; username: string; reason: string }[];
  reactivate: { userId: string; username: string }[];
  create: { username: string; subject: string }[];
  membershipsAdded: number;
  membershipsRemoved: number;
  groupsNew: number;
  groupsGone: number;
  memberships: MembershipChange[];
}

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

export type SyncProgress = ReadProgress | { phase: 'apply'; done: number; total: number };

const LOCK_MARGIN_MS = 60_000;
const lockName = (connectorId: string) => `ldap-sync:${connectorId}`;

interface KnownUser {
  subject: string;
  userId: string;
  syncDeactivated: boolean;
  dn: string;
  user: UserRow;
}

async function knownUsers(ctx: GatewayContext, connectorId: string): Promise<Map<string, KnownUser>> {
  const rows = await ctx.db.selectFrom('identities').innerJoin('users', 'users.id', 'identities.user_id')
    .selectAll('users').select(['identities.subject', 'identities.sync_deactivated', 'identities.dn as identity_dn'])
    .where('identities.connector_id', '=', connectorId).execute();
  return new Map(rows.map((r) => {
    const { subject, sync_deactivated: syncDeactivated, identity_dn: dn, ...user } = r;
    return [subject, { subject, userId: user.id, syncDeactivated: syncDeactivated === 1, dn, user: user as UserRow }];
  }));
}

function profileChanges(user: UserRow, d: DirectoryUser): Partial<UserRow> {
  const wanted: Partial<UserRow> = {
    first_name: d.firstName?.slice(0, 64) ?? '', last_name: d.lastName?.slice(0, 64) ?? '',
    position: d.position?.slice(0, 128) ?? '', ...(d.nickname !== undefined ? { nickname: d.nickname.slice(0, 64) } : {}),
    ...(d.email ? { email: d.email } : {}),
  };
  return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => v !== user[k as keyof UserRow])) as Partial<UserRow>;
}

/** Whether a user matched adminFilter / guestFilter in this read (undefined where the filter is not set). */
const filterSets = new WeakMap<DirectorySnapshot, { admin?: Set<string>; guest?: Set<string> }>();
function roleFilters(snap: DirectorySnapshot, id: string): { admin?: boolean; guest?: boolean } {
  let sets = filterSets.get(snap);
  if (!sets) {
    sets = { ...(snap.adminIds ? { admin: new Set(snap.adminIds) } : {}), ...(snap.guestIds ? { guest: new Set(snap.guestIds) } : {}) };
    filterSets.set(snap, sets);
  }
  return { ...(sets.admin ? { admin: sets.admin.has(id) } : {}), ...(sets.guest ? { guest: sets.guest.has(id) } : {}) };
}

/** Per user (stable id), the adminGroups / guestGroups they are in (nested included), as login would see them. */
function adminGuestGroups(connector: LdapConnector, snap: DirectorySnapshot): Map<string, DirectoryGroup[]> {
  const s = connector.settings;
  const byUser = new Map<string, DirectoryGroup[]>();
  for (const g of snap.groups) {
    const dnKey = normalizeDn(g.dn);
    if (!s.adminGroups.has(dnKey) && !s.guestGroups.has(dnKey)) continue;
    for (const id of g.memberIds) (byUser.get(id) ?? byUser.set(id, []).get(id)!).push({ dn: g.dn, dnKey, id: g.id, name: g.name });
  }
  return byUser;
}

async function plan(ctx: GatewayContext, connector: LdapConnector, snap: DirectorySnapshot): Promise<{ plan: SyncPlan; known: Map<string, KnownUser>; pendingMembers: Map<string, string[]>; groupIds: Map<string, string> }> {
  const s = connector.settings;
  const known = await knownUsers(ctx, s.id);
  const found = new Map(snap.users.map((u) => [u.id, u]));
  const roleGroups = adminGuestGroups(connector, snap);
  const p: SyncPlan = { update: [], roles: [], deactivate: [], reactivate: [], create: [], membershipsAdded: 0, membershipsRemoved: 0, groupsNew: 0, groupsGone: 0, memberships: [] };
  const left = new Set(snap.left);
  for (const k of known.values()) {
    const d = found.get(k.subject);
    if (!d) {
      // A full read proves absence; an incremental one only what changed.
      const gone = snap.complete || left.has(k.subject);
      if (gone && k.user.delete_at === 0) p.deactivate.push({ userId: k.userId, username: k.user.username, reason: left.has(k.subject) ? 'outside the user filter, or disabled' : 'not found under the user filter' });
      continue;
    }
    if (k.user.delete_at > 0 && k.syncDeactivated) p.reactivate.push({ userId: k.userId, username: k.user.username });
    const fields = profileChanges(k.user, d);
    if (Object.keys(fields).length > 0) p.update.push({ userId: k.userId, username: k.user.username, fields });
    const roles = rolesFor(connector.identityOf(d, roleGroups.get(d.id) ?? [], roleFilters(snap, d.id)), k.user.roles.split(' '));
    if (roles.join(' ') !== k.user.roles) p.roles.push({ userId: k.userId, username: k.user.username, roles });
  }
  if (s.sync.createUsers) for (const d of snap.users) if (!known.has(d.id)) p.create.push({ username: d.username, subject: d.id });

  // Groups: stable id → local group id; effective members mapped to local users.
  const existing = await ctx.db.selectFrom('groups').select(['id', 'external_id', 'delete_at']).where('source', '=', s.id).execute();
  const groupIds = new Map(existing.map((g) => [g.external_id, g.id]));
  const seen = new Set(snap.groups.map((g) => g.id));
  p.groupsNew = snap.groups.filter((g) => !groupIds.has(g.id)).length;
  p.groupsGone = existing.filter((g) => g.delete_at === 0 && !seen.has(g.external_id)).length;
  const localOf = new Map([...known.values()].map((k) => [k.subject, k.userId]));
  const pendingMembers = new Map<string, string[]>();
  const current = await ctx.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['group_members.group_id', 'group_members.user_id']).where('groups.source', '=', s.id).execute();
  const currentBy = new Map<string, Set<string>>();
  for (const r of current) (currentBy.get(r.group_id) ?? currentBy.set(r.group_id, new Set()).get(r.group_id)!).add(r.user_id);
  for (const g of snap.groups) {
    const members = g.memberIds.map((id) => localOf.get(id)).filter((x): x is string => x !== undefined);
    const local = groupIds.get(g.id);
    const have = local ? currentBy.get(local) ?? new Set<string>() : new Set<string>();
    const want = new Set(members);
    for (const m of want) if (!have.has(m)) p.membershipsAdded += 1;
    for (const m of have) if (!want.has(m)) p.membershipsRemoved += 1;
    if (local) pendingMembers.set(local, members);
  }
  for (const g of existing) if (!seen.has(g.external_id)) {
    p.membershipsRemoved += currentBy.get(g.id)?.size ?? 0;
    pendingMembers.set(g.id, []);
  }
  // Stable, readable order for reports and dry runs.
  const byName = (a: { username: string }, b: { username: string }) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0);
  for (const list of [p.update, p.roles, p.deactivate, p.reactivate, p.create]) list.sort(byName);
  return { plan: p, known, pendingMembers, groupIds };
}

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

async function apply(
  ctx: GatewayContext, connector: LdapConnector, snap: DirectorySnapshot, p: SyncPlan, known: Map<string, KnownUser>,
  groupIds: Map<string, string>, counts: SyncCounts, onProgress?: (p: SyncProgress) => void,
): Promise<void> {
  const s = connector.settings;
  const total = p.update.length + p.roles.length + p.deactivate.length + p.reactivate.length + p.create.length + snap.groups.length;
  let done = 0;
  const tick = () => { done += 1; if (done % 500 === 0 || done === total) onProgress?.({ phase: 'apply', done, total }); };
  for (const u of p.update) {
    try {
      await ctx.users.updateProfile(u.userId, u.fields as never);
      counts.updated += 1;
    } catch (err) {
      // An e-mail taken by another account: keep the rest of the profile in step.
      const { email: _e, ...rest } = u.fields;
      if (Object.keys(rest).length > 0) await ctx.users.updateProfile(u.userId, rest as never);
      ctx.logger.warn({ connector: s.id, user_id: u.userId, err: (err as Error).message }, 'directory e-mail belongs to another account; kept the old e-mail');
      counts.updated += 1;
    }
    await ctx.access.invalidate(u.userId);
    tick();
  }
  for (const r of p.roles) {
    await ctx.users.setRoles(r.userId, r.roles);
    await ctx.access.invalidate(r.userId);
    await ctx.audit.record('user.roles_changed', { subjectId: r.userId, details: { roles: r.roles.join(' '), source: s.id, by: 'directory_sync' } });
    tick();
  }
  for (const d of p.deactivate) {
    await deactivateUser(ctx, d.userId, '');
    await ctx.db.updateTable('identities').set({ sync_deactivated: 1 }).where('connector_id', '=', s.id).where('user_id', '=', d.userId).execute();
    counts.deactivated += 1;
    tick();
  }
  for (const r of p.reactivate) {
    await ctx.users.setDeactivated(r.userId, false);
    await ctx.db.updateTable('identities').set({ sync_deactivated: 0 }).where('connector_id', '=', s.id).where('user_id', '=', r.userId).execute();
    await ctx.access.invalidate(r.userId);
    await ctx.audit.record('user.reactivated', { subjectId: r.userId, details: { source: s.id } });
    const user = await ctx.users.require(r.userId);
    await ctx.chat.push([{ type: 'user.upserted', user: { id: user.id, username: user.username, display_name: displayName(user), guest: user.roles.includes('system_guest'), deactivated: false } }]);
    counts.reactivated += 1;
    tick();
  }
  const byId = new Map(snap.users.map((u) => [u.id, u]));
  for (const d of snap.users) {
    const k = known.get(d.id);
    if (k && k.dn !== d.dn) await ctx.db.updateTable('identities').set({ dn: d.dn.slice(0, 2048) }).where('connector_id', '=', s.id).where('subject', '=', d.id).execute();
  }
  const localOf = new Map([...known.values()].map((k) => [k.subject, k.userId]));
  if (p.create.length > 0) counts.created = await createUsers(ctx, connector, snap, p.create.map((c) => byId.get(c.subject)!), adminGuestGroups(connector, snap), localOf, (n) => { for (let i = 0; i < n; i += 1) tick(); });
  // Groups and effective memberships, one group per transaction.
  const at = ctx.now();
  counts.membershipsAdded = 0;
  counts.membershipsRemoved = 0;
  const stored = new Map((await ctx.db.selectFrom('groups').select(['id', 'external_id', 'display_name', 'dn', 'delete_at']).where('source', '=', s.id).execute()).map((g) => [g.external_id, g]));
  const storedMembers = new Map<string, Set<string>>();
  for (const r of await ctx.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id').select(['group_members.group_id', 'group_members.user_id']).where('groups.source', '=', s.id).execute()) {
    (storedMembers.get(r.group_id) ?? storedMembers.set(r.group_id, new Set()).get(r.group_id)!).add(r.user_id);
  }
  for (const g of snap.groups) {
    const members = [...new Set(g.memberIds.map((id) => localOf.get(id)).filter((x): x is string => x !== undefined))];
    const row = stored.get(g.id);
    const have = row ? storedMembers.get(row.id) ?? new Set<string>() : undefined;
    // Most groups of most syncs are unchanged: no transaction for them.
    if (row && have && row.delete_at === 0 && row.display_name === g.name.slice(0, 256) && row.dn === g.dn.slice(0, 2048)
      && have.size === members.length && members.every((m) => have.has(m))) { tick(); continue; }
    await ctx.db.transaction().execute(async (trx) => {
      let id = groupIds.get(g.id);
      if (!id) {
        id = newId();
        await trx.insertInto('groups').values({ id, source: s.id, external_id: g.id, display_name: g.name.slice(0, 256), dn: g.dn.slice(0, 2048), create_at: at, update_at: at }).execute();
        groupIds.set(g.id, id);
      } else {
        await trx.updateTable('groups').set({ display_name: g.name.slice(0, 256), dn: g.dn.slice(0, 2048), delete_at: 0, update_at: at }).where('id', '=', id)
          .where((eb) => eb.or([eb('display_name', '!=', g.name.slice(0, 256)), eb('dn', '!=', g.dn.slice(0, 2048)), eb('delete_at', '!=', 0)])).execute();
      }
      const have = new Set((await trx.selectFrom('group_members').select('user_id').where('group_id', '=', id).execute()).map((r) => r.user_id));
      const want = new Set(members);
      const stale = [...have].filter((m) => !want.has(m));
      for (let i = 0; i < stale.length; i += 500) await trx.deleteFrom('group_members').where('group_id', '=', id).where('user_id', 'in', stale.slice(i, i + 500)).execute();
      const fresh = members.filter((m) => !have.has(m));
      counts.membershipsAdded += fresh.length;
      counts.membershipsRemoved += stale.length;
      for (let i = 0; i < fresh.length; i += 500) await trx.insertInto('group_members').values(fresh.slice(i, i + 500).map((user_id) => ({ group_id: id!, user_id, create_at: at }))).execute();
    });
    tick();
  }
  const seen = new Set(snap.groups.map((g) => g.id));
  for (const [externalId, id] of groupIds) {
    if (seen.has(externalId)) continue;
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('groups').set({ delete_at: at, update_at: at }).where('id', '=', id).where('delete_at', '=', 0).execute();
      await trx.deleteFrom('group_members').where('group_id', '=', id).execute();
    });
  }
}

const CREATE_BATCH = 500;

/**
 * Pre-create accounts (sync.createUsers) in transactions of CREATE_BATCH rows: users, their
 * identity links and the audit rows in multi-row inserts. Usernames and e-mails already taken are
 * checked against sets loaded once; a directory user whose e-mail belongs to another account, or
 * who has none, is skipped and logged (they can still sign in if e-mail linking allows it).
 */
async function createUsers(
  ctx: GatewayContext, connector: LdapConnector, snap: DirectorySnapshot, users: DirectoryUser[], roleGroups: Map<string, DirectoryGroup[]>,
  localOf: Map<string, string>, onBatch: (done: number) => void,
): Promise<number> {
  const s = connector.settings;
  const names = new Set((await ctx.db.selectFrom('users').select('username').execute()).map((r) => r.username));
  const emails = new Set((await ctx.db.selectFrom('users').select('email').execute()).map((r) => r.email));
  let created = 0;
  let skipped = 0;
  for (let i = 0; i < users.length; i += CREATE_BATCH) {
    const at = ctx.now();
    const rows: UserRow[] = [];
    const links: { connector_id: string; subject: string; user_id: string; email: string; create_at: number; last_login_at: number; dn: string }[] = [];
    for (const d of users.slice(i, i + CREATE_BATCH)) {
      const identity = connector.identityOf(d, roleGroups.get(d.id) ?? [], roleFilters(snap, d.id));
      const email = normalizeEmail(identity.email);
      const username = await pickUsernameFrom(identity, (n) => names.has(n));
      try {
        validateNewUser({ username, email, firstName: identity.firstName, lastName: identity.lastName, nickname: identity.nickname });
      } catch {
        skipped += 1;
        continue;
      }
      if (emails.has(email)) { skipped += 1; continue; }
      names.add(username);
      emails.add(email);
      const row: UserRow = {
        id: newId(), username, email, email_verified: identity.emailVerified ? 1 : 0, first_name: identity.firstName?.slice(0, 64) ?? '',
        last_name: identity.lastName?.slice(0, 64) ?? '', nickname: identity.nickname?.slice(0, 64) ?? '', position: identity.position?.slice(0, 128) ?? '',
        locale: 'en', roles: rolesFor(identity, []).join(' '), password_hash: null, auth_service: s.id, create_at: at, update_at: at, delete_at: 0, last_password_update: 0, expires_at: 0,
      };
      rows.push(row);
      links.push({ connector_id: s.id, subject: d.id, user_id: row.id, email, create_at: at, last_login_at: 0, dn: d.dn.slice(0, 2048) });
    }
    if (rows.length > 0) {
      await ctx.db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(rows).execute();
        await trx.insertInto('identities').values(links).execute();
        await trx.insertInto('audit_log').values(rows.map((r) => ({ at, event: 'user.created', actor_id: '', subject_id: r.id, ip: '', details: JSON.stringify({ source: s.id, by: 'directory_sync' }) }))).execute();
      });
      for (const [k, r] of rows.entries()) localOf.set(links[k]!.subject, r.id);
      created += rows.length;
    }
    onBatch(Math.min(CREATE_BATCH, users.length - i));
  }
  ctx.logger.info({ connector: s.id, created, skipped }, 'directory users pre-created');
  if (skipped > 0) ctx.logger.warn({ connector: s.id, skipped }, 'directory users not pre-created: no valid e-mail or username, or the e-mail belongs to another account');
  return created;
}

/** The last runs of a connector, newest first. */
export async function syncHistory(ctx: GatewayContext, connectorId?: string, limit = 20) {
  let q = ctx.db.selectFrom('sync_runs').selectAll().orderBy('start_at', 'desc').limit(limit);
  if (connectorId) q = q.where('connector_id', '=', connectorId);
  return (await q.execute()).map((r) => ({ ...r, counts: JSON.parse(r.counts) as Partial<SyncCounts> }));
}
