/**
 * POST /api/v4/posts — members with `create_post` write to a live channel; a reply's root must be
 * a live root post of the same channel. The post, the channel counters and the poster's read
 * state commit together, then `posted` goes to the channel's connected members.
 */
import type { RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { loadChannelAccess, requirePermission, type ChannelAccess } from '../channels/access.js';
import { badRequest, forbidden } from '../http/chat-error.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { recordChannelPost } from '../store/channels.js';
import { newId } from '../store/ids.js';
import { markViewed } from '../store/members.js';
import { findPost, insertPost } from '../store/posts.js';
import type { PostRow } from '../store/schema.js';
import { broadcastToChannel } from '../websocket/broadcast.js';
import { postJson, postJsonWithReplies } from './post-json.js';
import { parseNewPost, type NewPost } from './validate-post.js';

const invalidRoot = () => badRequest('api.post.create_post.root_id.app_error', 'Invalid root_id parameter.');

export function createPostHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const input = parseNewPost(req.body, services.config.maxPostLength);
    const access = await loadChannelAccess(services, claims, input.channel_id);
    if (!access.member) throw forbidden('posting requires channel membership');
    if (access.channel.delete_at > 0) throw forbidden('channel is archived');
    requirePermission(services.authz, access.roles, 'create_post');
    if (input.root_id) await checkRoot(services, input);
    const row = await savePost(services, claims, input);
    const body = await postJsonWithReplies(services.db, row, input.pending_post_id);
    sendJson(res, 201, body);
    announce(services, access, claims, body);
  };
}

async function checkRoot(services: ChatServices, input: NewPost): Promise<void> {
  const root = await findPost(services.db, input.root_id);
  if (!root || root.delete_at > 0 || root.channel_id !== input.channel_id || root.root_id !== '') throw invalidRoot();
}

async function savePost(services: ChatServices, claims: AssertionClaims, input: NewPost): Promise<PostRow> {
  const at = services.now();
  const row: PostRow = {
    id: newId(), channel_id: input.channel_id, user_id: claims.sub, root_id: input.root_id, message: input.message,
    type: input.type, props: input.props, is_pinned: 0, create_at: at, update_at: at, edit_at: 0, delete_at: 0,
  };
  await services.db.transaction().execute(async (trx) => {
    await insertPost(trx, row);
    const counts = await recordChannelPost(trx, row.channel_id, at, row.root_id === '');
    await markViewed(trx, row.channel_id, claims.sub, at, counts);
  });
  return row;
}

function announce(services: ChatServices, access: ChannelAccess, claims: AssertionClaims, post: ReturnType<typeof postJson>): void {
  broadcastToChannel(services, access.channel.id, 'posted', {
    channel_display_name: access.channel.display_name,
    channel_name: access.channel.name,
    channel_type: access.channel.type,
    post: JSON.stringify(post),
    sender_name: `@${claims.username}`,
    set_online: true,
    team_id: access.channel.team_id,
  });
}
