/**
 * One outgoing-webhook delivery (Mattermost's TriggerWebhook): Mattermost's payload, form-encoded or
 * JSON as the hook asks, signed (signature.ts), POSTed through the SSRF guard; a JSON answer with
 * `text` (or attachments) is posted back as the hook's creator — in the thread when `response_type`
 * is `comment`. Failures are logged with the callback's host only (a URL may carry secrets in its
 * query, and the token never reaches a log); the poster never hears of them.
 */
import type { Logger } from 'pino';
import { ChatError } from '../http/chat-error.js';
import { fitsRunes, isPlainObject } from '../http/validation.js';
import { fileIdsOf } from '../store/posts.js';
import type { ChatServices } from '../services.js';
import { findChannel } from '../store/channels.js';
import type { ChannelRow, OutgoingWebhookRow, PostRow } from '../store/schema.js';
import { isHttpUrl } from './hook-fields.js';
import { openTokenOf } from './outgoing-rules.js';
import { safePost, RefusedDestination, type SafeResponse } from './safe-request.js';
import { SIGNATURE_HEADER, signatureHeaderValue } from './signature.js';
import { processSlackText } from './slack-text.js';
import { JSON_CONTENT_TYPE } from './validate-outgoing.js';
import { authorizeWebhookPoster, publishWebhookPost } from './webhook-poster.js';

/** Mattermost's OutgoingIntegrationRequestsTimeout default and MaxIntegrationResponseSize. */
export const DELIVERY_TIMEOUT_MS = 10_000;
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const CUSTOM_TYPE = /^custom_[a-z0-9_]{1,57}$/;

export interface Delivery {
  hook: OutgoingWebhookRow;
  channel: ChannelRow;
  post: PostRow;
  username: string;
  triggerWord: string;
  url: string;
}

function encodePayload(delivery: Delivery, token: string): { body: string; contentType: string } {
  const { hook, channel, post } = delivery;
  const fields = {
    token, team_id: hook.team_id,
    // chat-core knows teams by id only; the team's name lives in the gateway.
    team_domain: '',
    channel_id: post.channel_id, channel_name: channel.name, user_id: post.user_id, user_name: delivery.username,
    post_id: post.id, text: post.message, trigger_word: delivery.triggerWord, file_ids: fileIdsOf(post).join(','),
  };
  // As Mattermost: milliseconds in JSON, seconds in the form.
  if (hook.content_type === JSON_CONTENT_TYPE) return { body: JSON.stringify({ ...fields, timestamp: post.create_at }), contentType: JSON_CONTENT_TYPE };
  const form = new URLSearchParams({ ...fields, timestamp: String(Math.floor(post.create_at / 1000)) });
  return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
}

function optionalText(value: unknown, max: number): string {
  return typeof value === 'string' && fitsRunes(value, max) ? value : '';
}

async function postAnswer(services: ChatServices, delivery: Delivery, answer: Record<string, unknown>): Promise<void> {
  const { hook, post } = delivery;
  const text = typeof answer.text === 'string' ? answer.text : '';
  const attachments = Array.isArray(answer.attachments) && answer.attachments.every(isPlainObject) ? answer.attachments : undefined;
  if (text === '' && !attachments?.length) return;
  // Read again: the channel may have been archived while the callback thought.
  const channel = await findChannel(services.db, post.channel_id);
  if (!channel) return;
  const poster = await authorizeWebhookPoster(services, channel, hook.creator_id);
  const iconUrl = optionalText(answer.icon_url, 1024);
  const type = optionalText(answer.type, 64);
  await publishWebhookPost(services, channel, poster, {
    text: processSlackText(text),
    username: optionalText(answer.username, 64) || hook.username,
    iconUrl: iconUrl !== '' && isHttpUrl(iconUrl) ? iconUrl : hook.icon_url,
    props: isPlainObject(answer.props) ? answer.props : {},
    attachments,
    type: CUSTOM_TYPE.test(type) ? type : '',
    rootId: answer.response_type === 'comment' ? post.root_id || post.id : '',
    hookDisplayName: hook.display_name,
  });
}

function answerOf(response: SafeResponse, log: Logger): Record<string, unknown> | undefined {
  if (response.status < 200 || response.status >= 300) {
    log.warn({ status: response.status }, 'outgoing webhook callback answered with a non-2xx status (redirects are not followed)');
    return undefined;
  }
  if (response.body.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(response.body.toString('utf8'));
    return isPlainObject(value) ? value : undefined;
  } catch {
    log.info('outgoing webhook callback answered something other than JSON; nothing posted');
    return undefined;
  }
}

export async function deliverOutgoing(services: ChatServices, delivery: Delivery): Promise<void> {
  const { hook, post } = delivery;
  const log = services.logger.child({ outgoing_webhook_id: hook.id, post_id: post.id, callback_host: hostOf(delivery.url) });
  let token: string;
  try {
    token = openTokenOf(services.config.secretKey ?? '', hook);
  } catch {
    log.error('outgoing webhook token does not open with the configured secretKey; not delivered');
    return;
  }
  const { body, contentType } = encodePayload(delivery, token);
  const headers = {
    'content-type': contentType, accept: 'application/json', 'user-agent': 'Gatehouse-Webhooks/1',
    [SIGNATURE_HEADER.toLowerCase()]: signatureHeaderValue(token, Math.floor(services.now() / 1000), body),
  };
  try {
    const response = await safePost(delivery.url, {
      headers, body, timeoutMs: DELIVERY_TIMEOUT_MS, maxResponseBytes: MAX_RESPONSE_BYTES, allowedHosts: services.config.webhookAllowedHosts,
    });
    const answer = answerOf(response, log);
    if (answer) await postAnswer(services, delivery, answer);
  } catch (error) {
    if (error instanceof RefusedDestination) log.warn({ reason: error.message }, 'outgoing webhook callback refused');
    else if (error instanceof ChatError) log.warn({ error_id: error.id, detail: error.detail }, 'outgoing webhook answer not posted');
    else log.warn({ err: (error as Error).message }, 'outgoing webhook delivery failed');
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
