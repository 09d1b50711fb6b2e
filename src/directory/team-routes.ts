/** Teams API (Mattermost v4 shapes): create, get, get by name, mine, members and member roles. */
import type { Request } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { decide } from '../authz/decide.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { body, optionalString, pagination, requiredString, targetUserId } from '../http/params.js';
import { parseTeamRoles, toMattermostTeam, toMattermostTeamMember, type TeamRow } from './teams.js';
import { userUpserted } from './chat-provisioner.js';
import { reconcileTeam } from './group-sync.js';

/** True when the user is an active member of a group linked to the team. */
async function inLinkedGroups(ctx: GatewayContext, teamId: string, userId: string): Promise<boolean> {
  const row = await ctx.db.selectFrom('group_teams').innerJoin('group_members', 'group_members.group_id', 'group_teams.group_id')
    .innerJoin('groups', 'groups.id', 'group_teams.group_id')
    .select('group_members.user_id').where('group_teams.team_id', '=', teamId).where('group_teams.delete_at', '=', 0)
    .where('groups.delete_at', '=', 0).where('group_members.user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

export function teamRoutes(ctx: GatewayContext): RouteSpec[] {
  const requireTeam = async (req: Request) => {
    const team = await ctx.teams.get(String(req.params.team_id));
    if (!team) throw new GatewayError('TEAM_NOT_FOUND');
    return team;
  };
  const membershipChanged = async (userId: string) => { await ctx.access.invalidate(userId); };
  return [
    {
      method: 'post', path: '/api/v4/teams', access: { kind: 'system', permission: 'create_team' },
      async handler(req, res) {
        const b = body(req);
        const type = optionalString(b.type, 'type') as 'O' | 'I' | undefined;
        const team = await ctx.teams.create({ name: requiredString(b.name, 'name'), displayName: requiredString(b.display_name, 'display_name'), type, description: optionalString(b.description, 'description') }, req.principal!.userId);
        await membershipChanged(req.principal!.userId);
        await ctx.audit.record('team.created', { actorId: req.principal!.userId, subjectId: team.id });
        sendJson(res, 201, toMattermostTeam(team));
      },
    },
    {
      method: 'get', path: '/api/v4/teams', access: { kind: 'system', permission: 'list_public_teams' },
      async handler(req, res) {
        const { page, perPage } = pagination(req);
        const all = decide(ctx.authorizer, req.principal!, 'manage_system');
        let q = ctx.db.selectFrom('teams').selectAll().where('delete_at', '=', 0);
        if (!all) q = q.where('type', '=', 'O');
        const rows = await q.orderBy('display_name').limit(perPage).offset(page * perPage).execute();
        sendJson(res, 200, rows.map(toMattermostTeam));
      },
    },
    {
      method: 'get', path: '/api/v4/teams/:team_id', access: { kind: 'team', permission: 'view_team', param: 'team_id' },
      async handler(req, res) { sendJson(res, 200, toMattermostTeam(await requireTeam(req))); },
    },
    {
      method: 'put', path: '/api/v4/teams/:team_id/patch', access: { kind: 'team', permission: 'manage_team', param: 'team_id' },
      async handler(req, res) {
        const team = await requireTeam(req);
        const b = body(req);
        const patch: Partial<TeamRow> = {};
        const displayName = optionalString(b.display_name, 'display_name');
        if (displayName !== undefined) {
          if (displayName.trim() === '' || displayName.length > 64) throw new GatewayError('TEAM_INVALID', { message: 'A display name of 1–64 characters is required.', publicDetail: 'display_name' });
          patch.display_name = displayName.trim();
        }
        const description = optionalString(b.description, 'description');
        if (description !== undefined) {
          if (description.length > 255) throw new GatewayError('TEAM_INVALID', { message: 'The description is at most 255 characters.', publicDetail: 'description' });
          patch.description = description;
        }
        if (b.allow_open_invite !== undefined && b.allow_open_invite !== null) {
          if (typeof b.allow_open_invite !== 'boolean') throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'allow_open_invite must be true or false.', publicDetail: 'allow_open_invite' });
          patch.allow_open_invite = b.allow_open_invite ? 1 : 0;
        }
        if (b.group_constrained !== undefined && b.group_constrained !== null) {
          if (typeof b.group_constrained !== 'boolean') throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'group_constrained must be true or false.', publicDetail: 'group_constrained' });
          const wanted = b.group_constrained ? 1 : 0;
          if (wanted !== team.group_constrained) {
            // Constraining a team may remove most of its members: a system decision.
            if (!decide(ctx.authorizer, req.principal!, 'manage_system')) throw new GatewayError('AUTHZ_FORBIDDEN', { detail: 'group_constrained needs manage_system' });
            patch.group_constrained = wanted;
          }
        }
        if (Object.keys(patch).length > 0) await ctx.db.updateTable('teams').set({ ...patch, update_at: ctx.now() }).where('id', '=', team.id).execute();
        await ctx.audit.record('team.patched', { actorId: req.principal!.userId, subjectId: team.id, details: { fields: Object.keys(patch).join(' ') } });
        // A team just constrained keeps only its groups' members (and links may add some): apply now.
        if (patch.group_constrained !== undefined) await reconcileTeam(ctx, team.id);
        sendJson(res, 200, toMattermostTeam(await requireTeam(req)));
      },
    },
    {
      method: 'get', path: '/api/v4/teams/name/:name', access: { kind: 'authenticated' },
      async handler(req, res) {
        const team = await ctx.teams.getByName(String(req.params.name));
        // A team the caller may not view answers like one that does not exist.
        if (!team || !decide(ctx.authorizer, req.principal!, 'view_team', team.id)) throw new GatewayError('TEAM_NOT_FOUND');
        sendJson(res, 200, toMattermostTeam(team));
      },
    },
    {
      method: 'get', path: '/api/v4/users/:user_id/teams', access: { kind: 'self', param: 'user_id', otherPermission: 'read_other_users_teams' },
      async handler(req, res) { sendJson(res, 200, (await ctx.teams.listForUser(targetUserId(req))).map(toMattermostTeam)); },
    },
    {
      method: 'get', path: '/api/v4/teams/:team_id/members', access: { kind: 'team', permission: 'view_team', param: 'team_id' },
      async handler(req, res) {
        const team = await requireTeam(req);
        const { page, perPage } = pagination(req);
        sendJson(res, 200, (await ctx.teams.listMembers(team.id, page, perPage)).map(toMattermostTeamMember));
      },
    },
    {
      method: 'get', path: '/api/v4/teams/:team_id/members/:user_id', access: { kind: 'team', permission: 'view_team', param: 'team_id' },
      async handler(req, res) {
        const member = await ctx.teams.getMember((await requireTeam(req)).id, targetUserId(req));
        if (!member) throw new GatewayError('TEAM_MEMBER_NOT_FOUND');
        sendJson(res, 200, toMattermostTeamMember(member));
      },
    },
    {
      method: 'post', path: '/api/v4/teams/:team_id/members', access: { kind: 'team', permission: 'add_user_to_team', param: 'team_id' },
      async handler(req, res) {
        const team = await requireTeam(req);
        const b = body(req);
        if (b.team_id !== undefined && b.team_id !== team.id) throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'team_id in the body does not match the URL.', publicDetail: 'team_id' });
        const user = await ctx.users.get(requiredString(b.user_id, 'user_id'));
        if (!user || user.delete_at > 0) throw new GatewayError('USER_NOT_FOUND');
        const guest = user.roles.split(' ').includes('system_guest');
        if (team.group_constrained === 1 && (guest || !(await inLinkedGroups(ctx, team.id, user.id)))) {
          throw new GatewayError('TEAM_GROUP_CONSTRAINED', { detail: `${user.id} is not in a group linked to team ${team.id}` });
        }
        const member = await ctx.teams.addMember(team.id, user.id, [guest ? 'team_guest' : 'team_user']);
        await membershipChanged(user.id);
        // chat-core learns of the membership now, so the user can be added to channels before they ever chat.
        await ctx.chat.push([userUpserted(user), { type: 'team.member_added', team_id: team.id, user_id: user.id }]);
        await ctx.audit.record('team.member_added', { actorId: req.principal!.userId, subjectId: user.id, details: { team_id: team.id } });
        sendJson(res, 201, toMattermostTeamMember(member));
      },
    },
    {
      method: 'delete', path: '/api/v4/teams/:team_id/members/:user_id', access: { kind: 'team', permission: 'view_team', param: 'team_id' },
      async handler(req, res) {
        const team = await requireTeam(req);
        const userId = targetUserId(req);
        // Leaving is always allowed; removing someone else needs remove_user_from_team.
        if (userId !== req.principal!.userId && !decide(ctx.authorizer, req.principal!, 'remove_user_from_team', team.id)) {
          throw new GatewayError('AUTHZ_FORBIDDEN', { detail: 'remove_user_from_team' });
        }
        if (!(await ctx.teams.removeMember(team.id, userId))) throw new GatewayError('TEAM_MEMBER_NOT_FOUND');
        await membershipChanged(userId);
        await ctx.audit.record('team.member_removed', { actorId: req.principal!.userId, subjectId: userId, details: { team_id: team.id } });
        await ctx.chat.push([{ type: 'team.member_removed', team_id: team.id, user_id: userId }]);
        sendJson(res, 200, { status: 'OK' });
      },
    },
    {
      method: 'put', path: '/api/v4/teams/:team_id/members/:user_id/roles', access: { kind: 'team', permission: 'manage_team_roles', param: 'team_id' },
      async handler(req, res) {
        const team = await requireTeam(req);
        const userId = targetUserId(req);
        const roles = parseTeamRoles(body(req).roles);
        const user = await ctx.users.require(userId);
        const guest = user.roles.split(' ').includes('system_guest');
        if (guest !== roles.includes('team_guest')) {
          throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'Guests hold exactly team_guest; other users never do.', publicDetail: 'roles' });
        }
        if (!(await ctx.teams.setMemberRoles(team.id, userId, roles))) throw new GatewayError('TEAM_MEMBER_NOT_FOUND');
        await membershipChanged(userId);
        await ctx.audit.record('team.member_roles_changed', { actorId: req.principal!.userId, subjectId: userId, details: { team_id: team.id, roles: roles.join(' ') } });
        sendJson(res, 200, { status: 'OK' });
      },
    },
  ];
}
