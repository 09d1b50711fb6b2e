/**
 * bench/proxy — the price of the gateway on the hot path: an authenticated
 * `GET /api/v4/channels/{id}/posts` (60 posts) through the gateway with a Bearer session token,
 * against the same request sent straight to chat-core with the assertion the gateway itself
 * would attach. Both run in the same process layout, interleaved round by round (ABBA order),
 * from a load generator in a worker thread. Target: gateway throughput ≥ 80 % of direct, added
 * p99 ≤ 2 ms. When a layout misses, the main thread is CPU-profiled in both modes and the
 * gateway's per-request steps are timed, to show where its time goes.
 */
import { parseBenchArgs, usage, type ArgSpec } from './support/args.js';
import { startLoadGenerator, type LoadGenerator } from './support/load-client.js';
import type { LegResult, LoadJob } from './support/load-protocol.js';
import { mainThreadCpuUs, processCpuUs } from './support/thread-cpu.js';
import { startStack, type Layout, type ProxyStack } from './support/proxy-stack.js';
import { profileWhile, type ProfileSummary } from './support/cpu-profile.js';
import { timeGatewayStages, type StageTiming } from './support/gateway-stages.js';
import { printJsonLine } from './support/stats.js';
import { printLayout, printHeadline, summarizeLegs, type LayoutReport, type ProfilePair } from './support/proxy-report.js';

export const SUMMARY = 'Gateway proxy vs direct chat-core: req/s and p50/p99 of GET /api/v4/channels/{id}/posts.';
export const SPEC: ArgSpec = {
  rounds: 5, seconds: 2,
  secondsHelp: 'seconds per saturation leg; the unloaded (c=1) legs take half',
  choices: {
    layout: { values: ['one-process', 'chat-core-child', 'both'], default: 'both', help: 'process layout(s) to measure' },
    concurrency: { values: ['8', '16', '32', '64'], default: '16', help: 'connections for the saturation legs' },
    profile: { values: ['auto', 'always', 'never'], default: 'auto', help: 'CPU-profile a layout that misses (auto), every layout, or none' },
  },
};

const POSTS = 60;
const TARGET_RATIO = 0.8;
const TARGET_ADDED_P99_MS = 2;
const WARMUP_SECONDS = 1;

type Mode = 'direct' | 'gateway';

async function jobFor(stack: ProxyStack, mode: Mode, concurrency: number, seconds: number): Promise<LoadJob> {
  const path = `/api/v4/channels/${stack.channelId}/posts`;
  const common = { accept: 'application/json', 'user-agent': 'gatehouse-bench/1' };
  // The direct leg asks the gateway for its (cached) assertion before each leg, as the proxy would.
  const authorization = mode === 'gateway' ? `Bearer ${stack.sessionToken}` : `Bearer ${await stack.assertion()}`;
  const origin = mode === 'gateway' ? stack.gatewayUrl : stack.chatUrl;
  return { origin, path, headers: { ...common, authorization }, concurrency, seconds, maxRequests: Math.ceil(seconds * 100_000) };
}

const perRequest = (before: number | undefined, after: number | undefined, requests: number) =>
  before === undefined || after === undefined ? undefined : (after - before) / requests;

async function leg(load: LoadGenerator, stack: ProxyStack, mode: Mode, concurrency: number, seconds: number): Promise<LegResult> {
  const job = await jobFor(stack, mode, concurrency, seconds);
  const child = () => (stack.chatPid ? processCpuUs(stack.chatPid) : undefined);
  const [main0, child0] = [mainThreadCpuUs(), child()];
  const result = await load.run(job);
  const [main1, child1] = [mainThreadCpuUs(), child()];
  if (result.errors > 0) throw new Error(`${stack.layout} ${mode}: ${result.errors} of ${result.requests} requests failed, first: ${result.firstError}`);
  const mainCpuUs = perRequest(main0, main1, result.requests);
  const childCpuUs = perRequest(child0, child1, result.requests);
  return { ...result, ...(mainCpuUs === undefined ? {} : { mainCpuUs }), ...(childCpuUs === undefined ? {} : { childCpuUs }) };
}

/** Rounds of (direct, gateway) legs, alternating which goes first. */
async function interleaved(load: LoadGenerator, stack: ProxyStack, rounds: number, concurrency: number, seconds: number) {
  const legs: Record<Mode, LegResult[]> = { direct: [], gateway: [] };
  for (let r = 0; r < rounds; r += 1) {
    const order: Mode[] = r % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct'];
    for (const mode of order) legs[mode].push(await leg(load, stack, mode, concurrency, seconds));
  }
  return legs;
}

async function checkSameAnswer(stack: ProxyStack): Promise<void> {
  const path = `/api/v4/channels/${stack.channelId}/posts`;
  const via = await fetch(`${stack.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${stack.sessionToken}` } });
  const direct = await fetch(`${stack.chatUrl}${path}`, { headers: { authorization: `Bearer ${await stack.assertion()}` } });
  const [a, b] = [await via.json() as { order?: string[] }, await direct.json() as { order?: string[] }];
  if (via.status !== 200 || direct.status !== 200 || a.order?.length !== POSTS || JSON.stringify(a) !== JSON.stringify(b)) {
    throw new Error(`${stack.layout}: gateway (${via.status}) and direct (${direct.status}) answers differ or miss the ${POSTS} posts`);
  }
}

async function profiled(load: LoadGenerator, stack: ProxyStack, concurrency: number, seconds: number): Promise<ProfilePair> {
  const out: Partial<Record<Mode, { summary: ProfileSummary; requests: number }>> = {};
  for (const mode of ['direct', 'gateway'] as const) {
    const job = await jobFor(stack, mode, concurrency, seconds);
    const { result, summary } = await profileWhile(() => load.run(job));
    out[mode] = { summary, requests: result.requests };
  }
  return out as ProfilePair;
}

async function stages(stack: ProxyStack): Promise<StageTiming[]> {
  const res = await fetch(`${stack.chatUrl}/api/v4/channels/${stack.channelId}/posts`, { headers: { authorization: `Bearer ${await stack.assertion()}` } });
  await res.arrayBuffer();
  const upstream = Object.fromEntries(res.headers.entries());
  return timeGatewayStages(stack.gw, stack.sessionToken, `/api/v4/channels/${stack.channelId}/posts`, upstream);
}

async function measureLayout(load: LoadGenerator, layout: Layout, opts: { rounds: number; seconds: number; concurrency: number; profile: string }): Promise<LayoutReport> {
  const stack = await startStack(layout, POSTS);
  try {
    await checkSameAnswer(stack);
    for (const mode of ['direct', 'gateway'] as const) await leg(load, stack, mode, opts.concurrency, WARMUP_SECONDS);
    const saturated = summarizeLegs(await interleaved(load, stack, opts.rounds, opts.concurrency, opts.seconds));
    const unloaded = summarizeLegs(await interleaved(load, stack, opts.rounds, 1, opts.seconds / 2));
    const report: LayoutReport = { layout, concurrency: opts.concurrency, rounds: opts.rounds, seconds: opts.seconds, saturated, unloaded };
    report.pass = { throughput: saturated.ratio >= TARGET_RATIO, addedP99: unloaded.addedP99Ms <= TARGET_ADDED_P99_MS, addedP99Saturated: saturated.addedP99Ms <= TARGET_ADDED_P99_MS };
    const missed = !report.pass.throughput || !report.pass.addedP99;
    if (opts.profile === 'always' || (opts.profile === 'auto' && missed)) {
      report.profile = await profiled(load, stack, opts.concurrency, opts.seconds);
      report.stages = await stages(stack);
    }
    return report;
  } finally {
    await stack.close();
  }
}

export async function run(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv, SPEC);
  if (args.help) { console.log(usage('proxy', SUMMARY, SPEC)); return; }
  const layouts: Layout[] = args.choice('layout') === 'both' ? ['one-process', 'chat-core-child'] : [args.choice('layout') as Layout];
  const opts = { rounds: args.rounds, seconds: args.seconds, concurrency: Number(args.choice('concurrency')), profile: args.choice('profile') };
  console.log(`bench/proxy — ${SUMMARY}`);
  console.log(`${POSTS} posts per answer; ${opts.rounds} rounds × ${opts.seconds} s per leg at c=${opts.concurrency}, then ${opts.rounds} × ${opts.seconds / 2} s at c=1; ${WARMUP_SECONDS} s warm-up per mode; load generator in a worker thread.\n`);
  const load = startLoadGenerator();
  const reports: LayoutReport[] = [];
  try {
    for (const layout of layouts) {
      const report = await measureLayout(load, layout, opts);
      printLayout(report);
      reports.push(report);
    }
  } finally {
    await load.close();
  }
  const pass = printHeadline(reports, { ratio: TARGET_RATIO, addedP99Ms: TARGET_ADDED_P99_MS });
  printJsonLine({
    bench: 'proxy', pass, target: { throughput_ratio: TARGET_RATIO, added_p99_ms: TARGET_ADDED_P99_MS },
    layouts: Object.fromEntries(reports.map((r) => [r.layout, {
      direct_rps: Math.round(r.saturated.direct.rps), gateway_rps: Math.round(r.saturated.gateway.rps), ratio: round(r.saturated.ratio),
      c: r.concurrency, direct_p99_ms: round(r.saturated.direct.p99Ms), gateway_p99_ms: round(r.saturated.gateway.p99Ms),
      c1_direct_p99_ms: round(r.unloaded.direct.p99Ms), c1_gateway_p99_ms: round(r.unloaded.gateway.p99Ms), added_p99_ms_c1: round(r.unloaded.addedP99Ms),
      added_p99_ms_saturated: round(r.saturated.addedP99Ms), gateway_cpu_us_per_request: r.saturated.gatewayCpuUs === undefined ? null : Math.round(r.saturated.gatewayCpuUs), pass: r.pass,
    }])),
  });
}

const round = (n: number) => Math.round(n * 1000) / 1000;
