/**
 * bench/ws-fanout — websocket fan-out at scale: N users (default 5,000), one websocket each, in
 * channels of 50 members; posts at a steady rate (default 100/s) spread over the channels. For
 * every `posted` event received: the post→receive latency. Two modes, interleaved round by round
 * (ABBA): websockets and posts through the gateway, and straight to chat-core with the assertions
 * the gateway would attach. The server (gateway + chat-core in one process, compiled and under
 * plain Node, as `npm start` runs them) is a child process, so its memory per connection is measured alone: RSS with every socket open
 * minus RSS before, after a garbage collection. Targets: p99 ≤ 100 ms, ≤ 50 KB per connection,
 * through-gateway p99 within 1.5× of direct.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseBenchArgs, usage, type ArgSpec } from './support/args.js';
import { fmt, median, percentile, printJsonLine, sortedCopy, table, verdict } from './support/stats.js';
import { openFleet, streamPosts, type PostTarget } from './support/ws-fanout-load.js';
import type { Seeded, ServerRequest } from './support/ws-fanout-server.js';

export const SUMMARY = 'Websocket post→receive latency and memory per connection, through the gateway vs straight to chat-core.';
export const SPEC: ArgSpec = {
  rounds: 2, seconds: 15,
  secondsHelp: 'seconds of posting per leg (after a 2 s warm-up)',
  choices: {
    connections: { values: ['500', '1000', '2000', '5000'], default: '5000', help: 'websocket connections (one user each)' },
    rate: { values: ['50', '100', '200'], default: '100', help: 'posts per second' },
    transport: {
      values: ['in-process', 'tcp'], default: 'in-process',
      help: 'how the gateway reaches chat-core: handed over in-process (`npm start`), or spliced over loopback TCP (separate processes)',
    },
  },
};

const CHANNEL_SIZE = 50;
const WARMUP_SECONDS = 2;
const TARGET = { p99Ms: 100, bytesPerConnection: 50 * 1024, gatewayP99Ratio: 1.5 };

type Mode = 'direct' | 'gateway';

interface Leg {
  mode: Mode;
  p50Ms: number;
  p99Ms: number;
  received: number;
  expected: number;
  bytesPerConnection: number;
  postErrors: number;
  /** Event-loop delay during the measured posts, in the server and in this (client) process. */
  serverLoop: { p99Ms: number; maxMs: number };
  clientLoop: { p99Ms: number; maxMs: number };
}

interface Server {
  request<T>(message: ServerRequest): Promise<T>;
  close(): Promise<void>;
}

/** The compiled server (scripts/build.mjs --bench → dist-bench/), under plain Node as `npm start` runs. */
function startServer(): Server {
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--bench'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('building dist-bench/ failed (see above)');
  const child: ChildProcess = fork(new URL('../dist-bench/bench/support/ws-fanout-server.js', import.meta.url), {
    execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    async request<T>(message: ServerRequest): Promise<T> {
      child.send(message);
      const [reply] = (await once(child, 'message')) as [{ ok?: T; error?: string }];
      if (reply.error !== undefined) throw new Error(`ws-fanout server: ${reply.error}`);
      return reply.ok as T;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ cmd: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function leg(server: Server, seeded: Seeded, mode: Mode, rate: number, seconds: number): Promise<Leg> {
  const direct = mode === 'direct';
  const credentials = direct ? await server.request<string[]>({ cmd: 'assertions' }) : seeded.sessionTokens;
  const base = direct ? seeded.chatUrl : seeded.gatewayUrl;
  const before = await server.request<number>({ cmd: 'rss' });
  const fleet = await openFleet(`${base.replace(/^http/, 'ws')}/api/v4/websocket`, credentials);
  const after = await server.request<number>({ cmd: 'rss' });
  const targets: PostTarget[] = seeded.channels.map((c) => ({ url: base, channelId: c.id, authorization: `Bearer ${credentials[c.members[0]!]}` }));
  await streamPosts(targets, rate, WARMUP_SECONDS);
  await settle(fleet);
  fleet.reset();
  await server.request({ cmd: 'loop-delay', reset: true });
  const clientLoop = monitorEventLoopDelay({ resolution: 10 });
  clientLoop.enable();
  const stream = await streamPosts(targets, rate, seconds);
  await settle(fleet);
  clientLoop.disable();
  const serverLoop = await server.request<{ p99Ms: number; maxMs: number }>({ cmd: 'loop-delay', reset: true });
  const sorted = sortedCopy(fleet.latencies);
  const expected = perPostReceivers(seeded, stream.sent);
  const result: Leg = {
    mode, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), received: fleet.received, expected,
    bytesPerConnection: (after - before) / credentials.length, postErrors: stream.errors,
    serverLoop, clientLoop: { p99Ms: clientLoop.percentile(99) / 1e6, maxMs: clientLoop.max / 1e6 },
  };
  await fleet.close();
  if (stream.errors > 0) throw new Error(`${mode}: ${stream.errors} posts failed, first: ${stream.firstError}`);
  return result;
}

/** Posts are spread round-robin, so the receivers of post i are the members of channel i mod C. */
function perPostReceivers(seeded: Seeded, posts: number): number {
  let total = 0;
  for (let i = 0; i < posts; i += 1) total += seeded.channels[i % seeded.channels.length]!.members.length;
  return total;
}

/** Waits until no event has arrived for 300 ms (bounded at 10 s). */
async function settle(fleet: { received: number }): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = -1;
  while (fleet.received !== last && Date.now() < deadline) {
    last = fleet.received;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

export async function run(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv, SPEC);
  if (args.help) { console.log(usage('ws-fanout', SUMMARY, SPEC)); return; }
  const connections = Number(args.choice('connections'));
  const rate = Number(args.choice('rate'));
  console.log(`bench/ws-fanout — ${SUMMARY}`);
  console.log(`${fmt(connections)} connections in channels of ${CHANNEL_SIZE}; ${rate} posts/s for ${args.seconds} s per leg (+${WARMUP_SECONDS} s warm-up); ${args.rounds} round(s) of direct/gateway, ABBA, after one untimed leg of each; gateway→chat-core ${args.choice('transport')}.\n`);
  const server = startServer();
  const legs: Leg[] = [];
  try {
    const transport = args.choice('transport') as 'in-process' | 'tcp';
    const seeded = await server.request<Seeded>({ cmd: 'start', users: connections, channelSize: CHANNEL_SIZE, transport });
    // An untimed leg of each mode first: the first sockets and posts after seeding pay for JIT and GC.
    for (const mode of ['direct', 'gateway'] as const) await leg(server, seeded, mode, rate, WARMUP_SECONDS);
    for (let r = 0; r < args.rounds; r += 1) {
      const order: Mode[] = r % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct'];
      for (const mode of order) {
        const result = await leg(server, seeded, mode, rate, args.seconds);
        legs.push(result);
        console.log(`  ${mode.padEnd(7)} p50 ${fmt(result.p50Ms, 1)} ms  p99 ${fmt(result.p99Ms, 1)} ms  ${fmt(result.received)} / ${fmt(result.expected)} events  ${fmt(result.bytesPerConnection / 1024, 1)} KB/conn  loop delay max: server ${fmt(result.serverLoop.maxMs)} ms, client ${fmt(result.clientLoop.maxMs)} ms`);
      }
    }
  } finally {
    await server.close();
  }
  report(legs, connections, rate, args.choice('transport'));
}

function report(legs: Leg[], connections: number, rate: number, transport: string): void {
  const of = (mode: Mode) => legs.filter((l) => l.mode === mode);
  const summary = (mode: Mode) => ({
    p50: median(of(mode).map((l) => l.p50Ms)), p99: median(of(mode).map((l) => l.p99Ms)),
    kb: median(of(mode).map((l) => l.bytesPerConnection)) / 1024,
    lost: of(mode).reduce((n, l) => n + Math.max(0, l.expected - l.received), 0),
  });
  const [d, g] = [summary('direct'), summary('gateway')];
  const ratio = g.p99 / d.p99;
  const pass = {
    p99: g.p99 <= TARGET.p99Ms && d.p99 <= TARGET.p99Ms,
    memory: g.kb * 1024 <= TARGET.bytesPerConnection,
    ratio: ratio <= TARGET.gatewayP99Ratio,
    delivered: g.lost === 0 && d.lost === 0,
  };
  console.log(`\n${table([
    ['mode', 'p50 ms', 'p99 ms', 'KB/conn', 'lost events'],
    ['direct', fmt(d.p50, 1), fmt(d.p99, 1), fmt(d.kb, 1), fmt(d.lost)],
    ['gateway', fmt(g.p50, 1), fmt(g.p99, 1), fmt(g.kb, 1), fmt(g.lost)],
  ])}`);
  console.log(`\nthrough-gateway p99 / direct p99 = ${fmt(ratio, 2)}× (target ≤ ${TARGET.gatewayP99Ratio}×) ${verdict(pass.ratio)}`);
  console.log(`p99 ≤ ${TARGET.p99Ms} ms ${verdict(pass.p99)}; memory ≤ 50 KB per connection (gateway layout: both hops in one process) ${verdict(pass.memory)}; every event delivered ${verdict(pass.delivered)}`);
  printJsonLine({
    bench: 'ws-fanout', connections, rate, channel_size: CHANNEL_SIZE, transport, pass: Object.values(pass).every(Boolean),
    direct: { p50_ms: d.p50, p99_ms: d.p99, kb_per_connection: d.kb, lost: d.lost },
    gateway: { p50_ms: g.p50, p99_ms: g.p99, kb_per_connection: g.kb, lost: g.lost },
    gateway_p99_ratio: ratio, checks: pass,
  });
}
