/**
 * Resolving a user's access (system roles, team roles, guest, deactivated) and caching it in the
 * ephemeral store, so every node sees a change as soon as it is invalidated. Team membership is
 * looked up per user, never loaded into the policy engine.
 */
import { randomBytes } from 'node:crypto';
import type { EphemeralStore } from '../store/ephemeral/contract.js';
import type { UserRepository } from '../directory/users.js';
import { displayName } from '../directory/users.js';
import type { TeamRepository } from '../directory/teams.js';
import type { Access } from './principal.js';

const ACCESS_TTL_MS = 5 * 60_000;
/** Parsed copies of cached access, keyed by user and checked against the stored text on each use. */
const PARSED_MAX = 10_000;
export const ACCESS_CHANGED_CHANNEL = 'access.changed';
const accessKey = (userId: string) => `access:${userId}`;

export function createAccessResolver(deps: { users: UserRepository; teams: TeamRepository; store: EphemeralStore }) {
  // The store stays the source of truth (so an invalidation on any node is seen at once); this only
  // spares re-parsing the same text, which for a member of hundreds of teams costs tens of µs.
  const parsed = new Map<string, { raw: string; access: Access }>();
  const parse = (userId: string, raw: string): Access => {
    const hit = parsed.get(userId);
    if (hit?.raw === raw) return hit.access;
    const access = Object.freeze(JSON.parse(raw) as Access);
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
    parsed.set(userId, { raw, access });
    return access;
  };
  return {
    async resolve(userId: string): Promise<Access | null> {
      const cached = await deps.store.get(accessKey(userId));
      if (cached) return parse(userId, cached);
      const user = await deps.users.get(userId);
      if (!user) return null;
      const roles = user.roles.split(' ').filter(Boolean);
      const access: Access = {
        username: user.username, name: displayName(user), roles, teams: await deps.teams.rolesByTeam(userId),
        guest: roles.includes('system_guest'), deactivated: user.delete_at > 0, version: randomBytes(8).toString('hex'),
      };
      await deps.store.set(accessKey(userId), JSON.stringify(access), ACCESS_TTL_MS);
      return access;
    },
    /** Call after any change to a user's roles, memberships or status. */
    async invalidate(userId: string): Promise<void> {
      await deps.store.delete(accessKey(userId));
      await deps.store.publish(ACCESS_CHANGED_CHANNEL, JSON.stringify({ user_id: userId }));
    },
  };
}

export type AccessResolver = ReturnType<typeof createAccessResolver>;
