/**
 * The decision point both services use: "does any of these roles hold this permission?"
 *
 * The Casbin policy (model.conf + scheme.csv) names permissions per role. Which roles apply to a
 * request is the caller's business: system roles from the session, team roles for the team the
 * request addresses, channel roles for the channel. Casbin's answer for each (role, permission)
 * pair is memoized, so a decision costs a few map look-ups whatever the number of teams.
 */
import { fileURLToPath } from 'node:url';
import { newEnforcer, type Enforcer } from 'casbin';

export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('./model.conf', import.meta.url));
export const DEFAULT_SCHEME_PATH = fileURLToPath(new URL('./scheme.csv', import.meta.url));

/** The roles of the default scheme (Mattermost's); a role the policy does not name holds nothing. */
export const KNOWN_ROLES = [
  'system_admin', 'system_user', 'system_guest',
  'team_admin', 'team_user', 'team_guest',
  'channel_admin', 'channel_user', 'channel_guest',
] as const;

export interface Authorizer {
  /** True when at least one of `roles` holds `permission`. Default deny. */
  allows(roles: Iterable<string>, permission: string): boolean;
  /** Every permission the policy names (for route-table checks). */
  readonly permissions: ReadonlySet<string>;
}

export interface AuthorizerOptions {
  modelPath?: string;
  schemePath?: string;
}

export async function createAuthorizer(options: AuthorizerOptions = {}): Promise<Authorizer> {
  const enforcer = await newEnforcer(options.modelPath ?? DEFAULT_MODEL_PATH, options.schemePath ?? DEFAULT_SCHEME_PATH);
  return authorizerFrom(enforcer);
}

function authorizerFrom(enforcer: Enforcer): Authorizer {
  const permissions = new Set<string>();
  const roles = new Set<string>();
  const model = enforcer.getModel().model;
  for (const rule of model.get('p')?.get('p')?.policy ?? []) {
    if (rule[0]) roles.add(rule[0]);
    if (rule[1]) permissions.add(rule[1]);
  }
  for (const rule of model.get('g')?.get('g')?.policy ?? []) {
    if (rule[0]) roles.add(rule[0]);
  }
  const memo = new Map<string, boolean>();
  const roleHolds = (role: string, permission: string): boolean => {
    const key = `${role}\u0000${permission}`;
    let answer = memo.get(key);
    if (answer === undefined) {
      answer = enforcer.enforceSync(role, permission) === true;
      // Unknown strings are not memoized, so hostile input cannot grow the table without bound.
      if (permissions.has(permission) && roles.has(role)) memo.set(key, answer);
    }
    return answer;
  };
  return {
    permissions,
    allows(roles, permission) {
      for (const role of roles) if (roleHolds(role, permission)) return true;
      return false;
    },
  };
}
