/**
 * POST /api/v4/channels/{channel_id}/members {user_id}. Joining a public channel yourself needs
 * `join_public_channels`; adding anyone else (or yourself to a private channel) needs the
 * channel-members permission. The added user must be an active member of the channel's team.
 * A group-constrained channel takes no adds here at all: the gateway's group sync decides its
 * members (provisioning `channel.member_added`).
 */
import type { RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { badRequest, forbidden, invalidBody, notFound } from '../http/chat-error.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import { isPlainObject } from '../http/validation.js';
import type { ChatServices } from '../services.js';
import { isExternalId } from '../store/ids.js';
import { addMember } from '../store/members.js';
import type { ChannelMemberRow } from '../store/schema.js';
import { findUser, isTeamMember } from '../store/users.js';
import { broadcastToChannel } from '../websocket/broadcast.js';
import { isDirectOrGroup, loadChannelAccess, requireChannelPermission, requirePermission, type ChannelAccess } from './access.js';
import { memberJson } from './channel-json.js';

const groupConstrained = () => badRequest('api.channel.add_members.user_denied',
  'This channel is managed by group sync: add the person to a linked group instead.');

export function addMemberHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const access = await loadChannelAccess(services, claims, idParam(req, 'channel_id'));
    const userId = isPlainObject(req.body) ? req.body.user_id : undefined;
    if (!isExternalId(userId)) throw invalidBody('user_id');
    if (access.channel.delete_at > 0) throw badRequest('api.channel.add_user.to.channel.failed.deleted.app_error', 'The channel has been archived or deleted.');
    if (isDirectOrGroup(access.channel)) throw badRequest('api.channel.add_user_to_channel.type.app_error', 'People cannot be added to a direct or group message.');
    authorizeAdd(services, claims, access, userId);
    if (access.channel.group_constrained === 1) throw groupConstrained();
    const guest = await addableGuestFlag(services, claims, access, userId);
    const member = await addMember(services.db, newMemberRow(access.channel.id, userId, guest, services.now()));
    sendJson(res, 201, memberJson(member));
    broadcastToChannel(services, access.channel.id, 'user_added', { user_id: userId, team_id: access.channel.team_id });
  };
}

function authorizeAdd(services: ChatServices, claims: AssertionClaims, access: ChannelAccess, userId: string): void {
  const isPublic = access.channel.type === 'O';
  if (userId === claims.sub && isPublic) {
    if (claims.guest) throw forbidden('guests cannot join public channels');
    return requirePermission(services.authz, access.roles, 'join_public_channels');
  }
  requireChannelPermission(services.authz, access, isPublic ? 'manage_public_channel_members' : 'manage_private_channel_members');
}

/** The added user's guest flag, once we know they exist, are active and belong to the team. */
async function addableGuestFlag(services: ChatServices, claims: AssertionClaims, access: ChannelAccess, userId: string): Promise<boolean> {
  if (userId === claims.sub) return claims.guest;
  const user = await findUser(services.db, userId);
  if (!user || user.deactivated === 1) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
  if (!(await isTeamMember(services.db, access.channel.team_id, userId))) {
    throw badRequest('api.channel.add_user.to.channel.failed.not_team_member.app_error', 'The user is not a member of the channel\'s team.');
  }
  return user.guest === 1;
}

export function newMemberRow(channelId: string, userId: string, guest: boolean, at: number, admin = false): ChannelMemberRow {
  return {
    channel_id: channelId, user_id: userId, explicit_roles: '',
    scheme_user: guest ? 0 : 1, scheme_admin: admin && !guest ? 1 : 0, scheme_guest: guest ? 1 : 0,
    last_viewed_at: 0, msg_count: 0, msg_count_root: 0, mention_count: 0, last_update_at: at,
  };
}
