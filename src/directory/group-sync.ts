/**
 * Applying group links to team and channel membership (Mattermost's group sync):
 * - an `auto_add` link adds the group's active members; a `scheme_admin` link makes them admins;
 * - a group-constrained team or channel holds exactly the union of its linked groups' members:
 *   anyone else (guests included) is removed, and admin roles follow the links;
 * - elsewhere links only add, and only take back the admin role they granted themselves.
 * Every function returns the changes it made (or, with `dryRun`, would make).
 */
import type { GatewayContext } from '../context.js';
import type { ProvisionEvent } from '../../chat-core/contract.js';
import { userUpserted } from './chat-provisioner.js';
import { createGroupSyncables, type GroupChannelRow, type GroupTeamRow } from './group-syncables.js';

export type MembershipChangeKind = 'team.add' | 'team.remove' | 'team.promote' | 'team.demote' | 'channel.add' | 'channel.remove' | 'channel.promote' | 'channel.demote';

export interface MembershipChange {
  kind: MembershipChangeKind;
  /** Team or channel id. */
  target: string;
  userId: string;
}

export interface ReconcileOptions {
  dryRun?: boolean;
  /** Restrict to one user (after that user's login). */
  onlyUser?: string;
  /** A dry run's view of what the sync would write: group members by group id, and users it would deactivate. */
  pending?: { groupMembers: Map<string, string[]>; deactivated: Set<string> };
}

interface Wanted {
  autoAdd: boolean;
  admin: boolean;
  guest: boolean;
}

/** Active members of the linked groups, with what the links give them. */
async function wantedMembers(ctx: GatewayContext, links: (GroupTeamRow | GroupChannelRow)[], opts: ReconcileOptions): Promise<Map<string, Wanted>> {
  const wanted = new Map<string, Wanted>();
  if (links.length === 0) return wanted;
  const byGroup = new Map(links.map((l) => [l.group_id, l]));
  let rows: { group_id: string; user_id: string; roles: string }[] = [];
  const pending = opts.pending;
  const stored = pending ? [...byGroup.keys()].filter((g) => !pending.groupMembers.has(g)) : [...byGroup.keys()];
  if (stored.length > 0) {
    let q = ctx.db.selectFrom('group_members').innerJoin('users', 'users.id', 'group_members.user_id')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select(['group_members.group_id', 'group_members.user_id', 'users.roles'])
      .where('group_members.group_id', 'in', stored).where('users.delete_at', '=', 0).where('groups.delete_at', '=', 0);
    if (opts.onlyUser) q = q.where('group_members.user_id', '=', opts.onlyUser);
    rows = await q.execute();
  }
  if (pending) {
    const ids = [...byGroup.keys()].flatMap((g) => pending.groupMembers.get(g) ?? []);
    const roles = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = [...new Set(ids.slice(i, i + 500))];
      for (const u of await ctx.db.selectFrom('users').select(['id', 'roles']).where('id', 'in', chunk).where('delete_at', '=', 0).execute()) roles.set(u.id, u.roles);
    }
    for (const g of byGroup.keys()) for (const userId of pending.groupMembers.get(g) ?? []) {
      const r = roles.get(userId);
      if (r !== undefined && (!opts.onlyUser || opts.onlyUser === userId)) rows.push({ group_id: g, user_id: userId, roles: r });
    }
    rows = rows.filter((r) => !pending.deactivated.has(r.user_id));
  }
  for (const row of rows) {
    const link = byGroup.get(row.group_id)!;
    const w = wanted.get(row.user_id) ?? { autoAdd: false, admin: false, guest: row.roles.split(' ').includes('system_guest') };
    w.autoAdd ||= link.auto_add === 1;
    w.admin ||= link.scheme_admin === 1;
    wanted.set(row.user_id, w);
  }
  return wanted;
}

const teamRoles = (w: Wanted) => (w.guest ? ['team_guest'] : w.admin ? ['team_user', 'team_admin'] : ['team_user']);

export async function reconcileTeam(ctx: GatewayContext, teamId: string, opts: ReconcileOptions = {}): Promise<MembershipChange[]> {
  const team = await ctx.teams.get(teamId);
  if (!team) return [];
  const syncables = createGroupSyncables(ctx.db, ctx.now);
  const links = await syncables.teamLinks(teamId);
  const constrained = team.group_constrained === 1;
  const wanted = await wantedMembers(ctx, links, opts);
  if (constrained) for (const [id, w] of wanted) if (w.guest) wanted.delete(id);
  let q = ctx.db.selectFrom('team_members').select(['user_id', 'roles', 'scheme_admin_by_group']).where('team_id', '=', teamId).where('delete_at', '=', 0);
  if (opts.onlyUser) q = q.where('user_id', '=', opts.onlyUser);
  const current = new Map((await q.execute()).map((m) => [m.user_id, m]));
  const changes: MembershipChange[] = [];
  const touched = new Set<string>();
  const removed: ProvisionEvent[] = [];
  const provisioned: ProvisionEvent[] = [];
  const change = async (kind: MembershipChangeKind, userId: string, apply: () => Promise<unknown>) => {
    changes.push({ kind, target: teamId, userId });
    if (opts.dryRun) return;
    await apply();
    touched.add(userId);
  };
  for (const [userId, w] of wanted) {
    const cur = current.get(userId);
    if (!cur) {
      if (w.autoAdd) {
        await change('team.add', userId, async () => {
          await ctx.teams.addMember(teamId, userId, teamRoles(w), w.admin && !w.guest);
          provisioned.push({ type: 'team.member_added', team_id: teamId, user_id: userId });
        });
      }
      continue;
    }
    const isAdmin = cur.roles.split(' ').includes('team_admin');
    if (w.admin && !w.guest && !isAdmin) await change('team.promote', userId, () => ctx.teams.setMemberRoles(teamId, userId, ['team_user', 'team_admin'], true));
    else if (!w.admin && isAdmin && (cur.scheme_admin_by_group === 1 || constrained)) await change('team.demote', userId, () => ctx.teams.setMemberRoles(teamId, userId, ['team_user']));
  }
  for (const [userId, cur] of current) {
    if (wanted.has(userId)) continue;
    if (constrained) {
      await change('team.remove', userId, async () => {
        await ctx.teams.removeMember(teamId, userId);
        removed.push({ type: 'team.member_removed', team_id: teamId, user_id: userId });
      });
    } else if (cur.scheme_admin_by_group === 1 && cur.roles.split(' ').includes('team_admin')) {
      await change('team.demote', userId, () => ctx.teams.setMemberRoles(teamId, userId, ['team_user']));
    }
  }
  if (!opts.dryRun) await afterChanges(ctx, changes, touched, [...provisioned, ...removed]);
  return changes;
}

export async function reconcileChannel(ctx: GatewayContext, channelId: string, opts: ReconcileOptions = {}): Promise<MembershipChange[]> {
  const syncables = createGroupSyncables(ctx.db, ctx.now);
  const links = await syncables.channelLinks(channelId);
  const channel = await ctx.chat.getChannel(channelId);
  if (!channel) {
    if (links.length > 0) ctx.logger.warn({ channel_id: channelId }, 'a group-linked channel no longer exists in chat-core; its links are kept until unlinked');
    return [];
  }
  const team = await ctx.teams.get(channel.team_id);
  if (!team) return [];
  const constrained = channel.group_constrained;
  const wanted = await wantedMembers(ctx, links, opts);
  if (constrained) for (const [id, w] of wanted) if (w.guest) wanted.delete(id);
  const current = new Map(channel.members.filter((m) => !opts.onlyUser || m.user_id === opts.onlyUser).map((m) => [m.user_id, m]));
  // A constrained team admits only its own groups' members, even through a channel link.
  const teamWanted = team.group_constrained === 1 ? await wantedMembers(ctx, await syncables.teamLinks(team.id), opts) : undefined;
  const changes: MembershipChange[] = [];
  const events: ProvisionEvent[] = [];
  const touched = new Set<string>();
  const record = (kind: MembershipChangeKind, target: string, userId: string) => changes.push({ kind, target, userId });
  for (const [userId, w] of wanted) {
    const cur = current.get(userId);
    if (!cur) {
      if (!w.autoAdd) continue;
      const member = await ctx.teams.getMember(team.id, userId);
      if (!member) {
        if (teamWanted && !teamWanted.has(userId)) continue;
        record('team.add', team.id, userId);
        if (!opts.dryRun) {
          await ctx.teams.addMember(team.id, userId, teamRoles({ ...w, admin: false }));
          touched.add(userId);
        }
      }
      record('channel.add', channelId, userId);
      const user = await ctx.users.get(userId);
      if (user) {
        events.push(userUpserted(user, w.guest));
        events.push({ type: 'channel.member_added', channel_id: channelId, user_id: userId, scheme_admin: w.admin && !w.guest });
      }
      continue;
    }
    if (w.admin && !w.guest && !cur.scheme_admin) {
      record('channel.promote', channelId, userId);
      events.push({ type: 'channel.member_added', channel_id: channelId, user_id: userId, scheme_admin: true });
    } else if (!w.admin && cur.scheme_admin && constrained) {
      record('channel.demote', channelId, userId);
      events.push({ type: 'channel.member_added', channel_id: channelId, user_id: userId, scheme_admin: false });
    }
  }
  if (constrained) {
    for (const userId of current.keys()) {
      if (wanted.has(userId)) continue;
      record('channel.remove', channelId, userId);
      events.push({ type: 'channel.member_removed', channel_id: channelId, user_id: userId });
    }
  }
  if (!opts.dryRun) {
    if (events.length > 0 && !(await ctx.chat.push(events))) {
      ctx.logger.warn({ channel_id: channelId, events: events.length }, 'chat-core did not take the channel membership changes; the next sync retries');
    }
    await afterChanges(ctx, changes.filter((c) => c.kind.startsWith('team.')), touched, []);
  }
  return changes;
}

async function afterChanges(ctx: GatewayContext, changes: MembershipChange[], touched: Set<string>, events: ProvisionEvent[]): Promise<void> {
  for (const userId of touched) await ctx.access.invalidate(userId);
  if (events.length > 0) await ctx.chat.push(events);
  for (const c of changes) {
    const event = c.kind === 'team.add' ? 'team.member_added' : c.kind === 'team.remove' ? 'team.member_removed' : c.kind.startsWith('team.') ? 'team.member_roles_changed' : undefined;
    if (event) await ctx.audit.record(event, { subjectId: c.userId, details: { team_id: c.target, by: 'group_sync', change: c.kind } });
  }
}

/** Every linked or constrained team and channel. */
export async function reconcileAll(ctx: GatewayContext, opts: ReconcileOptions = {}): Promise<MembershipChange[]> {
  const { teamIds, channelIds } = await createGroupSyncables(ctx.db, ctx.now).syncTargets();
  const changes: MembershipChange[] = [];
  for (const id of teamIds) changes.push(...(await reconcileTeam(ctx, id, opts)));
  for (const id of channelIds) {
    try {
      changes.push(...(await reconcileChannel(ctx, id, opts)));
    } catch (err) {
      ctx.logger.warn({ channel_id: id, err: (err as Error).message }, 'channel group sync skipped: chat-core unavailable');
    }
  }
  return changes;
}

/**
 * After one user's login brought their groups: the teams and channels their groups link to, and
 * the constrained teams they are in. Channel work that chat-core cannot take now waits for the next sync.
 */
export async function reconcileUser(ctx: GatewayContext, userId: string): Promise<MembershipChange[]> {
  // Two small queries on the sign-in path: the teams and channels linked to the user's groups, and
  // the teams where sync may have to take something back (constrained, or an admin role by group).
  const [linked, held] = await Promise.all([
    ctx.db.selectFrom('group_members')
      .leftJoin('group_teams', (j) => j.onRef('group_teams.group_id', '=', 'group_members.group_id').on('group_teams.delete_at', '=', 0))
      .leftJoin('group_channels', (j) => j.onRef('group_channels.group_id', '=', 'group_members.group_id').on('group_channels.delete_at', '=', 0))
      .select(['group_teams.team_id as team_id', 'group_channels.channel_id as channel_id'])
      .where('group_members.user_id', '=', userId)
      .where((eb) => eb.or([eb('group_teams.team_id', 'is not', null), eb('group_channels.channel_id', 'is not', null)]))
      .execute(),
    ctx.db.selectFrom('team_members').innerJoin('teams', 'teams.id', 'team_members.team_id').select('teams.id')
      .where('team_members.user_id', '=', userId).where('team_members.delete_at', '=', 0)
      .where((eb) => eb.or([eb('teams.group_constrained', '=', 1), eb('team_members.scheme_admin_by_group', '=', 1)])).execute(),
  ]);
  const teamIds = new Set([...linked.flatMap((r) => (r.team_id ? [r.team_id] : [])), ...held.map((t) => t.id)]);
  const channelIds = new Set(linked.flatMap((r) => (r.channel_id ? [r.channel_id] : [])));
  const changes: MembershipChange[] = [];
  for (const id of teamIds) changes.push(...(await reconcileTeam(ctx, id, { onlyUser: userId })));
  for (const id of channelIds) {
    try {
      changes.push(...(await reconcileChannel(ctx, id, { onlyUser: userId })));
    } catch (err) {
      ctx.logger.warn({ channel_id: id, err: (err as Error).message }, 'channel group sync at login skipped: chat-core unavailable');
    }
  }
  return changes;
}
