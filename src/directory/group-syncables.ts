/**
 * Group syncables (Mattermost's model): a group linked to a team or a channel, with `auto_add`
 * (members are added by sync) and `scheme_admin` (they get the admin role there). Unlinking marks
 * the row deleted; re-linking revives it.
 */
import type { Kysely, Selectable } from 'kysely';
import type { GatewayDatabase, GroupChannelsTable, GroupTeamsTable } from '../store/sql/schema.js';

export type GroupTeamRow = Selectable<GroupTeamsTable>;
export type GroupChannelRow = Selectable<GroupChannelsTable>;

export interface SyncableOptions {
  autoAdd: boolean;
  schemeAdmin: boolean;
}

export function createGroupSyncables(db: Kysely<GatewayDatabase>, now: () => number) {
  return {
    async linkTeam(groupId: string, teamId: string, o: SyncableOptions): Promise<GroupTeamRow> {
      const at = now();
      const row: GroupTeamRow = { group_id: groupId, team_id: teamId, auto_add: o.autoAdd ? 1 : 0, scheme_admin: o.schemeAdmin ? 1 : 0, create_at: at, update_at: at, delete_at: 0 };
      await db.insertInto('group_teams').values(row)
        .onConflict((oc) => oc.columns(['group_id', 'team_id']).doUpdateSet({ auto_add: row.auto_add, scheme_admin: row.scheme_admin, update_at: at, delete_at: 0 }))
        .execute();
      return (await db.selectFrom('group_teams').selectAll().where('group_id', '=', groupId).where('team_id', '=', teamId).executeTakeFirstOrThrow());
    },
    async unlinkTeam(groupId: string, teamId: string): Promise<boolean> {
      const res = await db.updateTable('group_teams').set({ delete_at: now(), update_at: now() })
        .where('group_id', '=', groupId).where('team_id', '=', teamId).where('delete_at', '=', 0).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async linkChannel(groupId: string, channelId: string, teamId: string, o: SyncableOptions): Promise<GroupChannelRow> {
      const at = now();
      const row: GroupChannelRow = { group_id: groupId, channel_id: channelId, team_id: teamId, auto_add: o.autoAdd ? 1 : 0, scheme_admin: o.schemeAdmin ? 1 : 0, create_at: at, update_at: at, delete_at: 0 };
      await db.insertInto('group_channels').values(row)
        .onConflict((oc) => oc.columns(['group_id', 'channel_id']).doUpdateSet({ auto_add: row.auto_add, scheme_admin: row.scheme_admin, team_id: teamId, update_at: at, delete_at: 0 }))
        .execute();
      return (await db.selectFrom('group_channels').selectAll().where('group_id', '=', groupId).where('channel_id', '=', channelId).executeTakeFirstOrThrow());
    },
    async unlinkChannel(groupId: string, channelId: string): Promise<boolean> {
      const res = await db.updateTable('group_channels').set({ delete_at: now(), update_at: now() })
        .where('group_id', '=', groupId).where('channel_id', '=', channelId).where('delete_at', '=', 0).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async teamLinks(teamId: string): Promise<GroupTeamRow[]> {
      return db.selectFrom('group_teams').selectAll().where('team_id', '=', teamId).where('delete_at', '=', 0).execute();
    },
    async channelLinks(channelId: string): Promise<GroupChannelRow[]> {
      return db.selectFrom('group_channels').selectAll().where('channel_id', '=', channelId).where('delete_at', '=', 0).execute();
    },
    async linksOfGroup(groupId: string): Promise<{ teams: GroupTeamRow[]; channels: GroupChannelRow[] }> {
      const [teams, channels] = await Promise.all([
        db.selectFrom('group_teams').selectAll().where('group_id', '=', groupId).where('delete_at', '=', 0).execute(),
        db.selectFrom('group_channels').selectAll().where('group_id', '=', groupId).where('delete_at', '=', 0).execute(),
      ]);
      return { teams, channels };
    },
    /** Teams and channels with a live link, or teams constrained to groups: what a full reconcile visits. */
    async syncTargets(): Promise<{ teamIds: string[]; channelIds: string[] }> {
      const teams = await db.selectFrom('group_teams').select('team_id').where('delete_at', '=', 0).distinct().execute();
      const constrained = await db.selectFrom('teams').select('id').where('group_constrained', '=', 1).where('delete_at', '=', 0).execute();
      const channels = await db.selectFrom('group_channels').select('channel_id').where('delete_at', '=', 0).distinct().execute();
      return { teamIds: [...new Set([...teams.map((t) => t.team_id), ...constrained.map((t) => t.id)])], channelIds: channels.map((c) => c.channel_id) };
    },
    /** Live links of any of these groups (the groups one user is in). */
    async linksOfGroups(groupIds: string[]): Promise<{ teams: GroupTeamRow[]; channels: GroupChannelRow[] }> {
      if (groupIds.length === 0) return { teams: [], channels: [] };
      const [teams, channels] = await Promise.all([
        db.selectFrom('group_teams').selectAll().where('group_id', 'in', groupIds).where('delete_at', '=', 0).execute(),
        db.selectFrom('group_channels').selectAll().where('group_id', 'in', groupIds).where('delete_at', '=', 0).execute(),
      ]);
      return { teams, channels };
    },
  };
}

export type GroupSyncables = ReturnType<typeof createGroupSyncables>;
