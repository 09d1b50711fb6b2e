/** The rules an outgoing webhook must satisfy before it is stored (Mattermost's CreateOutgoingWebhook). */
import type { AssertionClaims } from '../../contract.js';
import { accessFor, canRead } from '../channels/access.js';
import { ChatError, badRequest, channelNotFound, forbidden } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { findChannel } from '../store/channels.js';
import { findMember } from '../store/members.js';
import type { OutgoingWebhookRow } from '../store/schema.js';
import { openToken, sealToken } from './token-seal.js';
import type { OutgoingInput } from './validate-outgoing.js';
import { stringArray } from './webhook-json.js';
import { listOutgoingHooks } from './webhook-store.js';

/** Hooks a team may hold; the overlap check reads them all. */
const MAX_TEAM_HOOKS = 10_000;

/** Without `secretKey` there is nowhere safe to keep a token: refuse, and say what to configure. */
export function requireSecretKey(services: ChatServices): string {
  const key = services.config.secretKey;
  if (!key) {
    throw new ChatError(501, 'api.outgoing_webhook.secret_key_missing.app_error',
      'Outgoing webhooks need a secret key to seal their tokens: set chat-core\'s secretKey (32 random bytes, base64), then try again.');
  }
  return key;
}

export function sealedTokenOf(secretKey: string, hookId: string, token: string): string {
  return sealToken(secretKey, hookId, token);
}

export function openTokenOf(secretKey: string, row: OutgoingWebhookRow): string {
  return openToken(secretKey, row.id, row.token_sealed);
}

export function storedFields(input: OutgoingInput) {
  return {
    channel_id: input.channel_id, trigger_words: JSON.stringify(input.trigger_words), trigger_when: input.trigger_when,
    callback_urls: JSON.stringify(input.callback_urls), display_name: input.display_name, description: input.description,
    content_type: input.content_type, username: input.username, icon_url: input.icon_url,
  };
}

/**
 * A hook watches one live public channel of its team that the caller can read, or — without a
 * channel — every public channel of the team, which then needs trigger words.
 */
export async function checkOutgoingTarget(services: ChatServices, claims: AssertionClaims, teamId: string, input: OutgoingInput): Promise<void> {
  if (input.channel_id === '') {
    if (input.trigger_words.length === 0) {
      throw badRequest('api.webhook.create_outgoing.triggers.app_error', 'Set trigger_words, or a channel_id for a hook that fires on every post of one channel.');
    }
    return;
  }
  const channel = await findChannel(services.db, input.channel_id);
  if (!channel) throw channelNotFound();
  if (channel.team_id !== teamId) throw new ChatError(403, 'api.webhook.create_outgoing.permissions.app_error', 'The channel must belong to the webhook\'s team.');
  const access = accessFor(claims, channel, await findMember(services.db, channel.id, claims.sub));
  if (access.channel.type !== 'O') throw new ChatError(403, 'api.webhook.create_outgoing.not_open.app_error', 'Outgoing webhooks can only be created for public channels.');
  if (access.channel.delete_at > 0) throw badRequest('api.webhook.channel_archived.app_error', 'This channel is archived: pick a live channel for the webhook.');
  if (!canRead(services.authz, claims, access)) throw forbidden(`cannot read channel ${input.channel_id}`);
}

/** Two hooks on the same channel sharing a callback URL and a trigger word would post twice (Mattermost refuses). */
export async function refuseOverlap(services: ChatServices, teamId: string, input: OutgoingInput, selfId: string | undefined): Promise<void> {
  const hooks = await listOutgoingHooks(services.db, { teamId, channelId: input.channel_id }, { offset: 0, limit: MAX_TEAM_HOOKS });
  const urls = new Set(input.callback_urls);
  const words = new Set(input.trigger_words);
  for (const hook of hooks) {
    if (hook.id === selfId) continue;
    if (stringArray(hook.callback_urls).some((url) => urls.has(url)) && stringArray(hook.trigger_words).some((word) => words.has(word))) {
      const id = selfId ? 'api.webhook.update_outgoing.intersect.app_error' : 'api.webhook.create_outgoing.intersect.app_error';
      throw badRequest(id, 'Another outgoing webhook of this channel already sends one of these trigger words to one of these callback URLs.');
    }
  }
}
