/**
 * The decision step of a directory sync: from what the directory holds and what the gateway knows,
 * every change a sync would make — profile and role updates, deactivations, reactivations,
 * accounts to create, group membership counts — with nothing written. The safety valve and dry
 * runs read this plan (src/directory/ldap-sync.ts); src/directory/ldap-sync-apply.ts carries it out.
 */
import type { GatewayContext } from '../context.js';
import type { LdapConnector } from '../connectors/ldap/create-ldap-connector.js';
import type { DirectoryUser } from '../connectors/ldap/entries.js';
import type { DirectoryGroup } from '../connectors/ldap/user-groups.js';
import type { DirectorySnapshot, ReadProgress } from '../connectors/ldap/read-directory.js';
import { normalizeDn } from '../connectors/ldap/settings.js';
import { rolesFor } from '../login/sso/provision-user.js';
import type { MembershipChange } from './group-sync.js';
import type { UserRow } from './users.js';

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

export type SyncProgress = ReadProgress | { phase: 'apply'; done: number; total: number };

export interface KnownUser {
  subject: string;
  userId: string;
  syncDeactivated: boolean;
  dn: string;
  user: UserRow;
}

export async function knownUsers(ctx: GatewayContext, connectorId: string): Promise<Map<string, KnownUser>> {
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
export function roleFilters(snap: DirectorySnapshot, id: string): { admin?: boolean; guest?: boolean } {
  let sets = filterSets.get(snap);
  if (!sets) {
    sets = { ...(snap.adminIds ? { admin: new Set(snap.adminIds) } : {}), ...(snap.guestIds ? { guest: new Set(snap.guestIds) } : {}) };
    filterSets.set(snap, sets);
  }
  return { ...(sets.admin ? { admin: sets.admin.has(id) } : {}), ...(sets.guest ? { guest: sets.guest.has(id) } : {}) };
}

/** Per user (stable id), the adminGroups / guestGroups they are in (nested included), as login would see them. */
export function adminGuestGroups(connector: LdapConnector, snap: DirectorySnapshot): Map<string, DirectoryGroup[]> {
  const s = connector.settings;
  const byUser = new Map<string, DirectoryGroup[]>();
  for (const g of snap.groups) {
    const dnKey = normalizeDn(g.dn);
    if (!s.adminGroups.has(dnKey) && !s.guestGroups.has(dnKey)) continue;
    for (const id of g.memberIds) (byUser.get(id) ?? byUser.set(id, []).get(id)!).push({ dn: g.dn, dnKey, id: g.id, name: g.name });
  }
  return byUser;
}

export async function plan(ctx: GatewayContext, connector: LdapConnector, snap: DirectorySnapshot): Promise<{ plan: SyncPlan; known: Map<string, KnownUser>; pendingMembers: Map<string, string[]>; groupIds: Map<string, string> }> {
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
