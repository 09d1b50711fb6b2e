/**
 * Channel moderation (Mattermost's `/channels/{id}/moderations`): a channel may take a moderated
 * permission away from its plain members or its guests — `create_post` off for members makes a
 * read-only channel. Admins (channel, team, system) are never moderated. Only removals are stored;
 * a moderation can never grant what the scheme does not.
 */
import type { ChannelRow } from '../store/schema.js';

/** Moderated permission name → the scheme permissions it governs. */
export const MODERATED_PERMISSIONS = {
  create_post: ['create_post'],
  create_reactions: ['add_reaction', 'remove_reaction'],
  manage_members: ['manage_public_channel_members', 'manage_private_channel_members'],
  use_channel_mentions: ['use_channel_mentions'],
} as const satisfies Record<string, readonly string[]>;

export type ModeratedPermission = keyof typeof MODERATED_PERMISSIONS;
export type ModeratedRole = 'members' | 'guests';
export type Moderations = Partial<Record<ModeratedPermission, Partial<Record<ModeratedRole, false>>>>;

export const MODERATED_NAMES = Object.keys(MODERATED_PERMISSIONS) as ModeratedPermission[];
const ADMIN_ROLES = new Set(['channel_admin', 'team_admin', 'system_admin']);

const governing = new Map<string, ModeratedPermission>();
for (const name of MODERATED_NAMES) for (const permission of MODERATED_PERMISSIONS[name]) governing.set(permission, name);

/** The stored overrides; an unreadable value counts as "everything removed" (fail closed). */
export function moderationsOf(channel: ChannelRow): Moderations {
  try {
    const value: unknown = JSON.parse(channel.moderations);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Moderations;
  } catch {
    // fall through
  }
  return Object.fromEntries(MODERATED_NAMES.map((name) => [name, { members: false, guests: false }])) as Moderations;
}

/** True when the channel's moderation removes `permission` for a caller holding `roles`. */
export function moderationRemoves(channel: ChannelRow, roles: readonly string[], permission: string): boolean {
  if (channel.type === 'D' || channel.type === 'G') return false;
  const name = governing.get(permission);
  if (!name) return false;
  if (roles.some((role) => ADMIN_ROLES.has(role))) return false;
  const override = moderationsOf(channel)[name];
  if (!override) return false;
  const role: ModeratedRole = roles.includes('channel_guest') ? 'guests' : 'members';
  return override[role] === false;
}
