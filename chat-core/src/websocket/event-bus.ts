/**
 * Websocket fan-out across chat-core nodes: every delivery a node makes is published on one Redis
 * channel, and each node hands the deliveries of the others to its own sockets. The publishing node
 * has already resolved who may read the channel, so receivers only look up local sockets.
 */
import type { Logger } from 'pino';
import { createClient } from 'redis';
import { newId } from '../store/ids.js';
import type { ChatEvent } from './events.js';

export interface Delivery {
  userIds: string[];
  event: ChatEvent;
  omitConnectionId?: string;
}

export interface EventBus {
  publish(delivery: Delivery): void;
  /** Deliveries published by other nodes (never this node's own). */
  onDelivery(listener: (delivery: Delivery) => void): void;
  close(): Promise<void>;
}

interface Envelope extends Delivery {
  node: string;
}

export async function createRedisEventBus(options: { url: string; channel: string; logger: Logger }): Promise<EventBus> {
  const node = newId();
  const publisher = createClient({ url: options.url });
  publisher.on('error', (error: Error) => options.logger.warn({ reason: error.message }, 'redis event bus error'));
  await publisher.connect();
  const subscriber = publisher.duplicate();
  subscriber.on('error', (error: Error) => options.logger.warn({ reason: error.message }, 'redis event bus error'));
  await subscriber.connect();
  const listeners: ((delivery: Delivery) => void)[] = [];
  await subscriber.subscribe(options.channel, (message) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return options.logger.warn('unreadable websocket delivery on the event bus');
    }
    if (envelope.node === node || !Array.isArray(envelope.userIds)) return;
    for (const listener of listeners) listener(envelope);
  });
  return {
    publish(delivery) {
      const envelope: Envelope = { node, ...delivery };
      publisher.publish(options.channel, JSON.stringify(envelope)).catch((error: Error) =>
        options.logger.warn({ reason: error.message }, 'publishing a websocket delivery failed'));
    },
    onDelivery(listener) {
      listeners.push(listener);
    },
    async close() {
      await subscriber.unsubscribe(options.channel).catch(() => {});
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}
