/**
 * POST /api/v4/channels/direct `[user_a, user_b]` and POST /api/v4/channels/group `[ids…]`: the
 * channel for exactly these people, created on first use and returned as it is after. The caller
 * must be one of them and hold `create_direct_channel` / `create_group_channel`; everyone must be a
 * known, active user. A guest only talks to people they already share a channel with (the
 * gateway's visibility rule, decided here where the memberships live).
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { badRequest, forbidden, invalidBody, notFound } from '../http/chat-error.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { findChannelByName, insertChannel } from '../store/channels.js';
import type { ChatDatabase } from '../store/database.js';
import { isExternalId, newId } from '../store/ids.js';
import { addMember, usersSharingChannel } from '../store/members.js';
import type { ChannelRow, UserRow } from '../store/schema.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { sendToUser } from '../websocket/broadcast.js';
import { newMemberRow } from './add-member.js';
import { requirePermission } from './access.js';
import { channelJson } from './channel-json.js';

/** Mattermost's bounds: a group channel has 3 to 8 people, the creator included. */
const GROUP_MIN = 3;
const GROUP_MAX = 8;

export function createDirectChannelHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const ids = parseIds(req.body);
    if (ids.length !== 2) throw badRequest('api.channel.create_direct_channel.invalid_user.app_error', 'A direct channel needs exactly two user ids.');
    if (!ids.includes(claims.sub)) throw forbidden('a direct channel must include the caller');
    requirePermission(services.authz, claims.roles, 'create_direct_channel');
    const unique = [...new Set(ids)].sort();
    const users = await participants(services, unique);
    const channel = await getOrCreate(services, claims, users, 'D', directName(unique), '');
    sendJson(res, 201, channelJson(channel.row));
    if (channel.created) {
      const [a, b = a] = unique;
      sendToUser(services, a!, 'direct_added', { creator_id: claims.sub, teammate_id: b }, { channel_id: channel.row.id });
      if (b !== a) sendToUser(services, b!, 'direct_added', { creator_id: claims.sub, teammate_id: a }, { channel_id: channel.row.id });
    }
  };
}

export function createGroupChannelHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const unique = [...new Set([...parseIds(req.body), claims.sub])].sort();
    if (unique.length < GROUP_MIN || unique.length > GROUP_MAX) {
      throw badRequest('api.channel.create_group.bad_size.app_error', `A group channel needs ${GROUP_MIN} to ${GROUP_MAX} people, you included.`);
    }
    requirePermission(services.authz, claims.roles, 'create_group_channel');
    const users = await participants(services, unique);
    const displayName = users.map((u) => u.username).sort().join(', ');
    const channel = await getOrCreate(services, claims, users, 'G', groupName(unique), displayName);
    sendJson(res, 201, channelJson(channel.row));
    if (channel.created) {
      for (const user of users) sendToUser(services, user.id, 'group_added', { teammate_ids: JSON.stringify(unique) }, { channel_id: channel.row.id });
    }
  };
}

function parseIds(body: unknown): string[] {
  if (!Array.isArray(body) || body.length > GROUP_MAX + 1 || !body.every(isExternalId)) throw invalidBody('user ids');
  return body;
}

/** `{a}__{b}` as Mattermost names them, when it fits the name column; a digest otherwise. */
export function directName(sortedIds: readonly string[]): string {
  const [a, b = a] = sortedIds;
  const name = `${a}__${b}`;
  return name.length <= 64 ? name : `dm-${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

export function groupName(sortedIds: readonly string[]): string {
  return createHash('sha1').update(sortedIds.join(',')).digest('hex');
}

async function participants(services: ChatServices, ids: readonly string[]): Promise<UserRow[]> {
  const users = await services.db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
  const active = users.filter((u) => u.deactivated === 0);
  if (active.length !== ids.length) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
  await checkGuestRule(services.db, active);
  return active;
}

/** Every guest among them must already share a live channel with each of the others. */
async function checkGuestRule(db: ChatDatabase, users: readonly UserRow[]): Promise<void> {
  for (const guest of users.filter((u) => u.guest === 1)) {
    const others = users.filter((u) => u.id !== guest.id).map((u) => u.id);
    if (others.length === 0) continue;
    if ((await usersSharingChannel(db, guest.id, others)).length !== others.length) throw forbidden(`guest ${guest.id} shares no channel with every participant`);
  }
}

async function getOrCreate(
  services: ChatServices, claims: AssertionClaims, users: readonly UserRow[], type: 'D' | 'G', name: string, displayName: string,
): Promise<{ row: ChannelRow; created: boolean }> {
  const existing = await findChannelByName(services.db, '', name);
  if (existing) return { row: existing, created: false };
  const at = services.now();
  const row: ChannelRow = {
    id: newId(), team_id: '', type, name, display_name: displayName, purpose: '', header: '', creator_id: claims.sub,
    create_at: at, update_at: at, delete_at: 0, last_post_at: at, last_root_post_at: at, total_msg_count: 0,
    total_msg_count_root: 0, group_constrained: 0, moderations: '{}',
  };
  try {
    await services.db.transaction().execute(async (trx) => {
      await insertChannel(trx, row);
      for (const user of users) await addMember(trx, newMemberRow(row.id, user.id, user.guest === 1, at));
    });
  } catch (error) {
    // Both people opened the conversation at once: the unique (team_id, name) index picked one.
    if (!isUniqueViolation(error)) throw error;
    const winner = await findChannelByName(services.db, '', name);
    if (!winner) throw error;
    return { row: winner, created: false };
  }
  return { row, created: true };
}
