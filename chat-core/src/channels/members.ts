/** Channel member reads and removal. */
import type { Request, RequestHandler } from 'express';
import { badRequest, invalidUrlParam, notFound } from '../http/chat-error.js';
import { idParam, pageQuery } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson, sendOk } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { isExternalId } from '../store/ids.js';
import { findMember, listMembers, removeMember } from '../store/members.js';
import { broadcastToChannel, sendToUser } from '../websocket/broadcast.js';
import { isDirectOrGroup, loadChannelAccess, loadReadableChannel, requireChannelPermission } from './access.js';
import { memberJson } from './channel-json.js';

const memberNotFound = () =>
  notFound('app.channel.get_member.missing.app_error', 'No channel member found for that user ID and channel ID.');

function userParam(req: Request, me: string): string {
  const value = req.params.user_id === 'me' ? me : req.params.user_id;
  if (!isExternalId(value)) throw invalidUrlParam('user_id');
  return value;
}

export function listMembersHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const access = await loadReadableChannel(services, claimsOf(res), idParam(req, 'channel_id'));
    const rows = await listMembers(services.db, access.channel.id, pageQuery(req));
    sendJson(res, 200, rows.map(memberJson));
  };
}

export function getMemberHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const access = await loadReadableChannel(services, claims, idParam(req, 'channel_id'));
    const member = await findMember(services.db, access.channel.id, userParam(req, claims.sub));
    if (!member) throw memberNotFound();
    sendJson(res, 200, memberJson(member));
  };
}

/** Leaving is always allowed; removing someone else needs the channel-members permission. */
export function removeMemberHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const access = await loadChannelAccess(services, claims, idParam(req, 'channel_id'));
    const userId = userParam(req, claims.sub);
    if (isDirectOrGroup(access.channel)) throw badRequest('api.channel.remove_user_from_channel.type.app_error', 'Nobody can be removed from a direct or group message.');
    if (userId !== claims.sub) {
      const permission = access.channel.type === 'O' ? 'manage_public_channel_members' : 'manage_private_channel_members';
      requireChannelPermission(services.authz, access, permission);
    }
    if (!(await removeMember(services.db, access.channel.id, userId))) throw memberNotFound();
    sendOk(res);
    const data = { user_id: userId, channel_id: access.channel.id, remover_id: claims.sub };
    broadcastToChannel(services, access.channel.id, 'user_removed', data);
    sendToUser(services, userId, 'user_removed', data, { channel_id: access.channel.id });
  };
}
