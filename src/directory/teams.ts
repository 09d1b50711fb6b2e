/** Teams and team membership: the gateway owns them; they are the Casbin domain of every team-scoped decision. */
import type { Kysely, Selectable } from 'kysely';
import type { GatewayDatabase, TeamMembersTable, TeamsTable } from '../store/sql/schema.js';
import { isUniqueViolation } from '../store/sql/connect.js';
import { GatewayError } from '../errors/gateway-error.js';
import { newId } from '../http/ids.js';

export type TeamRow = Selectable<TeamsTable>;
export type TeamMemberRow = Selectable<TeamMembersTable>;

export interface NewTeam {
  name: string;
  displayName: string;
  type?: 'O' | 'I';
  description?: string;
  email?: string;
}

const TEAM_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const RESERVED_TEAM_NAMES = new Set(['admin', 'api', 'auth', 'login', 'logout', 'oauth', 'signup', 'static', 'plugins', 'setup', 'healthz', 'readyz', 'metrics']);
export const TEAM_ROLES = new Set(['team_user', 'team_admin', 'team_guest']);

export function validateNewTeam(team: NewTeam): void {
  if (typeof team.name !== 'string' || !TEAM_NAME.test(team.name) || team.name.length < 2 || RESERVED_TEAM_NAMES.has(team.name)) {
    throw new GatewayError('TEAM_INVALID', { message: 'Team names are 2–64 characters of a-z, 0-9 and "-", and not a reserved word.', publicDetail: 'name' });
  }
  if (typeof team.displayName !== 'string' || team.displayName.trim() === '' || team.displayName.length > 64) {
    throw new GatewayError('TEAM_INVALID', { message: 'A display name of 1–64 characters is required.', publicDetail: 'display_name' });
  }
  if (team.type !== undefined && team.type !== 'O' && team.type !== 'I') {
    throw new GatewayError('TEAM_INVALID', { message: 'type is "O" (open) or "I" (invite only).', publicDetail: 'type' });
  }
}

/** Parse Mattermost's space-separated team roles; anything outside the team roles is refused. */
export function parseTeamRoles(roles: unknown): string[] {
  if (typeof roles !== 'string') throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'roles must be a space-separated string such as "team_user team_admin".' });
  const list = [...new Set(roles.split(/\s+/).filter(Boolean))];
  if (list.length === 0 || list.some((r) => !TEAM_ROLES.has(r))) {
    throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'roles may contain only team_user, team_admin and team_guest.' });
  }
  if (list.includes('team_guest') && list.length > 1) throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'team_guest cannot be combined with other team roles.' });
  return list;
}

export function createTeamRepository(db: Kysely<GatewayDatabase>, now: () => number) {
  return {
    /** Create a team and make `creatorId` (when given) its admin, in one transaction. */
    async create(input: NewTeam, creatorId: string | null): Promise<TeamRow> {
      validateNewTeam(input);
      const at = now();
      const team: TeamRow = {
        id: newId(), name: input.name, display_name: input.displayName.trim(), description: input.description ?? '',
        email: input.email ?? '', type: input.type ?? 'O', allow_open_invite: 0, invite_id: newId(),
        create_at: at, update_at: at, delete_at: 0, group_constrained: 0,
      };
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('teams').values(team).execute();
          if (creatorId) await trx.insertInto('team_members').values({ team_id: team.id, user_id: creatorId, roles: 'team_user team_admin', create_at: at, delete_at: 0 }).execute();
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new GatewayError('TEAM_EXISTS', { cause: err });
        throw err;
      }
      return team;
    },
    async get(id: string): Promise<TeamRow | undefined> {
      return db.selectFrom('teams').selectAll().where('id', '=', id).where('delete_at', '=', 0).executeTakeFirst();
    },
    async getByName(name: string): Promise<TeamRow | undefined> {
      return db.selectFrom('teams').selectAll().where('name', '=', name).where('delete_at', '=', 0).executeTakeFirst();
    },
    async listForUser(userId: string): Promise<TeamRow[]> {
      return db.selectFrom('teams').innerJoin('team_members', 'team_members.team_id', 'teams.id')
        .selectAll('teams').where('team_members.user_id', '=', userId).where('team_members.delete_at', '=', 0)
        .where('teams.delete_at', '=', 0).orderBy('teams.display_name').execute();
    },
    /** `adminByGroup`: team_admin granted by a scheme_admin group link (group sync may take it back). */
    async addMember(teamId: string, userId: string, roles: string[] = ['team_user'], adminByGroup = false): Promise<TeamMemberRow> {
      const row: TeamMemberRow = { team_id: teamId, user_id: userId, roles: roles.join(' '), create_at: now(), delete_at: 0, scheme_admin_by_group: adminByGroup ? 1 : 0 };
      // Re-adding a removed member revives the row instead of failing on the primary key.
      await db.insertInto('team_members').values(row)
        .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ delete_at: 0, roles: row.roles, scheme_admin_by_group: row.scheme_admin_by_group }))
        .execute();
      return row;
    },
    async removeMember(teamId: string, userId: string): Promise<boolean> {
      const res = await db.updateTable('team_members').set({ delete_at: now() })
        .where('team_id', '=', teamId).where('user_id', '=', userId).where('delete_at', '=', 0).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async getMember(teamId: string, userId: string): Promise<TeamMemberRow | undefined> {
      return db.selectFrom('team_members').selectAll().where('team_id', '=', teamId).where('user_id', '=', userId)
        .where('delete_at', '=', 0).executeTakeFirst();
    },
    async listMembers(teamId: string, page: number, perPage: number): Promise<TeamMemberRow[]> {
      return db.selectFrom('team_members').selectAll().where('team_id', '=', teamId).where('delete_at', '=', 0)
        .orderBy('user_id').limit(perPage).offset(page * perPage).execute();
    },
    async setMemberRoles(teamId: string, userId: string, roles: string[], adminByGroup = false): Promise<boolean> {
      const res = await db.updateTable('team_members').set({ roles: roles.join(' '), scheme_admin_by_group: adminByGroup ? 1 : 0 })
        .where('team_id', '=', teamId).where('user_id', '=', userId).where('delete_at', '=', 0).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    /** Every live membership of a user: team id → roles. */
    async rolesByTeam(userId: string): Promise<Record<string, string[]>> {
      const rows = await db.selectFrom('team_members').innerJoin('teams', 'teams.id', 'team_members.team_id')
        .select(['team_members.team_id', 'team_members.roles']).where('team_members.user_id', '=', userId)
        .where('team_members.delete_at', '=', 0).where('teams.delete_at', '=', 0).execute();
      return Object.fromEntries(rows.map((r) => [r.team_id, r.roles.split(' ').filter(Boolean)]));
    },
  };
}

export type TeamRepository = ReturnType<typeof createTeamRepository>;

export function toMattermostTeam(t: TeamRow) {
  return {
    id: t.id, create_at: t.create_at, update_at: t.update_at, delete_at: t.delete_at, display_name: t.display_name,
    name: t.name, description: t.description, email: t.email, type: t.type, company_name: '', allowed_domains: '',
    invite_id: t.invite_id, allow_open_invite: t.allow_open_invite === 1, scheme_id: null, group_constrained: t.group_constrained === 1,
    policy_id: null,
  };
}

export function toMattermostTeamMember(m: TeamMemberRow) {
  const roles = m.roles.split(' ');
  return {
    team_id: m.team_id, user_id: m.user_id, roles: m.roles, delete_at: m.delete_at,
    scheme_user: roles.includes('team_user'), scheme_admin: roles.includes('team_admin'), scheme_guest: roles.includes('team_guest'),
    explicit_roles: '',
  };
}
