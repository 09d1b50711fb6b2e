/**
 * GET /provision/v1/channels/{channel_id} (contract.ts PROVISION_CHANNEL_PATH), on chat-core's
 * internal port behind requireProvisioner: one live channel with every member, as group sync
 * needs it to compute what to add and remove.
 */
import type { RequestHandler } from 'express';
import { MAX_SHARED_QUERY, type ProvisionChannel, type ProvisionShared } from '../../contract.js';
import { ChatError } from '../http/chat-error.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { findChannel } from '../store/channels.js';
import { isExternalId, isId } from '../store/ids.js';
import { listMemberRoles, usersSharingChannel } from '../store/members.js';

/** The caller is the gateway itself, so the reason is shown in `detailed_error`. */
const provisionError = (status: number, id: string, message: string, where: string): ChatError =>
  new ChatError(status, id, message, where, where);

export function provisionChannelHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const channelId = req.params.channel_id;
    if (!isId(channelId)) {
      throw provisionError(400, 'provision.invalid_request', 'The provisioning request is invalid.', 'channel_id: must be a channel id');
    }
    const channel = await findChannel(services.db, channelId);
    // Direct and group channels belong to no team: group sync has nothing to do with them.
    if (!channel || channel.delete_at > 0 || (channel.type !== 'O' && channel.type !== 'P')) {
      throw provisionError(404, 'provision.channel_not_found', 'No such channel.', `no live channel ${channelId}`);
    }
    const body: ProvisionChannel = {
      id: channel.id, team_id: channel.team_id, type: channel.type === 'O' ? 'O' : 'P', name: channel.name, display_name: channel.display_name,
      group_constrained: channel.group_constrained === 1,
      members: await listMemberRoles(services.db, channel.id),
    };
    sendJson(res, 200, body);
  };
}

/** GET /provision/v1/shared-channel?user_id&other_id… (contract.ts PROVISION_SHARED_PATH). */
export function provisionSharedHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const a = typeof req.query.user_id === 'string' ? req.query.user_id : '';
    const raw = req.query.other_id;
    const others = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((x): x is string => typeof x === 'string');
    if (!isExternalId(a) || others.length === 0 || others.length > MAX_SHARED_QUERY || !others.every(isExternalId)) {
      throw provisionError(400, 'provision.invalid_request', 'The provisioning request is invalid.', `user_id must be a user id and other_id 1–${MAX_SHARED_QUERY} user ids`);
    }
    const body: ProvisionShared = { shared_ids: await usersSharingChannel(services.db, a, others) };
    sendJson(res, 200, body);
  };
}
