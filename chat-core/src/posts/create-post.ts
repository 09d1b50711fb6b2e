/**
 * POST /api/v4/posts — members with `create_post` (after the channel's moderation) write to a live
 * channel; a reply's root must be a live root post of the same channel.
 */
import type { RequestHandler } from 'express';
import { channelAllows, loadChannelAccess, requireChannelPermission } from '../channels/access.js';
import { forbidden } from '../http/chat-error.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { publishPost } from './publish-post.js';
import { parseNewPost } from './validate-post.js';

export function createPostHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const input = parseNewPost(req.body, services.config.maxPostLength);
    const access = await loadChannelAccess(services, claims, input.channel_id);
    if (!access.member) throw forbidden('posting requires channel membership');
    if (access.channel.delete_at > 0) throw forbidden('channel is archived');
    requireChannelPermission(services.authz, access, 'create_post');
    const channelMentions = channelAllows(services.authz, access, 'use_channel_mentions');
    const body = await publishPost(services, {
      channel: access.channel, userId: claims.sub, username: claims.username, message: input.message, rootId: input.root_id,
      props: input.props, type: input.type, fileIds: input.file_ids, pendingPostId: input.pending_post_id, channelMentions,
    });
    sendJson(res, 201, body);
  };
}
