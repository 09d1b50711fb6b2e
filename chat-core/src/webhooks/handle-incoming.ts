/**
 * One incoming-webhook call (Mattermost's HandleIncomingWebhook): the target channel — the hook's,
 * or one named by the payload when the hook is not locked — then the owner's right to post there,
 * then one post with `from_webhook`. Every refusal happens before anything is written.
 */
import { ChatError, badRequest, notFound } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { findChannel, findChannelByName } from '../store/channels.js';
import type { ChannelRow, IncomingWebhookRow } from '../store/schema.js';
import type { IncomingPayload } from './incoming-payload.js';
import { processSlackText } from './slack-text.js';
import { authorizeWebhookPoster, publishWebhookPost } from './webhook-poster.js';

export const unknownHook = (): ChatError => notFound('web.incoming_webhook.invalid.app_error', 'Invalid webhook: it does not exist or was deleted.');

const channelLocked = () =>
  new ChatError(403, 'web.incoming_webhook.channel_locked.app_error', 'This webhook is locked to its channel: it cannot post to another one.');
const channelMissing = () => notFound('web.incoming_webhook.channel.app_error', 'Couldn\'t find the channel named in the webhook payload.');

async function targetChannel(services: ChatServices, hook: IncomingWebhookRow, requested: string): Promise<ChannelRow> {
  const home = await findChannel(services.db, hook.channel_id);
  const name = requested.startsWith('#') ? requested.slice(1) : requested;
  if (name === '' || (home && name === home.name)) {
    if (!home) throw channelMissing();
    return home;
  }
  if (name.startsWith('@')) {
    throw badRequest('web.incoming_webhook.direct_message.app_error', 'Incoming webhooks do not post direct messages here: name a channel of the hook\'s team instead.');
  }
  // Locked: refuse before looking the name up, so a locked hook cannot probe other channel names.
  if (hook.channel_locked === 1) throw channelLocked();
  const channel = await findChannelByName(services.db, hook.team_id, name);
  if (!channel) throw channelMissing();
  return channel;
}

export async function handleIncomingWebhook(services: ChatServices, hook: IncomingWebhookRow, payload: IncomingPayload): Promise<void> {
  const channel = await targetChannel(services, hook, payload.channel);
  const poster = await authorizeWebhookPoster(services, channel, hook.user_id);
  await publishWebhookPost(services, channel, poster, {
    text: processSlackText(payload.text),
    username: payload.username || hook.username,
    iconUrl: payload.icon_url || hook.icon_url,
    props: payload.props,
    attachments: payload.attachments,
    type: payload.type,
    rootId: payload.root_id,
    hookDisplayName: hook.display_name,
  });
}
