/**
 * The client side of bench/ws-fanout: thousands of websocket connections (one per user) and a
 * steady stream of posts. Each post's message carries the time it was sent; every `posted` event
 * received yields one post→receive latency.
 */
import { performance } from 'node:perf_hooks';
import { Agent } from 'node:http';
import http from 'node:http';
import WebSocket from 'ws';

export interface Fleet {
  /** Latencies (ms) of `posted` events received since the last `reset`. */
  latencies: number[];
  /** `posted` events received since the last reset. */
  received: number;
  reset(): void;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();
const STAMP = /fanout t=(\d+(?:\.\d+)?)/;

/** Opens one websocket per token, `concurrency` handshakes at a time, each answered by `hello`. */
export async function openFleet(wsUrl: string, tokens: readonly string[], concurrency = 100): Promise<Fleet> {
  const sockets: WebSocket[] = [];
  const fleet: Fleet = {
    latencies: [], received: 0,
    reset() { fleet.latencies = []; fleet.received = 0; },
    async close() {
      await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      })));
    },
  };
  // The stamp is read straight from the frame (no JSON.parse of every event): the client's own
  // garbage collections would otherwise show up as server latency.
  const onMessage = (raw: WebSocket.RawData) => {
    const text = raw.toString();
    if (!text.startsWith('{"event":"posted"')) return;
    const stamp = STAMP.exec(text);
    if (!stamp) return;
    fleet.received += 1;
    fleet.latencies.push(now() - Number(stamp[1]));
  };
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++]!;
      const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
      sockets.push(ws);
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve());
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`websocket upgrade answered ${res.statusCode}`)));
      });
      ws.on('message', onMessage);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return fleet;
}

export interface PostStream {
  sent: number;
  errors: number;
  firstError?: string;
}

export interface PostTarget {
  url: string;
  channelId: string;
  authorization: string;
}

/**
 * Posts `rate` messages a second for `seconds`, round-robin over `targets`, on a schedule (a slow
 * answer does not delay the next post). Resolves when every post has been answered.
 */
export async function streamPosts(targets: readonly PostTarget[], rate: number, seconds: number): Promise<PostStream> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 4_000 });
  const stream: PostStream = { sent: 0, errors: 0 };
  const total = Math.round(rate * seconds);
  const started = now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const target = targets[i % targets.length]!;
    inflight.push(post(agent, target, `fanout t=${now().toFixed(3)}`).then(
      (status) => { if (status !== 201) { stream.errors += 1; stream.firstError ??= `status ${status}`; } },
      (err: Error) => { stream.errors += 1; stream.firstError ??= err.message; },
    ));
    stream.sent += 1;
  }
  await Promise.all(inflight);
  agent.destroy();
  return stream;
}

function post(agent: Agent, target: PostTarget, message: string): Promise<number> {
  const body = JSON.stringify({ channel_id: target.channelId, message });
  return new Promise((resolve, reject) => {
    const req = http.request(`${target.url}/api/v4/posts`, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: target.authorization },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end(body);
  });
}
