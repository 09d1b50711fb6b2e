/**
 * Read state: POST /api/v4/channels/members/{user_id}/view `{channel_id, prev_channel_id}` marks a
 * channel read, POST …/mark_read `[channel ids]` several at once, and
 * GET /api/v4/users/{user_id}/channels/{channel_id}/unread answers the unread and mention counts.
 * Only for yourself.
 */
import type { Request, RequestHandler, Response } from 'express';
import { forbidden, invalidBody, notFound } from '../http/chat-error.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import { isPlainObject } from '../http/validation.js';
import type { ChatServices } from '../services.js';
import { findChannel } from '../store/channels.js';
import { isId } from '../store/ids.js';
import { markViewed } from '../store/members.js';
import { sendToUser } from '../websocket/broadcast.js';
import { loadReadableChannel } from './access.js';

const MAX_MARK_READ = 200;

function self(req: Request, res: Response): string {
  const claims = claimsOf(res);
  if (req.params.user_id !== 'me' && req.params.user_id !== claims.sub) throw forbidden('read state of another user');
  return claims.sub;
}

export function viewChannelHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const userId = self(req, res);
    if (!isPlainObject(req.body) || (req.body.channel_id !== '' && !isId(req.body.channel_id))) throw invalidBody('channel_id');
    const ids = req.body.channel_id === '' ? [] : [req.body.channel_id];
    sendJson(res, 200, { status: 'OK', last_viewed_at_times: await markRead(services, res, userId, ids) });
  };
}

export function markReadHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const userId = self(req, res);
    const ids: unknown = req.body;
    if (!Array.isArray(ids) || ids.length > MAX_MARK_READ || !ids.every(isId)) throw invalidBody('channel ids');
    sendJson(res, 200, { status: 'OK', last_viewed_at_times: await markRead(services, res, userId, [...new Set(ids)]) });
  };
}

/** All or nothing: every channel is checked before any is marked. */
async function markRead(services: ChatServices, res: Response, userId: string, ids: readonly string[]): Promise<Record<string, number>> {
  const claims = claimsOf(res);
  for (const id of ids) {
    const access = await loadReadableChannel(services, claims, id);
    if (!access.member) throw forbidden('only members have read state');
  }
  const at = services.now();
  const times: Record<string, number> = {};
  await services.db.transaction().execute(async (trx) => {
    for (const id of ids) {
      const channel = await findChannel(trx, id);
      if (!channel) continue;
      await markViewed(trx, id, userId, at, channel);
      times[id] = at;
    }
  });
  for (const id of Object.keys(times)) sendToUser(services, userId, 'channel_viewed', { channel_id: id }, { channel_id: id });
  return times;
}

export function unreadHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    self(req, res);
    const access = await loadReadableChannel(services, claimsOf(res), idParam(req, 'channel_id'));
    const { channel, member } = access;
    if (!member) throw notFound('app.channel.get_member.missing.app_error', 'No channel member found for that user ID and channel ID.');
    sendJson(res, 200, {
      team_id: channel.team_id,
      channel_id: channel.id,
      msg_count: Math.max(0, channel.total_msg_count - member.msg_count),
      msg_count_root: Math.max(0, channel.total_msg_count_root - member.msg_count_root),
      mention_count: member.mention_count,
      mention_count_root: 0,
      urgent_mention_count: 0,
      notify_props: { desktop: 'default', email: 'default', mark_unread: 'all', push: 'default', ignore_channel_mentions: 'default' },
    });
  };
}
