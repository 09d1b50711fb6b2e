import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer, type Authorizer } from '../../../policies/authorizer.js';
import { decide } from '../../../src/authz/decide.js';
import type { Access } from '../../../src/sessions/principal.js';

const TEAM_A = 'teamaaaaaaaaaaaaaaaaaaaaaa';
const TEAM_B = 'teambbbbbbbbbbbbbbbbbbbbbb';

function principal(roles: string[], teams: Record<string, string[]> = {}): { access: Access } {
  return { access: { username: 'u', name: 'u', roles, teams, guest: roles.includes('system_guest'), deactivated: false, version: '1' } };
}

const admin = principal(['system_admin', 'system_user']);
const user = principal(['system_user']);
const guest = principal(['system_guest'], { [TEAM_A]: ['team_guest'] });
const memberA = principal(['system_user'], { [TEAM_A]: ['team_user'] });
const teamAdminA = principal(['system_user'], { [TEAM_A]: ['team_user', 'team_admin'] });

// role × permission × scope → allow/deny, for the default scheme.
const TABLE: [string, { access: Access }, string, string | undefined, boolean][] = [
  ['system admin manages the system', admin, 'manage_system', undefined, true],
  ['system admin manages any team', admin, 'manage_team', TEAM_B, true],
  ['system admin posts in any channel (channel_admin via inheritance)', admin, 'create_post', undefined, true],
  ['system user creates a team', user, 'create_team', undefined, true],
  ['system user does not manage the system', user, 'manage_system', undefined, false],
  ['system user creates no personal access token by default', user, 'create_user_access_token', undefined, false],
  ['system user outside a team cannot view it', user, 'view_team', TEAM_A, false],
  ['system guest cannot create a team', guest, 'create_team', undefined, false],
  ['system guest cannot create a public channel, even in its team', guest, 'create_public_channel', TEAM_A, false],
  ['system guest cannot create a private channel', guest, 'create_private_channel', TEAM_A, false],
  ['system guest views its team', guest, 'view_team', TEAM_A, true],
  ['system guest cannot invite guests', guest, 'invite_guest', TEAM_A, false],
  ['team member views the team', memberA, 'view_team', TEAM_A, true],
  ['team member creates a public channel in the team', memberA, 'create_public_channel', TEAM_A, true],
  ['team member is refused in team B', memberA, 'view_team', TEAM_B, false],
  ['team member creates no channel in team B', memberA, 'create_public_channel', TEAM_B, false],
  ['team member cannot manage team roles', memberA, 'manage_team_roles', TEAM_A, false],
  ['team member cannot remove others', memberA, 'remove_user_from_team', TEAM_A, false],
  ['team admin manages team roles', teamAdminA, 'manage_team_roles', TEAM_A, true],
  ['team admin invites guests', teamAdminA, 'invite_guest', TEAM_A, true],
  ['team admin of A is not admin of B', teamAdminA, 'manage_team', TEAM_B, false],
  ['an unknown permission is denied to everyone', admin, 'launch_missiles', undefined, false],
];

describe('the default permission scheme', () => {
  let authorizer: Authorizer;
  beforeAll(async () => { authorizer = await createAuthorizer(); });

  it.each(TABLE)('%s', (_name, who, permission, teamId, expected) => {
    expect(decide(authorizer, who, permission, teamId)).toBe(expected);
  });

  it('gives nothing to a user whose id or name equals a role name', () => {
    // Roles come only from resolved access; a subject called "system_admin" holds only its roles.
    const impostor = { userId: 'system_admin', access: { ...user.access, username: 'system_admin', name: 'team_admin' } };
    expect(decide(authorizer, impostor, 'manage_system')).toBe(false);
    expect(decide(authorizer, impostor, 'manage_team', TEAM_A)).toBe(false);
  });

  it('gives nothing for a team id that is itself a role name or an inherited property', () => {
    expect(decide(authorizer, memberA, 'view_team', 'team_admin')).toBe(false);
    expect(decide(authorizer, memberA, 'view_team', '__proto__')).toBe(false);
    expect(decide(authorizer, memberA, 'view_team', 'constructor')).toBe(false);
  });

  it('denies a role the policy does not name', () => {
    expect(authorizer.allows(['root', 'superuser'], 'manage_system')).toBe(false);
    expect(authorizer.allows([], 'create_post')).toBe(false);
  });

  it('lists the permissions the policy names', () => {
    expect(authorizer.permissions.has('create_post')).toBe(true);
    expect(authorizer.permissions.has('launch_missiles')).toBe(false);
  });
});
