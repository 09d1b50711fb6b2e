/**
 * Posting on behalf of a webhook's owner (an incoming hook's user, an outgoing hook's creator). No
 * assertion stands behind such a post, so the owner is checked here against what chat-core knows:
 * mirrored and not deactivated, still in the team, a member of a private channel, the channel live,
 * and `create_post` neither missing nor moderated off. The roles are the least the owner can hold
 * (system_user or system_guest, plus their channel roles): a team admin's exemption from moderation
 * is not known without an assertion, so it is not assumed.
 */
import { channelAllows, isDirectOrGroup, memberRoles } from '../channels/access.js';
import { ChatError, badRequest } from '../http/chat-error.js';
import { isPlainObject } from '../http/validation.js';
import { publishPost } from '../posts/publish-post.js';
import type { PostJson } from '../posts/post-json.js';
import { parseMessage, parseProps } from '../posts/validate-post.js';
import type { ChatServices } from '../services.js';
import { findMember } from '../store/members.js';
import type { ChannelRow, UserRow } from '../store/schema.js';
import { findUser, isTeamMember } from '../store/users.js';

/** Mattermost's DefaultWebhookUsername. */
export const DEFAULT_WEBHOOK_USERNAME = 'webhook';
/** Props the payload may not set: they are the server's to write. */
const RESERVED_PROPS = new Set(['from_webhook', 'override_username', 'override_icon_url', 'attachments', 'webhook_display_name']);

export interface WebhookPoster {
  user: UserRow;
  channelMentions: boolean;
}

export interface WebhookMessage {
  text: string;
  username: string;
  iconUrl: string;
  props: Record<string, unknown>;
  attachments: unknown[] | undefined;
  type: string;
  rootId: string;
  hookDisplayName: string;
}

export const posterRefused = (): ChatError =>
  new ChatError(403, 'web.incoming_webhook.user.app_error', 'The webhook\'s owner can no longer post: the account is unknown here or deactivated.');
export const posterNotPermitted = (detail: string): ChatError =>
  new ChatError(403, 'web.incoming_webhook.permissions.app_error', 'The webhook\'s owner may not post in this channel.', detail);
export const channelArchived = (): ChatError =>
  badRequest('api.post.create_post.can_not_post_to_deleted.error', 'This channel is archived: nothing can be posted to it. Point the webhook at a live channel.');

export async function authorizeWebhookPoster(services: ChatServices, channel: ChannelRow, userId: string): Promise<WebhookPoster> {
  const user = await findUser(services.db, userId);
  if (!user || user.deactivated === 1) throw posterRefused();
  if (channel.delete_at > 0) throw channelArchived();
  if (isDirectOrGroup(channel)) throw posterNotPermitted('webhooks do not post to direct or group messages');
  if (!(await isTeamMember(services.db, channel.team_id, userId))) throw posterNotPermitted(`owner ${userId} left team ${channel.team_id}`);
  const member = await findMember(services.db, channel.id, userId);
  if (!member && (channel.type !== 'O' || user.guest === 1)) throw posterNotPermitted(`owner ${userId} cannot read channel ${channel.id}`);
  const access = { channel, member, roles: [user.guest === 1 ? 'system_guest' : 'system_user', ...(member ? memberRoles(member) : ['channel_user'])] };
  if (!channelAllows(services.authz, access, 'create_post')) {
    throw posterNotPermitted(`create_post is not held or moderated off in channel ${channel.id}`);
  }
  return { user, channelMentions: channelAllows(services.authz, access, 'use_channel_mentions') };
}

function webhookProps(message: WebhookMessage): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message.props)) if (!RESERVED_PROPS.has(key)) props[key] = value;
  props.webhook_display_name = message.hookDisplayName;
  props.from_webhook = 'true';
  props.override_username = message.username || DEFAULT_WEBHOOK_USERNAME;
  if (message.iconUrl) props.override_icon_url = message.iconUrl;
  if (message.attachments && message.attachments.length > 0) props.attachments = message.attachments;
  return props;
}

/** Validates the message like any post (length, props size), then publishes it as the owner. */
export async function publishWebhookPost(services: ChatServices, channel: ChannelRow, poster: WebhookPoster, message: WebhookMessage): Promise<PostJson> {
  const text = parseMessage(message.text, services.config.maxPostLength);
  if (!isPlainObject(message.props)) throw badRequest('model.post.is_valid.props.app_error', 'Post props must be an object.');
  const props = parseProps(webhookProps(message));
  const type = message.attachments && message.attachments.length > 0 ? 'slack_attachment' : message.type;
  return publishPost(services, {
    channel, userId: poster.user.id, username: poster.user.username, message: text, rootId: message.rootId,
    props, type, fileIds: [], pendingPostId: '', channelMentions: poster.channelMentions,
  });
}
