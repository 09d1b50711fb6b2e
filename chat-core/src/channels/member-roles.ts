/**
 * PUT /api/v4/channels/{channel_id}/members/{user_id}/roles `{roles: "channel_user channel_admin"}`
 * and PUT …/schemeRoles `{scheme_user, scheme_admin}`: making a member a channel admin or a plain
 * member again. Needs `manage_channel_roles`; a guest never becomes an admin; direct and group
 * channels have no admins.
 */
import type { RequestHandler } from 'express';
import { badRequest, invalidBody, notFound } from '../http/chat-error.js';
import { externalIdParam, idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendOk } from '../http/send-json.js';
import { isPlainObject } from '../http/validation.js';
import type { ChatServices } from '../services.js';
import { findMember, setMemberSchemeAdmin } from '../store/members.js';
import { sendToUser } from '../websocket/broadcast.js';
import { isDirectOrGroup, loadChannelAccess, requirePermission } from './access.js';
import { memberJson } from './channel-json.js';

const ROLE_SETS = new Map([['channel_user', false], ['channel_user channel_admin', true], ['channel_admin channel_user', true]]);

export function updateMemberRolesHandler(services: ChatServices, shape: 'roles' | 'scheme'): RequestHandler {
  return async (req, res) => {
    const admin = parseAdmin(req.body, shape);
    const access = await loadChannelAccess(services, claimsOf(res), idParam(req, 'channel_id'));
    if (isDirectOrGroup(access.channel)) throw badRequest('api.channel.update_channel_member_roles.direct.app_error', 'Direct and group messages have no channel admins.');
    requirePermission(services.authz, access.roles, 'manage_channel_roles');
    const userId = req.params.user_id === 'me' ? claimsOf(res).sub : externalIdParam(req, 'user_id');
    const member = await findMember(services.db, access.channel.id, userId);
    if (!member) throw notFound('app.channel.get_member.missing.app_error', 'No channel member found for that user ID and channel ID.');
    if (member.scheme_guest === 1 && admin) throw badRequest('api.channel.update_channel_member_roles.guest.app_error', 'A guest cannot be a channel admin.');
    await setMemberSchemeAdmin(services.db, access.channel.id, userId, admin, services.now());
    sendOk(res);
    const updated = await findMember(services.db, access.channel.id, userId);
    if (updated) sendToUser(services, userId, 'channel_member_updated', { channelMember: JSON.stringify(memberJson(updated)) }, { channel_id: access.channel.id });
  };
}

function parseAdmin(body: unknown, shape: 'roles' | 'scheme'): boolean {
  if (!isPlainObject(body)) throw invalidBody(shape === 'roles' ? 'roles' : 'scheme roles');
  if (shape === 'scheme') {
    if (typeof body.scheme_admin !== 'boolean' || body.scheme_user !== true) {
      throw badRequest('api.channel.update_channel_member_scheme_roles.app_error', 'scheme_user must be true and scheme_admin a boolean.');
    }
    return body.scheme_admin;
  }
  const roles = typeof body.roles === 'string' ? body.roles.trim().split(/\s+/).join(' ') : undefined;
  const admin = roles === undefined ? undefined : ROLE_SETS.get(roles);
  if (admin === undefined) throw badRequest('api.channel.update_channel_member_roles.scheme_role.app_error', 'Roles must be "channel_user" or "channel_user channel_admin".');
  return admin;
}
