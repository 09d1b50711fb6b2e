/**
 * The gateway's decision function: resolve the roles that apply to this request (system roles,
 * plus the principal's roles in the team addressed) and ask the policy. Roles are taken only from
 * the principal's resolved access, never from anything the client names.
 */
import type { Authorizer } from '../../policies/authorizer.js';
import type { Principal } from '../sessions/principal.js';

export function rolesFor(principal: Pick<Principal, 'access'>, teamId?: string): string[] {
  const system = principal.access.roles;
  if (teamId === undefined) return system;
  const team = Object.hasOwn(principal.access.teams, teamId) ? principal.access.teams[teamId]! : [];
  return team.length === 0 ? system : [...system, ...team];
}

export function decide(authorizer: Authorizer, principal: Pick<Principal, 'access'>, permission: string, teamId?: string): boolean {
  return authorizer.allows(rolesFor(principal, teamId), permission);
}
