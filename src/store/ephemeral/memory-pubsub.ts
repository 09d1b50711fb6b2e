/**
 * Local publish/subscribe for the memory store. Delivery is always asynchronous (a microtask), so a
 * subscriber never runs inside `publish()` — the same ordering callers get from Redis.
 */
import type { StoreLogger } from './common.js';

interface Subscription {
  onMessage: (message: string) => void;
  active: boolean;
}

export interface MemoryPubSub {
  publish(channel: string, message: string): void;
  subscribe(channel: string, onMessage: (message: string) => void): () => void;
  clear(): void;
}

export function createMemoryPubSub(logger?: StoreLogger): MemoryPubSub {
  const channels = new Map<string, Set<Subscription>>();

  function deliver(channel: string, subscription: Subscription, message: string): void {
    // Unsubscribed between publish and delivery: drop, as Redis would after UNSUBSCRIBE.
    if (!subscription.active) return;
    try {
      subscription.onMessage(message);
    } catch (err) {
      // One faulty subscriber must neither crash the process nor starve the others. The message
      // itself is not logged: it may carry session ids.
      logger?.warn({ channel, err_message: (err as Error)?.message }, 'ephemeral subscriber threw');
    }
  }

  function publish(channel: string, message: string): void {
    for (const subscription of channels.get(channel) ?? []) {
      queueMicrotask(() => deliver(channel, subscription, message));
    }
  }

  function subscribe(channel: string, onMessage: (message: string) => void): () => void {
    const subscription: Subscription = { onMessage, active: true };
    const set = channels.get(channel) ?? new Set<Subscription>();
    set.add(subscription);
    channels.set(channel, set);
    return () => {
      subscription.active = false;
      set.delete(subscription);
      if (set.size === 0 && channels.get(channel) === set) channels.delete(channel);
    };
  }

  function clear(): void {
    for (const set of channels.values()) for (const subscription of set) subscription.active = false;
    channels.clear();
  }

  return { publish, subscribe, clear };
}
