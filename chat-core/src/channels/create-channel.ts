/** POST /api/v4/channels — the creator becomes the channel's first member and admin. */
import type { RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { badRequest } from '../http/chat-error.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { findChannelByName, insertChannel } from '../store/channels.js';
import { newId } from '../store/ids.js';
import { addMember } from '../store/members.js';
import type { ChannelRow } from '../store/schema.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { requirePermission, requireTeamRoles } from './access.js';
import { channelJson } from './channel-json.js';
import { sendToUser } from '../websocket/broadcast.js';
import { parseNewChannel, type NewChannel } from './validate-channel.js';

const channelExists = () =>
  badRequest('store.sql_channel.save_channel.exists.app_error', 'A channel with that name already exists on the same team.');

export function createChannelHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const input = parseNewChannel(req.body);
    const teamRoles = requireTeamRoles(claims, input.team_id);
    const permission = input.type === 'O' ? 'create_public_channel' : 'create_private_channel';
    requirePermission(services.authz, [...claims.roles, ...teamRoles], permission);
    const row = await saveChannel(services, claims, input);
    sendJson(res, 201, channelJson(row));
    sendToUser(services, claims.sub, 'channel_created', { channel_id: row.id, team_id: row.team_id }, { team_id: row.team_id });
  };
}

async function saveChannel(services: ChatServices, claims: AssertionClaims, input: NewChannel): Promise<ChannelRow> {
  const at = services.now();
  const row: ChannelRow = {
    ...input, id: newId(), creator_id: claims.sub, create_at: at, update_at: at, delete_at: 0,
    last_post_at: at, last_root_post_at: at, total_msg_count: 0, total_msg_count_root: 0, group_constrained: 0, moderations: '{}',
  };
  try {
    await services.db.transaction().execute(async (trx) => {
      if (await findChannelByName(trx, input.team_id, input.name)) throw channelExists();
      await insertChannel(trx, row);
      await addMember(trx, {
        channel_id: row.id, user_id: claims.sub, explicit_roles: '',
        scheme_user: claims.guest ? 0 : 1, scheme_admin: claims.guest ? 0 : 1, scheme_guest: claims.guest ? 1 : 0,
        last_viewed_at: at, msg_count: 0, msg_count_root: 0, mention_count: 0, last_update_at: at,
      });
    });
  } catch (error) {
    // Two racing creators: the unique (team_id, name) index decides, the loser gets the same 400.
    if (isUniqueViolation(error)) throw channelExists();
    throw error;
  }
  return row;
}
