/**
 * Who may manage webhooks (Mattermost's rules): `manage_{incoming,outgoing}_webhooks` in the hook's
 * team — roles = system roles + the team's roles from the assertion, so a member of another team
 * holds nothing here — and `manage_others_…` for a hook someone else owns. The hook's channel must
 * be a live public or private channel of that team the caller can read. Default deny.
 */
import type { AssertionClaims } from '../../contract.js';
import type { Request } from 'express';
import {
  accessFor, canRead, isDirectOrGroup, loadChannelAccess, requirePermission, requireTeamRoles, type ChannelAccess,
} from '../channels/access.js';
import { ChatError, badRequest, forbidden, invalidUrlParam, notFound } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { findChannel } from '../store/channels.js';
import { findMember } from '../store/members.js';
import { findUser, isTeamMember } from '../store/users.js';

export interface HookKind {
  manage: string;
  manageOthers: string;
}

export const INCOMING: HookKind = { manage: 'manage_incoming_webhooks', manageOthers: 'manage_others_incoming_webhooks' };
export const OUTGOING: HookKind = { manage: 'manage_outgoing_webhooks', manageOthers: 'manage_others_outgoing_webhooks' };

export const incomingNotFound = (): ChatError => notFound('app.webhooks.get_incoming.app_error', 'Unable to get the incoming webhook.');
export const outgoingNotFound = (): ChatError => notFound('app.webhooks.get_outgoing.app_error', 'Unable to get the outgoing webhook.');

export function requireIncomingEnabled(services: ChatServices): void {
  if (!services.config.incomingWebhooks) {
    throw new ChatError(501, 'api.incoming_webhook.disabled.app_error', 'Incoming webhooks have been disabled by the system admin.');
  }
}

export function requireOutgoingEnabled(services: ChatServices): void {
  if (!services.config.outgoingWebhooks) {
    throw new ChatError(501, 'api.outgoing_webhook.disabled.app_error', 'Outgoing webhooks have been disabled by the system admin.');
  }
}

/** System roles plus the team's roles; 403 when the assertion does not name the team. */
export function rolesInTeam(claims: AssertionClaims, teamId: string): string[] {
  return [...claims.roles, ...requireTeamRoles(claims, teamId)];
}

/** Refuses unless the caller may manage `kind` hooks in the team, and others' when `ownerId` is not theirs. */
export function requireManage(services: ChatServices, claims: AssertionClaims, teamId: string, kind: HookKind, ownerId?: string): string[] {
  const roles = rolesInTeam(claims, teamId);
  requirePermission(services.authz, roles, kind.manage);
  if (ownerId !== undefined && ownerId !== claims.sub) requirePermission(services.authz, roles, kind.manageOthers);
  return roles;
}

/** A listing across teams: only system roles count (Mattermost's SessionHasPermissionTo). */
export function requireSystemManage(services: ChatServices, claims: AssertionClaims, kind: HookKind): string[] {
  const roles = [...claims.roles];
  requirePermission(services.authz, roles, kind.manage);
  return roles;
}

/** An optional id in the query string ('' means absent); 400 when malformed. */
export function optionalQueryId(req: Request, name: string, valid: (value: unknown) => value is string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined || value === '') return undefined;
  if (!valid(value)) throw invalidUrlParam(name);
  return value;
}

/** For a listing: undefined (every owner) when the roles manage others' hooks, else the caller only. */
export function ownerFilter(services: ChatServices, roles: string[], claims: AssertionClaims, kind: HookKind): string | undefined {
  return services.authz.allows(roles, kind.manageOthers) ? undefined : claims.sub;
}

/**
 * The channel a hook is attached to: live, of a team (never direct or group), readable by the
 * caller — a private channel only by its members.
 */
export async function loadHookChannel(services: ChatServices, claims: AssertionClaims, channelId: string): Promise<ChannelAccess> {
  const access = await loadChannelAccess(services, claims, channelId);
  if (isDirectOrGroup(access.channel)) {
    throw badRequest('api.webhook.channel_type.app_error', 'Webhooks belong to a public or private channel of a team, not to a direct or group message.');
  }
  if (access.channel.delete_at > 0) {
    throw badRequest('api.webhook.channel_archived.app_error', 'This channel is archived: unarchive it, or pick a live channel for the webhook.');
  }
  if (!canRead(services.authz, claims, access)) throw forbidden(`cannot read channel ${channelId}`);
  return access;
}

/**
 * Managing an existing hook: a private channel's hook only by a member who can read it (Mattermost's
 * "restricted channel"). An archived channel's hook can still be read and deleted.
 */
export async function requireChannelVisible(services: ChatServices, claims: AssertionClaims, channelId: string): Promise<void> {
  const channel = await findChannel(services.db, channelId);
  if (!channel) return;
  if (channel.type === 'O') return;
  const access = accessFor(claims, channel, await findMember(services.db, channelId, claims.sub));
  if (!canRead(services.authz, claims, access)) throw forbidden(`cannot read channel ${channelId}`);
}

/** A hook made for someone else: that user must be known here, active, and in the team. */
export async function requireAssignableOwner(services: ChatServices, teamId: string, userId: string): Promise<void> {
  const user = await findUser(services.db, userId);
  if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
  if (user.deactivated === 1 || !(await isTeamMember(services.db, teamId, userId))) {
    throw badRequest('api.webhook.owner_invalid.app_error', 'The webhook owner must be an active member of the team.');
  }
}
