/**
 * Publishing a post, whoever writes it (a user through POST /posts, an incoming webhook, an
 * outgoing webhook's answer): the post, its file attachments, the channel counters, the author's
 * read state and the mentioned members' counts commit together; then `posted` goes to the
 * channel's connected members and outgoing webhooks fire. Permission checks are the caller's.
 */
import { badRequest } from '../http/chat-error.js';
import { attachFiles } from '../files/attach-files.js';
import type { ChatServices } from '../services.js';
import { recordChannelPost } from '../store/channels.js';
import type { ChatDatabase } from '../store/database.js';
import { newId } from '../store/ids.js';
import { addMentions, markViewed } from '../store/members.js';
import { findPost, insertPost } from '../store/posts.js';
import type { ChannelRow, PostRow } from '../store/schema.js';
import { triggerOutgoingWebhooks } from '../webhooks/outgoing-trigger.js';
import { broadcastToChannel } from '../websocket/broadcast.js';
import { mentionedMembers } from './mentions.js';
import { decoratedPost, type PostJson } from './post-json.js';

export interface PostDraft {
  channel: ChannelRow;
  userId: string;
  username: string;
  message: string;
  rootId: string;
  /** JSON text of the props object. */
  props: string;
  type: string;
  fileIds: readonly string[];
  pendingPostId: string;
  /** Whether `@channel`, `@all` and `@here` notify (the poster holds `use_channel_mentions`). */
  channelMentions: boolean;
}

const invalidRoot = () => badRequest('api.post.create_post.root_id.app_error', 'Invalid root_id parameter.');

export async function publishPost(services: ChatServices, draft: PostDraft): Promise<PostJson> {
  if (draft.rootId) await checkRoot(services.db, draft);
  const at = services.now();
  const row: PostRow = {
    id: newId(), channel_id: draft.channel.id, user_id: draft.userId, root_id: draft.rootId, message: draft.message,
    type: draft.type, props: draft.props, is_pinned: 0, create_at: at, update_at: at, edit_at: 0, delete_at: 0,
    file_ids: JSON.stringify(draft.fileIds), has_reactions: 0,
  };
  const mentioned = await mentionedMembers(services.db, draft.channel, draft.userId, draft.message, draft.channelMentions);
  await services.db.transaction().execute(async (trx) => {
    await insertPost(trx, row);
    await attachFiles(trx, { postId: row.id, channelId: row.channel_id, userId: draft.userId, fileIds: draft.fileIds, at });
    const counts = await recordChannelPost(trx, row.channel_id, at, row.root_id === '');
    await markViewed(trx, row.channel_id, draft.userId, at, counts);
    await addMentions(trx, row.channel_id, mentioned);
  });
  const body = await decoratedPost(services.db, row, draft.pendingPostId);
  announce(services, draft, body, mentioned);
  triggerOutgoingWebhooks(services, draft.channel, row, draft.username);
  return body;
}

async function checkRoot(db: ChatDatabase, draft: PostDraft): Promise<void> {
  const root = await findPost(db, draft.rootId);
  if (!root || root.delete_at > 0 || root.channel_id !== draft.channel.id || root.root_id !== '') throw invalidRoot();
}

function announce(services: ChatServices, draft: PostDraft, post: PostJson, mentioned: string[]): void {
  const { channel } = draft;
  broadcastToChannel(services, channel.id, 'posted', {
    channel_display_name: channel.display_name,
    channel_name: channel.name,
    channel_type: channel.type,
    post: JSON.stringify(post),
    sender_name: `@${draft.username}`,
    set_online: true,
    team_id: channel.team_id,
    ...(mentioned.length > 0 ? { mentions: JSON.stringify(mentioned) } : {}),
  });
}
