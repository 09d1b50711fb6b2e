/**
 * Groups and their links to teams and channels, Mattermost-shaped (`/api/v4/groups…`), and the LDAP
 * admin API (`/api/v4/ldap/sync`, `/api/v4/ldap/groups…`). All of it is system-admin only.
 */
import type { Request } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { body, pagination } from '../http/params.js';
import { isId } from '../http/ids.js';
import { createGroupSyncables, type GroupChannelRow, type GroupTeamRow } from './group-syncables.js';
import { reconcileChannel, reconcileTeam } from './group-sync.js';
import { runLdapSync, syncHistory, type SyncReport } from './ldap-sync.js';
import type { GroupsTable } from '../store/sql/schema.js';
import type { Selectable } from 'kysely';

type GroupRow = Selectable<GroupsTable>;
const SYSTEM = { kind: 'system', permission: 'manage_system' } as const;

export function toMattermostGroup(g: GroupRow, extra: { memberCount?: number; hasSyncables?: boolean; ldap: boolean }) {
  return {
    id: g.id, name: g.display_name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').slice(0, 64), display_name: g.display_name,
    description: g.dn, source: extra.ldap ? 'ldap' : g.source, remote_id: g.external_id,
    create_at: g.create_at, update_at: g.update_at, delete_at: g.delete_at, has_syncables: extra.hasSyncables ?? false,
    member_count: extra.memberCount ?? 0, allow_reference: false, scheme_admin: false,
  };
}

function toSyncable(row: GroupTeamRow | GroupChannelRow) {
  const base = { group_id: row.group_id, auto_add: row.auto_add === 1, scheme_admin: row.scheme_admin === 1, create_at: row.create_at, update_at: row.update_at, delete_at: row.delete_at };
  return 'channel_id' in row ? { ...base, channel_id: row.channel_id, team_id: row.team_id, type: 'Channel' } : { ...base, team_id: row.team_id, type: 'Team' };
}

function syncableOptions(req: Request): { autoAdd: boolean; schemeAdmin: boolean } {
  const b = body(req);
  for (const k of ['auto_add', 'scheme_admin'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'boolean') throw new GatewayError('GROUP_SYNCABLE_INVALID', { message: `${k} must be true or false.`, publicDetail: k });
  }
  return { autoAdd: b.auto_add === undefined ? true : b.auto_add === true, schemeAdmin: b.scheme_admin === true };
}

function reportJson(r: SyncReport) {
  return {
    id: r.runId, connector_id: r.connectorId, dry_run: r.dryRun, status: r.status, reason: r.reason ?? '', start_at: r.startAt, end_at: r.endAt,
    counts: r.counts, cycles: r.cycles,
    ...(r.dryRun ? {
      would: {
        deactivate: r.plan.deactivate.map((d) => d.username), reactivate: r.plan.reactivate.map((d) => d.username),
        create: r.plan.create.map((d) => d.username), update: r.plan.update.map((d) => d.username),
        roles: r.plan.roles.map((d) => ({ username: d.username, roles: d.roles.join(' ') })),
        memberships: r.plan.memberships.map((m) => ({ kind: m.kind, target: m.target, user_id: m.userId })),
      },
    } : {}),
  };
}

export function groupRoutes(ctx: GatewayContext): RouteSpec[] {
  const syncables = createGroupSyncables(ctx.db, ctx.now);
  const ldapIds = () => new Set(ctx.connectors.ldap().map((c) => c.id));
  const requireGroup = async (req: Request): Promise<GroupRow> => {
    const id = String(req.params.group_id);
    const g = isId(id) ? await ctx.db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!g || g.delete_at > 0) throw new GatewayError('GROUP_NOT_FOUND');
    return g;
  };
  const requireTeam = async (req: Request) => {
    const team = await ctx.teams.get(String(req.params.team_id));
    if (!team) throw new GatewayError('TEAM_NOT_FOUND');
    return team;
  };
  const groupJson = async (g: GroupRow) => {
    const [{ n }] = await ctx.db.selectFrom('group_members').select((eb) => eb.fn.countAll<number>().as('n')).where('group_id', '=', g.id).execute() as [{ n: number }];
    const links = await syncables.linksOfGroup(g.id);
    return toMattermostGroup(g, { memberCount: Number(n), hasSyncables: links.teams.length + links.channels.length > 0, ldap: ldapIds().has(g.source) });
  };
  const ldapGroupByRemoteId = async (remoteId: string): Promise<GroupRow> => {
    const ids = [...ldapIds()];
    if (ids.length === 0) throw new GatewayError('LDAP_NOT_CONFIGURED');
    const g = await ctx.db.selectFrom('groups').selectAll().where('source', 'in', ids).where('external_id', '=', remoteId.toLowerCase()).where('delete_at', '=', 0).executeTakeFirst();
    if (!g) throw new GatewayError('LDAP_GROUP_NOT_FOUND', { detail: remoteId });
    return g;
  };
  return [
    {
      method: 'get', path: '/api/v4/groups', access: SYSTEM,
      async handler(req, res) {
        const { page, perPage } = pagination(req);
        let q = ctx.db.selectFrom('groups').selectAll().where('delete_at', '=', 0);
        const text = typeof req.query.q === 'string' ? req.query.q.trim().toLowerCase() : '';
        if (text) q = q.where('display_name', 'like', `%${text.replace(/[%_\\]/g, '')}%`);
        const rows = await q.orderBy('display_name').orderBy('id').limit(perPage).offset(page * perPage).execute();
        sendJson(res, 200, await Promise.all(rows.map(groupJson)));
      },
    },
    {
      method: 'get', path: '/api/v4/groups/:group_id', access: SYSTEM,
      async handler(req, res) { sendJson(res, 200, await groupJson(await requireGroup(req))); },
    },
    {
      method: 'get', path: '/api/v4/groups/:group_id/teams', access: SYSTEM,
      async handler(req, res) { sendJson(res, 200, (await syncables.linksOfGroup((await requireGroup(req)).id)).teams.map(toSyncable)); },
    },
    {
      method: 'get', path: '/api/v4/groups/:group_id/channels', access: SYSTEM,
      async handler(req, res) { sendJson(res, 200, (await syncables.linksOfGroup((await requireGroup(req)).id)).channels.map(toSyncable)); },
    },
    {
      method: 'post', path: '/api/v4/groups/:group_id/teams/:team_id/link', access: SYSTEM,
      async handler(req, res) {
        const [group, team] = [await requireGroup(req), await requireTeam(req)];
        const row = await syncables.linkTeam(group.id, team.id, syncableOptions(req));
        await ctx.audit.record('group.link_created', { actorId: req.principal!.userId, subjectId: group.id, details: { team_id: team.id, auto_add: row.auto_add, scheme_admin: row.scheme_admin } });
        await reconcileTeam(ctx, team.id);
        sendJson(res, 201, toSyncable(row));
      },
    },
    {
      method: 'delete', path: '/api/v4/groups/:group_id/teams/:team_id/link', access: SYSTEM,
      async handler(req, res) {
        const [group, team] = [await requireGroup(req), await requireTeam(req)];
        if (!(await syncables.unlinkTeam(group.id, team.id))) throw new GatewayError('GROUP_SYNCABLE_INVALID', { message: 'That group is not linked to that team.' });
        await ctx.audit.record('group.link_deleted', { actorId: req.principal!.userId, subjectId: group.id, details: { team_id: team.id } });
        await reconcileTeam(ctx, team.id);
        sendJson(res, 200, { status: 'OK' });
      },
    },
    {
      method: 'post', path: '/api/v4/groups/:group_id/channels/:channel_id/link', access: SYSTEM,
      async handler(req, res) {
        const group = await requireGroup(req);
        const channelId = String(req.params.channel_id);
        const channel = isId(channelId) ? await ctx.chat.getChannel(channelId) : undefined;
        if (!channel) throw new GatewayError('CHANNEL_NOT_FOUND');
        if (!(await ctx.teams.get(channel.team_id))) throw new GatewayError('TEAM_NOT_FOUND');
        const row = await syncables.linkChannel(group.id, channel.id, channel.team_id, syncableOptions(req));
        await ctx.audit.record('group.link_created', { actorId: req.principal!.userId, subjectId: group.id, details: { channel_id: channel.id, auto_add: row.auto_add, scheme_admin: row.scheme_admin } });
        await reconcileChannel(ctx, channel.id);
        sendJson(res, 201, toSyncable(row));
      },
    },
    {
      method: 'delete', path: '/api/v4/groups/:group_id/channels/:channel_id/link', access: SYSTEM,
      async handler(req, res) {
        const group = await requireGroup(req);
        const channelId = String(req.params.channel_id);
        if (!(await syncables.unlinkChannel(group.id, channelId))) throw new GatewayError('GROUP_SYNCABLE_INVALID', { message: 'That group is not linked to that channel.' });
        await ctx.audit.record('group.link_deleted', { actorId: req.principal!.userId, subjectId: group.id, details: { channel_id: channelId } });
        await reconcileChannel(ctx, channelId).catch((err: Error) => ctx.logger.warn({ channel_id: channelId, err: err.message }, 'channel group sync after unlink deferred'));
        sendJson(res, 200, { status: 'OK' });
      },
    },
    {
      method: 'post', path: '/api/v4/ldap/sync', access: SYSTEM,
      async handler(req, res) {
        const connectors = ctx.connectors.ldap();
        if (connectors.length === 0) throw new GatewayError('LDAP_NOT_CONFIGURED');
        const b = body(req);
        const dryRun = b.dry_run === true || req.query.dry_run === 'true';
        const only = typeof b.connector_id === 'string' ? b.connector_id : undefined;
        const targets = only ? [ctx.connectors.ldapById(only)] : connectors;
        const run = async () => {
          const reports: SyncReport[] = [];
          for (const c of targets) reports.push(await runLdapSync(ctx, c, { dryRun, actorId: req.principal!.userId }));
          return reports;
        };
        // Mattermost answers at once and syncs in the background; `?wait=true` (and every dry run) waits for the reports.
        if (req.query.wait === 'true' || dryRun) {
          sendJson(res, 200, { status: 'OK', runs: (await run()).map(reportJson) });
          return;
        }
        void run().catch((err: Error) => ctx.logger.warn({ err: err.message }, 'background directory sync did not run'));
        sendJson(res, 200, { status: 'OK' });
      },
    },
    {
      method: 'get', path: '/api/v4/ldap/sync/history', access: SYSTEM,
      async handler(req, res) {
        const connector = typeof req.query.connector_id === 'string' ? req.query.connector_id : undefined;
        sendJson(res, 200, await syncHistory(ctx, connector, 50));
      },
    },
    {
      method: 'get', path: '/api/v4/ldap/groups', access: SYSTEM,
      async handler(req, res) {
        const ids = [...ldapIds()];
        if (ids.length === 0) throw new GatewayError('LDAP_NOT_CONFIGURED');
        const { page, perPage } = pagination(req);
        let q = ctx.db.selectFrom('groups').selectAll().where('source', 'in', ids).where('delete_at', '=', 0);
        const text = typeof req.query.q === 'string' ? req.query.q.trim().toLowerCase() : '';
        if (text) q = q.where('display_name', 'like', `%${text.replace(/[%_\\]/g, '')}%`);
        const all = await q.orderBy('display_name').orderBy('dn').execute();
        const slice = all.slice(page * perPage, (page + 1) * perPage);
        const linked = new Set((await Promise.all(slice.map(async (g) => {
          const l = await syncables.linksOfGroup(g.id);
          return l.teams.length + l.channels.length > 0 ? g.id : '';
        }))).filter(Boolean));
        sendJson(res, 200, {
          count: all.length,
          groups: slice.map((g) => ({ primary_key: g.external_id, name: g.display_name, dn: g.dn, connector_id: g.source, mattermost_group_id: g.id, has_syncables: linked.has(g.id) })),
        });
      },
    },
    {
      method: 'post', path: '/api/v4/ldap/groups/:remote_id/link', access: SYSTEM,
      async handler(req, res) {
        // Gatehouse keeps every directory group from the last sync; "linking" returns the group to use in team and channel links.
        const g = await ldapGroupByRemoteId(String(req.params.remote_id));
        sendJson(res, 201, await groupJson(g));
      },
    },
    {
      method: 'delete', path: '/api/v4/ldap/groups/:remote_id/link', access: SYSTEM,
      async handler(req, res) {
        const g = await ldapGroupByRemoteId(String(req.params.remote_id));
        const links = await syncables.linksOfGroup(g.id);
        for (const t of links.teams) { await syncables.unlinkTeam(g.id, t.team_id); await reconcileTeam(ctx, t.team_id); }
        for (const c of links.channels) { await syncables.unlinkChannel(g.id, c.channel_id); await reconcileChannel(ctx, c.channel_id).catch(() => undefined); }
        await ctx.audit.record('group.link_deleted', { actorId: req.principal!.userId, subjectId: g.id, details: { all: true } });
        sendJson(res, 200, { status: 'OK' });
      },
    },
  ];
}
