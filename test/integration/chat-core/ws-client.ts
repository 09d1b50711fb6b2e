/** A small websocket test client: connects with a bearer assertion and awaits messages by predicate. */
import { WebSocket } from 'ws';

export type WsMessage = Record<string, unknown> & { event?: string; seq?: number; seq_reply?: number; data?: Record<string, unknown> };

export interface TestSocket {
  ws: WebSocket;
  received: WsMessage[];
  /** Resolves with the first message (already received or upcoming) matching `match`. */
  next(match: (m: WsMessage) => boolean): Promise<WsMessage>;
  /** Sends a ping action and resolves with everything received up to its reply. */
  pingRoundTrip(seq: number): Promise<WsMessage[]>;
  closed: Promise<{ code: number; reason: string }>;
}

export function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/api/v4/websocket`;
}

export function connect(httpUrl: string, token: string): Promise<TestSocket> {
  const ws = new WebSocket(wsUrl(httpUrl), { headers: { Authorization: `Bearer ${token}` } });
  const received: WsMessage[] = [];
  const waiters: Array<{ match: (m: WsMessage) => boolean; resolve: (m: WsMessage) => void }> = [];
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as WsMessage;
    received.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const socket: TestSocket = {
    ws, received, closed,
    next(match) {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    async pingRoundTrip(seq) {
      const start = received.length;
      ws.send(JSON.stringify({ action: 'ping', seq }));
      await socket.next((m) => m.seq_reply === seq);
      return received.slice(start);
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { statusCode: res.statusCode })));
    ws.once('error', reject);
  });
}
