/**
 * Pub/sub for the Redis store. A subscribed connection accepts no other commands, so it gets a
 * `duplicate()` of its own, opened on the first subscribe only (most nodes publish far more often
 * than they subscribe). node-redis re-subscribes by itself after a reconnect; messages published
 * while the connection is down are lost (Redis pub/sub is at-most-once).
 */
import type { StoreLogger } from './common.js';
import { once } from './common.js';
import { closeClient, watchConnection, type RedisClient } from './redis-connection.js';

export interface RedisSubscriber {
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Resolves true when `pending` settles in time, false when the time runs out first. */
async function settledWithin(pending: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([pending.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function createRedisSubscriber(
  client: RedisClient,
  options: { url: string; timeoutMs: number; logger?: StoreLogger | undefined },
): RedisSubscriber {
  const { url, timeoutMs, logger } = options;
  let connection: RedisClient | undefined;

  function open(): RedisClient {
    if (connection !== undefined) return connection;
    connection = client.duplicate();
    watchConnection(connection, 'subscriber', url, logger);
    connection.connect().catch(() => undefined);
    return connection;
  }

  function wrap(channel: string, onMessage: (message: string) => void, isActive: () => boolean) {
    return (message: string) => {
      if (!isActive()) return;
      try {
        onMessage(message);
      } catch (err) {
        // One faulty subscriber must not break the connection's reader. The message is not
        // logged: it may carry session ids.
        logger?.warn({ channel, err_message: (err as Error)?.message }, 'ephemeral subscriber threw');
      }
    };
  }

  async function subscribe(channel: string, onMessage: (message: string) => void) {
    const conn = open();
    let active = true;
    // One wrapper per subscription, so unsubscribing removes this listener and no other.
    const listener = wrap(channel, onMessage, () => active);
    // node-redis gives pub/sub commands no timeout (they wait in the offline queue while Redis
    // is down), so bound the wait here.
    const pending = conn.subscribe(channel, listener);
    if (!(await settledWithin(pending, timeoutMs))) {
      active = false;
      // Should the queued SUBSCRIBE still go through later, take the listener out again.
      pending.then(() => conn.unsubscribe(channel, listener)).catch(() => undefined);
      throw new Error(`ephemeral store: Redis did not confirm SUBSCRIBE within ${timeoutMs} ms`);
    }
    return once(async () => {
      // Inert at once, whatever Redis does: no delivery after unsubscribe() resolves.
      active = false;
      await settledWithin(conn.unsubscribe(channel, listener).catch(() => undefined), timeoutMs);
    });
  }

  async function close() {
    if (connection !== undefined) await closeClient(connection);
  }

  return { subscribe, close };
}
