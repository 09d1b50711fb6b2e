/**
 * PUT /api/v4/channels/{channel_id}/patch — Mattermost's channel patch: display_name, purpose,
 * header and group_constrained. Channel admins, team admins of the channel's team and system
 * admins may patch; changing group_constrained needs `manage_system` and a private channel.
 */
import type { RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { badRequest, channelNotFound, forbidden } from '../http/chat-error.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { updateChannel, type ChannelChanges } from '../store/channels.js';
import type { ChannelRow } from '../store/schema.js';
import { loadChannelAccess, requirePermission, type ChannelAccess } from './access.js';
import { channelJson } from './channel-json.js';
import { broadcastChannelUpdated } from './channel-updated.js';
import { parseChannelPatch, type ChannelPatch } from './validate-channel.js';

export function patchChannelHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const access = await loadChannelAccess(services, claims, idParam(req, 'channel_id'));
    if (access.channel.delete_at > 0) throw badRequest('api.channel.update_channel.deleted.app_error', 'The channel has been archived or deleted.');
    authorizePatch(services, claims, access);
    const changes = changesOf(access.channel, parseChannelPatch(req.body));
    if (changes.group_constrained !== undefined) authorizeConstrain(services, access, changes.group_constrained === 1);
    if (Object.keys(changes).length === 0) return sendJson(res, 200, channelJson(access.channel));
    const row = await updateChannel(services.db, access.channel.id, changes, services.now());
    if (!row) throw channelNotFound();
    sendJson(res, 200, channelJson(row));
    broadcastChannelUpdated(services, row.id);
  };
}

/**
 * The default scheme (Mattermost's) gives `manage_*_channel_properties` to every channel_user;
 * patching is kept to admins, so the caller must also hold `manage_channel_roles`, which only
 * channel_admin, team_admin and system_admin hold.
 */
function authorizePatch(services: ChatServices, claims: AssertionClaims, access: ChannelAccess): void {
  if (claims.guest) throw forbidden('guests cannot change channels');
  const kind = access.channel.type === 'O' ? 'public' : 'private';
  requirePermission(services.authz, access.roles, `manage_${kind}_channel_properties`);
  requirePermission(services.authz, access.roles, 'manage_channel_roles');
}

function authorizeConstrain(services: ChatServices, access: ChannelAccess, constrained: boolean): void {
  requirePermission(services.authz, access.roles, 'manage_system');
  if (constrained && access.channel.type !== 'P') {
    throw badRequest('api.channel.patch.group_constrained.public_channel.app_error',
      'Only a private channel can be managed by group sync: link the groups to a private channel instead.');
  }
}

/** Only the fields that differ, so a client resending the whole channel changes (and needs) nothing more. */
function changesOf(channel: ChannelRow, patch: ChannelPatch): ChannelChanges {
  const changes: ChannelChanges = {};
  if (patch.display_name !== undefined && patch.display_name !== channel.display_name) changes.display_name = patch.display_name;
  if (patch.purpose !== undefined && patch.purpose !== channel.purpose) changes.purpose = patch.purpose;
  if (patch.header !== undefined && patch.header !== channel.header) changes.header = patch.header;
  if (patch.group_constrained !== undefined) {
    const flag = patch.group_constrained ? 1 : 0;
    if (flag !== channel.group_constrained) changes.group_constrained = flag;
  }
  return changes;
}
