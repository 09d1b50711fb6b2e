/**
 * Open websocket connections of this node, by user. With a bus (Redis pub/sub), every delivery is
 * also published for the other chat-core nodes, and deliveries they publish reach the sockets held
 * here: a user connected to any node gets the event. Dead peers are found with ws ping/pong.
 */
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { newId } from '../store/ids.js';
import type { ChatEvent } from './events.js';
import type { EventBus } from './event-bus.js';

export interface HubConnection {
  readonly id: string;
  readonly userId: string;
  send(event: ChatEvent): void;
  sendRaw(message: Record<string, unknown>): void;
}

export interface WebsocketHub {
  add(userId: string, socket: WebSocket): HubConnection;
  sendToUsers(userIds: Iterable<string>, event: ChatEvent, omitConnectionId?: string): void;
  /**
   * True when an event could reach anyone: a socket is open here, or other nodes may hold some
   * (a bus is configured). Broadcasts skip the member look-up otherwise.
   */
  readonly active: boolean;
  /** Runs tasks with the same key one after another, so a channel's events keep their order. */
  inOrder(key: string, task: () => Promise<void>): void;
  closeUser(userId: string, code: number, reason: string): number;
  closeAll(code: number, reason: string): Promise<void>;
}

interface Entry extends HubConnection {
  socket: WebSocket;
  seq: number;
  alive: boolean;
  sendFramed(framed: Framed): void;
  /** Which heartbeat slice pings this connection. */
  slice: number;
}

/** An event serialized once for every recipient: only the per-connection `seq` differs. */
interface Framed {
  head: string;
}

function frame(event: ChatEvent): Framed {
  const json = JSON.stringify(event);
  return { head: `${json.slice(0, -1)},"seq":` };
}

export function createWebsocketHub(options: { logger: Logger; heartbeatMs?: number; bus?: EventBus }): WebsocketHub {
  const byUser = new Map<string, Set<Entry>>();
  const { bus } = options;
  const tails = new Map<string, Promise<void>>();
  // Each connection is pinged once per heartbeat, but spread over it in slices: pinging thousands
  // of sockets at once would stall the event loop and hold every event back behind the pongs.
  let slice = 0;
  let added = 0;
  const heartbeat = setInterval(() => {
    sweep(byUser, slice);
    slice = (slice + 1) % HEARTBEAT_SLICES;
  }, (options.heartbeatMs ?? 30_000) / HEARTBEAT_SLICES);
  heartbeat.unref();

  const remove = (entry: Entry): void => {
    const set = byUser.get(entry.userId);
    set?.delete(entry);
    if (set?.size === 0) byUser.delete(entry.userId);
  };

  const deliver = (userIds: Iterable<string>, event: ChatEvent, omitConnectionId?: string): void => {
    let framed: Framed | undefined;
    for (const userId of userIds) {
      const set = byUser.get(userId);
      if (!set) continue;
      framed ??= frame(event);
      for (const entry of set) if (entry.id !== omitConnectionId) entry.sendFramed(framed);
    }
  };
  bus?.onDelivery((delivery) => deliver(delivery.userIds, delivery.event, delivery.omitConnectionId));

  return {
    get active() {
      return bus !== undefined || byUser.size > 0;
    },
    add(userId, socket) {
      const entry = createEntry(userId, socket, (added++) % HEARTBEAT_SLICES);
      let set = byUser.get(userId);
      if (!set) byUser.set(userId, (set = new Set()));
      set.add(entry);
      socket.on('pong', () => { entry.alive = true; });
      socket.on('close', () => remove(entry));
      socket.on('error', (error) => options.logger.debug({ reason: error.message }, 'websocket error'));
      return entry;
    },
    sendToUsers(userIds, event, omitConnectionId) {
      if (!bus) return deliver(userIds, event, omitConnectionId);
      const ids = [...userIds];
      deliver(ids, event, omitConnectionId);
      bus.publish({ userIds: ids, event, ...(omitConnectionId ? { omitConnectionId } : {}) });
    },
    inOrder(key, task) {
      const next = (tails.get(key) ?? Promise.resolve())
        .then(task)
        .catch((error: unknown) => options.logger.error({ err: error }, 'websocket broadcast failed'));
      tails.set(key, next);
      void next.then(() => { if (tails.get(key) === next) tails.delete(key); });
    },
    closeUser(userId, code, reason) {
      const set = byUser.get(userId);
      for (const entry of set ?? []) entry.socket.close(code, reason);
      return set?.size ?? 0;
    },
    async closeAll(code, reason) {
      clearInterval(heartbeat);
      await Promise.allSettled([...tails.values()]);
      const closing = [...byUser.values()].flatMap((set) => [...set]).map((entry) => closed(entry.socket, code, reason));
      await Promise.all(closing);
    },
  };
}

function createEntry(userId: string, socket: WebSocket, slice: number): Entry {
  const entry: Entry = {
    id: newId(), userId, socket, seq: 0, alive: true, slice,
    send(event) {
      entry.sendFramed(frame(event));
    },
    sendFramed(framed) {
      if (socket.readyState === socket.OPEN) socket.send(`${framed.head}${entry.seq++}}`);
    },
    sendRaw(message) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
  };
  return entry;
}

const HEARTBEAT_SLICES = 30;

function sweep(byUser: Map<string, Set<Entry>>, slice: number): void {
  for (const set of byUser.values()) {
    for (const entry of set) {
      if (entry.slice !== slice) continue;
      if (!entry.alive) entry.socket.terminate();
      entry.alive = false;
      entry.socket.ping();
    }
  }
}

/** Closes a socket and resolves once it is gone (terminating a peer that never answers). */
function closed(socket: WebSocket, code: number, reason: string): Promise<void> {
  if (socket.readyState === socket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), 2_000);
    socket.once('close', () => { clearTimeout(timer); resolve(); });
    socket.close(code, reason);
  });
}
