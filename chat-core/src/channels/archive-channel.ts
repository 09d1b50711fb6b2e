/**
 * DELETE /api/v4/channels/{channel_id} archives a channel (Mattermost's soft delete: members keep
 * reading, nobody writes) and POST /api/v4/channels/{channel_id}/restore brings it back. Archiving
 * needs `delete_public_channel` / `delete_private_channel`; restoring needs `manage_team` on the
 * channel's team. Direct and group channels are never archived.
 */
import type { RequestHandler } from 'express';
import { badRequest } from '../http/chat-error.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson, sendOk } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { setChannelDeleteAt } from '../store/channels.js';
import { broadcastToChannel } from '../websocket/broadcast.js';
import { isDirectOrGroup, loadChannelAccess, requirePermission } from './access.js';
import { channelJson } from './channel-json.js';

export function archiveChannelHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const access = await loadChannelAccess(services, claimsOf(res), idParam(req, 'channel_id'));
    const { channel } = access;
    if (isDirectOrGroup(channel)) throw badRequest('api.channel.delete_channel.type.invalid', 'Direct and group messages cannot be archived.');
    if (channel.delete_at > 0) throw badRequest('api.channel.delete_channel.deleted.app_error', 'The channel is already archived.');
    requirePermission(services.authz, access.roles, channel.type === 'O' ? 'delete_public_channel' : 'delete_private_channel');
    const at = services.now();
    await setChannelDeleteAt(services.db, channel.id, at, at);
    sendOk(res);
    broadcastToChannel(services, channel.id, 'channel_deleted', { channel_id: channel.id, delete_at: at, team_id: channel.team_id });
  };
}

export function restoreChannelHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const access = await loadChannelAccess(services, claimsOf(res), idParam(req, 'channel_id'));
    const { channel } = access;
    if (channel.delete_at === 0) throw badRequest('api.channel.restore_channel.restored.app_error', 'The channel is not archived.');
    requirePermission(services.authz, access.roles, 'manage_team');
    const at = services.now();
    await setChannelDeleteAt(services.db, channel.id, 0, at);
    sendJson(res, 200, channelJson({ ...channel, delete_at: 0, update_at: at }));
    broadcastToChannel(services, channel.id, 'channel_restored', { channel_id: channel.id, team_id: channel.team_id });
  };
}
