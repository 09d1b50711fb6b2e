/**
 * Outgoing webhooks fired by a new post (Mattermost's handleWebhookEvents): for a post in a live
 * public channel, every hook of the team watching that channel (or every channel) whose trigger
 * matches the first word — or, for a channel hook without trigger words, every post. Posts made by
 * webhooks never trigger, so a hook's answer cannot loop. Work runs after the response, on a bounded
 * queue per chat-core instance; nothing here blocks the request or throws into it.
 */
import type { ChatServices } from '../services.js';
import type { ChannelRow, OutgoingWebhookRow, PostRow } from '../store/schema.js';
import { findUser, isTeamMember } from '../store/users.js';
import { deliverOutgoing } from './deliver-outgoing.js';
import { createTaskQueue, type TaskQueue } from './task-queue.js';
import { stringArray } from './webhook-json.js';
import { listTriggerCandidates } from './webhook-store.js';

/** Deliveries in flight at once, per chat-core instance, and how many may wait. */
export const DELIVERY_CONCURRENCY = 4;
export const MAX_PENDING_DELIVERIES = 1000;

const queues = new WeakMap<ChatServices, TaskQueue>();

function queueOf(services: ChatServices): TaskQueue {
  let queue = queues.get(services);
  if (!queue) {
    queue = createTaskQueue({ concurrency: DELIVERY_CONCURRENCY, maxPending: MAX_PENDING_DELIVERIES });
    queues.set(services, queue);
  }
  return queue;
}

/** Resolves once every queued delivery of this instance has finished (for shutdown and tests). */
export function drainOutgoingWebhooks(services: ChatServices): Promise<void> {
  return queues.get(services)?.idle() ?? Promise.resolve();
}

function isFromWebhook(post: PostRow): boolean {
  try {
    const props: unknown = JSON.parse(post.props);
    return typeof props === 'object' && props !== null && 'from_webhook' in props && Boolean((props as { from_webhook: unknown }).from_webhook);
  } catch {
    // Unreadable props: do not risk a loop.
    return true;
  }
}

/** The trigger word that fires `hook` for a post whose first word is `firstWord`, or undefined. */
export function matchTrigger(hook: Pick<OutgoingWebhookRow, 'channel_id' | 'trigger_words' | 'trigger_when'>, channelId: string, firstWord: string): string | undefined {
  const words = stringArray(hook.trigger_words);
  if (hook.channel_id === channelId && words.length === 0) return '';
  if (firstWord === '') return undefined;
  return hook.trigger_when === 1 ? words.find((word) => firstWord.startsWith(word)) : words.find((word) => word === firstWord);
}

function enqueue(services: ChatServices, task: () => Promise<void>, postId: string): void {
  if (!queueOf(services).push(task)) services.logger.warn({ post_id: postId }, 'outgoing webhook queue is full; a delivery was dropped');
}

/** A hook sends channel content out: only while its creator could still read that channel. */
async function creatorMayRead(services: ChatServices, hook: OutgoingWebhookRow): Promise<boolean> {
  const creator = await findUser(services.db, hook.creator_id);
  if (!creator || creator.deactivated === 1 || creator.guest === 1) return false;
  return isTeamMember(services.db, hook.team_id, hook.creator_id);
}

async function fire(services: ChatServices, channel: ChannelRow, post: PostRow, username: string): Promise<void> {
  const hooks = await listTriggerCandidates(services.db, channel.team_id, channel.id);
  const firstWord = post.message.trim().split(/\s+/, 1)[0] ?? '';
  for (const hook of hooks) {
    const triggerWord = matchTrigger(hook, channel.id, firstWord);
    if (triggerWord === undefined) continue;
    if (!(await creatorMayRead(services, hook))) {
      services.logger.info({ outgoing_webhook_id: hook.id, post_id: post.id }, 'outgoing webhook not fired: its creator is deactivated or left the team');
      continue;
    }
    for (const url of stringArray(hook.callback_urls)) {
      enqueue(services, () => deliverOutgoing(services, { hook, channel, post, username, triggerWord, url }), post.id);
    }
  }
}

/**
 * Called once per committed post, after the response: fire-and-forget, never throws. Posts made by
 * webhooks (props.from_webhook) do not trigger.
 */
export function triggerOutgoingWebhooks(services: ChatServices, channel: ChannelRow, post: PostRow, username: string): void {
  try {
    const { outgoingWebhooks, secretKey } = services.config;
    if (!outgoingWebhooks || !secretKey || channel.type !== 'O' || channel.delete_at > 0) return;
    if (post.type.startsWith('system_') || isFromWebhook(post)) return;
    enqueue(services, async () => {
      try {
        await fire(services, channel, post, username);
      } catch (error) {
        services.logger.error({ post_id: post.id, err: (error as Error).message }, 'outgoing webhooks could not be matched');
      }
    }, post.id);
  } catch (error) {
    services.logger.error({ post_id: post.id, err: (error as Error).message }, 'outgoing webhooks could not be queued');
  }
}
