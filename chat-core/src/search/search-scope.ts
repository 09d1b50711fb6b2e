/**
 * Which channels a search may look in (the security property of search): channels the caller is
 * a member of — as Mattermost searches — in the teams the assertion names (and allows
 * `view_team` in), plus the caller's direct and group channels, which belong to no team.
 * Archived channels only when asked. Each channel still passes the same read decision as every
 * other read (access.ts), so search can never show what GET /posts/{id} would refuse.
 * `in:` names are resolved among these channels only: naming a channel outside them finds nothing.
 */
import type { AssertionClaims } from '../../contract.js';
import { teamRolesOf } from '../auth/claims.js';
import { accessFor, canRead, isDirectOrGroup } from '../channels/access.js';
import type { ChatServices } from '../services.js';
import type { ChatDatabase } from '../store/database.js';
import type { ChannelMemberRow, ChannelRow } from '../store/schema.js';
import type { ChannelRef } from './parse-terms.js';

export interface ScopeRequest {
  /** The teams to search; direct and group channels are always included. */
  teamIds: readonly string[];
  includeDeletedChannels: boolean;
}

/** Teams the assertion names whose roles hold `view_team` (all of them, or just `teamId`). */
export function searchableTeams(services: ChatServices, claims: AssertionClaims, teamId?: string): string[] {
  const candidates = teamId === undefined ? Object.keys(claims.teams) : [teamId];
  return candidates.filter((id) => {
    const roles = teamRolesOf(claims, id);
    return roles !== undefined && services.authz.allows([...claims.roles, ...roles], 'view_team');
  });
}

type JoinedRow = ChannelRow & ChannelMemberRow;

function memberOf(row: JoinedRow): ChannelMemberRow {
  return {
    channel_id: row.channel_id, user_id: row.user_id, explicit_roles: row.explicit_roles, scheme_user: row.scheme_user,
    scheme_admin: row.scheme_admin, scheme_guest: row.scheme_guest, last_viewed_at: row.last_viewed_at, msg_count: row.msg_count,
    msg_count_root: row.msg_count_root, mention_count: row.mention_count, last_update_at: row.last_update_at,
  };
}

/** The channels the caller may search, by id. */
export async function searchableChannels(services: ChatServices, claims: AssertionClaims, request: ScopeRequest): Promise<Map<string, ChannelRow>> {
  let query = services.db.selectFrom('channels')
    .innerJoin('channel_members', 'channel_members.channel_id', 'channels.id')
    .selectAll(['channels', 'channel_members'])
    .where('channel_members.user_id', '=', claims.sub)
    .where((eb) => eb.or([
      eb.and([eb('channels.type', 'in', ['D', 'G']), eb('channels.team_id', '=', '')]),
      ...(request.teamIds.length > 0
        ? [eb.and([eb('channels.type', 'in', ['O', 'P']), eb('channels.team_id', 'in', [...request.teamIds])])]
        : []),
    ]));
  if (!request.includeDeletedChannels) query = query.where('channels.delete_at', '=', 0);
  const rows = (await query.execute()) as JoinedRow[];
  const readable = new Map<string, ChannelRow>();
  for (const row of rows) {
    const channel: ChannelRow = { ...row };
    // The query already keeps to the asserted teams; a channel outside them is skipped, not an error.
    if (!isDirectOrGroup(channel) && teamRolesOf(claims, channel.team_id) === undefined) continue;
    if (canRead(services.authz, claims, accessFor(claims, channel, memberOf(row)))) readable.set(channel.id, channel);
  }
  return readable;
}

/** User ids for usernames in the mirror; unknown names resolve to nothing. */
export async function userIdsByName(db: ChatDatabase, usernames: readonly string[]): Promise<string[]> {
  if (usernames.length === 0) return [];
  const rows = await db.selectFrom('users').select('id').where('username', 'in', [...new Set(usernames)]).execute();
  return rows.map((row) => row.id);
}

/** Direct/group channels among `candidates` whose members are exactly `memberIds`. */
async function channelsWithMembers(db: ChatDatabase, candidates: readonly string[], memberIds: ReadonlySet<string>): Promise<string[]> {
  if (candidates.length === 0) return [];
  const rows = await db.selectFrom('channel_members').select(['channel_id', 'user_id'])
    .where('channel_id', 'in', [...candidates]).execute();
  const members = new Map<string, Set<string>>();
  for (const row of rows) members.set(row.channel_id, (members.get(row.channel_id) ?? new Set()).add(row.user_id));
  return candidates.filter((id) => {
    const set = members.get(id);
    return set !== undefined && set.size === memberIds.size && [...memberIds].every((member) => set.has(member));
  });
}

async function resolveRef(db: ChatDatabase, ref: ChannelRef, channels: ReadonlyMap<string, ChannelRow>, callerId: string): Promise<string[]> {
  if (ref.kind === 'name') {
    return [...channels.values()].filter((c) => (c.type === 'O' || c.type === 'P') && c.name === ref.name).map((c) => c.id);
  }
  const names = [...new Set(ref.usernames)];
  const ids = await db.selectFrom('users').select(['id', 'username']).where('username', 'in', names).execute();
  // Every name must be known: a group message with "most of" these people is not the one named.
  if (new Set(ids.map((row) => row.username)).size !== names.length) return [];
  const wanted = new Set([callerId, ...ids.map((row) => row.id)]);
  const type = wanted.size <= 2 ? 'D' : 'G';
  const candidates = [...channels.values()].filter((c) => c.type === type).map((c) => c.id);
  return channelsWithMembers(db, candidates, wanted);
}

/** Channel ids that `in:` / `-in:` refs name among the searchable channels. */
export async function resolveChannelRefs(
  db: ChatDatabase, refs: readonly ChannelRef[], channels: ReadonlyMap<string, ChannelRow>, callerId: string,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const ref of refs) for (const id of await resolveRef(db, ref, channels, callerId)) out.add(id);
  return out;
}
