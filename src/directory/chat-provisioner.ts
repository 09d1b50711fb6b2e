/**
 * Pushing directory changes to chat-core's provisioning endpoint, authenticated by a provisioning
 * assertion. Access is enforced at the gateway whatever happens here: a push that fails leaves
 * chat-core's display mirror stale, never grants anything, and is logged for the operator.
 */
import type { Logger } from 'pino';
import { MAX_PROVISION_EVENTS, MAX_SHARED_QUERY, PROVISION_CHANNEL_PATH, PROVISION_PATH, PROVISION_SHARED_PATH, type ProvisionChannel, type ProvisionEvent, type ProvisionShared } from '../../chat-core/contract.js';
import { GatewayError } from '../errors/gateway-error.js';
import { displayName, type UserRow } from './users.js';

export interface ChatProvisioner {
  /** Send events in order (split into batches of MAX_PROVISION_EVENTS); false when chat-core refused or could not be reached. */
  push(events: ProvisionEvent[]): Promise<boolean>;
  /** A channel and all its members; undefined when chat-core has no such live channel; throws UPSTREAM_UNAVAILABLE when unreachable. */
  getChannel(channelId: string): Promise<ProvisionChannel | undefined>;
  /** Which of `otherIds` share a live channel with `userId`; empty when chat-core cannot say (fail closed). */
  sharedWith(userId: string, otherIds: string[]): Promise<Set<string>>;
}

const ATTEMPTS = 3;

/** The `user.upserted` event mirroring a user in chat-core; `guest` defaults to what the roles say. */
export function userUpserted(user: Pick<UserRow, 'id' | 'username' | 'first_name' | 'last_name' | 'roles'>, guest = user.roles.split(' ').includes('system_guest')): ProvisionEvent {
  return { type: 'user.upserted', user: { id: user.id, username: user.username, display_name: displayName(user), guest, deactivated: false } };
}

/**
 * Provisioning calls go to the first chat-core node (all share one database); when a node cannot be
 * reached, the next attempt goes to the next one.
 */
export function createChatProvisioner(deps: { chatUrls: readonly string[]; assertion: () => Promise<string>; logger: Logger; fetch?: typeof fetch }): ChatProvisioner {
  const doFetch = deps.fetch ?? fetch;
  const urls = deps.chatUrls;
  const attempts = Math.max(ATTEMPTS, urls.length);
  /** Tries each node in turn while the call fails to reach one (a thrown fetch); an answer ends it. */
  const reaching = async (path: string, init: () => Promise<RequestInit>): Promise<Response> => {
    let last: unknown;
    for (const url of urls) {
      try {
        return await doFetch(`${url}${path}`, await init());
      } catch (err) {
        last = err;
      }
    }
    throw last;
  };
  const pushBatch = async (events: ProvisionEvent[]): Promise<boolean> => {
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const res = await doFetch(`${urls[(attempt - 1) % urls.length]}${PROVISION_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await deps.assertion()}` },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(5000),
        });
        if (res.ok) return true;
        deps.logger.warn({ status: res.status, attempt, events: events.map((e) => e.type) }, 'chat-core refused a provisioning push');
        if (res.status < 500) return false;
      } catch (err) {
        deps.logger.warn({ err: (err as Error).message, attempt }, 'provisioning push to chat-core failed');
      }
    }
    return false;
  };
  return {
    async push(events) {
      for (let i = 0; i < events.length; i += MAX_PROVISION_EVENTS) {
        if (!(await pushBatch(events.slice(i, i + MAX_PROVISION_EVENTS)))) return false;
      }
      return true;
    },
    async getChannel(channelId) {
      let res: Response;
      try {
        res = await reaching(`${PROVISION_CHANNEL_PATH}/${encodeURIComponent(channelId)}`, async () => ({
          headers: { authorization: `Bearer ${await deps.assertion()}` }, signal: AbortSignal.timeout(10_000),
        }));
      } catch (err) {
        throw new GatewayError('UPSTREAM_UNAVAILABLE', { detail: `reading channel ${channelId}: ${(err as Error).message}`, cause: err });
      }
      if (res.status === 404 || res.status === 400) return undefined;
      if (!res.ok) throw new GatewayError('UPSTREAM_UNAVAILABLE', { detail: `reading channel ${channelId}: chat-core answered ${res.status}` });
      return (await res.json()) as ProvisionChannel;
    },
    async sharedWith(userId, otherIds) {
      const found = new Set<string>();
      const unique = [...new Set(otherIds)];
      for (let i = 0; i < unique.length; i += MAX_SHARED_QUERY) {
        const q = new URLSearchParams({ user_id: userId });
        for (const id of unique.slice(i, i + MAX_SHARED_QUERY)) q.append('other_id', id);
        try {
          const res = await reaching(`${PROVISION_SHARED_PATH}?${q}`, async () => ({ headers: { authorization: `Bearer ${await deps.assertion()}` }, signal: AbortSignal.timeout(5000) }));
          if (!res.ok) { deps.logger.warn({ status: res.status }, 'chat-core refused a shared-channel query; answering none'); continue; }
          for (const id of ((await res.json()) as ProvisionShared).shared_ids) found.add(id);
        } catch (err) {
          deps.logger.warn({ err: (err as Error).message }, 'chat-core could not say who shares a channel; answering none');
        }
      }
      return found;
    },
  };
}
