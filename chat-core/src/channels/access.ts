/**
 * Channel-level decisions (DESIGN.md "Authorization"). Every channel belongs to a team, and the
 * assertion must name that team before anything about the channel is shown or changed. Roles
 * that apply = system roles ∪ the team's roles ∪ the caller's channel roles; the policy in
 * policies/ decides. Default deny.
 */
import type { Authorizer } from '../../../policies/authorizer.js';
import type { AssertionClaims } from '../../contract.js';
import { teamRolesOf } from '../auth/claims.js';
import { channelNotFound, forbidden } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { findChannel } from '../store/channels.js';
import { findMember } from '../store/members.js';
import type { ChannelMemberRow, ChannelRow } from '../store/schema.js';
import { moderationRemoves } from './moderation.js';

export interface ChannelAccess {
  channel: ChannelRow;
  /** The caller's membership, when they are a member. */
  member: ChannelMemberRow | undefined;
  /** Every role that applies to the caller in this channel. */
  roles: string[];
}

/** Team roles for `teamId`, or 403 when the assertion does not name the team. */
export function requireTeamRoles(claims: AssertionClaims, teamId: string): string[] {
  const roles = teamRolesOf(claims, teamId);
  if (!roles) throw forbidden(`assertion names no team ${teamId}`);
  return roles;
}

/** Roles a membership carries, as Mattermost derives them from the scheme flags. */
export function memberRoles(member: ChannelMemberRow): string[] {
  const roles = member.scheme_guest === 1 ? ['channel_guest'] : ['channel_user'];
  if (member.scheme_admin === 1 && member.scheme_guest !== 1) roles.push('channel_admin');
  // Only channel roles may come from a membership row: a stored "system_admin" must grant nothing.
  for (const role of member.explicit_roles.split(' ')) if (role.startsWith('channel_') && !roles.includes(role)) roles.push(role);
  return roles;
}

export function requirePermission(authz: Authorizer, roles: Iterable<string>, permission: string): void {
  if (!authz.allows(roles, permission)) throw forbidden(`missing permission ${permission}`);
}

/** Direct and group channels belong to no team: only their members' channel roles count there. */
export function isDirectOrGroup(channel: ChannelRow): boolean {
  return channel.type === 'D' || channel.type === 'G';
}

export function accessFor(claims: AssertionClaims, channel: ChannelRow, member: ChannelMemberRow | undefined): ChannelAccess {
  const teamRoles = isDirectOrGroup(channel) ? [] : requireTeamRoles(claims, channel.team_id);
  const roles = [...claims.roles, ...teamRoles, ...(member ? memberRoles(member) : [])];
  return { channel, member, roles };
}

/** Loads a channel and the caller's place in it: 404 when missing, 403 when its team is not the caller's. */
export async function loadChannelAccess(services: ChatServices, claims: AssertionClaims, channelId: string): Promise<ChannelAccess> {
  const channel = await findChannel(services.db, channelId);
  if (!channel) throw channelNotFound();
  return accessFor(claims, channel, await findMember(services.db, channelId, claims.sub));
}

/**
 * Members read with `read_channel`; a public channel is readable by a non-member team member with
 * `read_public_channel` — never by a guest, whatever roles they carry.
 */
export function canRead(authz: Authorizer, claims: AssertionClaims, access: ChannelAccess): boolean {
  if (access.member) return authz.allows(access.roles, 'read_channel');
  if (access.channel.type !== 'O' || claims.guest) return false;
  return authz.allows(access.roles, 'read_public_channel');
}

/**
 * The scheme's answer for `permission` in this channel, then the channel's moderation (which can
 * only take away). Every channel-level write goes through here.
 */
export function requireChannelPermission(authz: Authorizer, access: ChannelAccess, permission: string): void {
  requirePermission(authz, access.roles, permission);
  if (moderationRemoves(access.channel, access.roles, permission)) throw forbidden(`${permission} is moderated off in channel ${access.channel.id}`);
}

/** The same answer as requireChannelPermission, as a boolean (for what is skipped rather than refused). */
export function channelAllows(authz: Authorizer, access: ChannelAccess, permission: string): boolean {
  return authz.allows(access.roles, permission) && !moderationRemoves(access.channel, access.roles, permission);
}

export function requireRead(authz: Authorizer, claims: AssertionClaims, access: ChannelAccess): void {
  if (!canRead(authz, claims, access)) throw forbidden(`cannot read channel ${access.channel.id}`);
}

/** Loads the channel and refuses unless the caller may read it. */
export async function loadReadableChannel(services: ChatServices, claims: AssertionClaims, channelId: string): Promise<ChannelAccess> {
  const access = await loadChannelAccess(services, claims, channelId);
  requireRead(services.authz, claims, access);
  return access;
}
