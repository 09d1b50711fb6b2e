/** Summaries and the printed report of bench/proxy. */
import type { LegResult } from './load-protocol.js';
import type { Layout } from './proxy-stack.js';
import { SAMPLING_INTERVAL_US, type ProfileSummary } from './cpu-profile.js';
import type { StageTiming } from './gateway-stages.js';
import { fmt, median, minMax, pct, table, verdict } from './stats.js';

export interface ModeSummary { rps: number; p50Ms: number; p99Ms: number; mainCpuUs?: number; childCpuUs?: number; rounds: LegResult[] }
export interface LegSummary {
  direct: ModeSummary;
  gateway: ModeSummary;
  ratio: number;
  roundRatios: number[];
  addedP99Ms: number;
  /** Main-thread CPU per request, gateway leg minus direct leg: what the gateway itself costs. */
  gatewayCpuUs?: number;
}
export type ProfilePair = Record<'direct' | 'gateway', { summary: ProfileSummary; requests: number }>;

export interface LayoutReport {
  layout: Layout;
  concurrency: number;
  rounds: number;
  seconds: number;
  saturated: LegSummary;
  unloaded: LegSummary;
  pass?: { throughput: boolean; addedP99: boolean; addedP99Saturated: boolean };
  profile?: ProfilePair;
  stages?: StageTiming[];
}

const DESCRIPTION: Record<Layout, string> = {
  'one-process': 'gateway and chat-core in this process, one event loop (the `npm start` layout)',
  'chat-core-child': 'gateway in this process, chat-core in a child process (the cluster layout; SQLite + memory stores)',
};

function optionalMedian(values: (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === values.length && known.length > 0 ? median(known) : undefined;
}

function summarizeMode(rounds: LegResult[]): ModeSummary {
  const mainCpuUs = optionalMedian(rounds.map((r) => r.mainCpuUs));
  const childCpuUs = optionalMedian(rounds.map((r) => r.childCpuUs));
  return {
    rps: median(rounds.map((r) => r.rps)), p50Ms: median(rounds.map((r) => r.p50Us)) / 1000, p99Ms: median(rounds.map((r) => r.p99Us)) / 1000,
    ...(mainCpuUs === undefined ? {} : { mainCpuUs }), ...(childCpuUs === undefined ? {} : { childCpuUs }), rounds,
  };
}

export function summarizeLegs(legs: Record<'direct' | 'gateway', LegResult[]>): LegSummary {
  const direct = summarizeMode(legs.direct);
  const gateway = summarizeMode(legs.gateway);
  const roundRatios = legs.gateway.map((g, i) => g.rps / legs.direct[i]!.rps);
  const gatewayCpuUs = direct.mainCpuUs === undefined || gateway.mainCpuUs === undefined ? undefined : gateway.mainCpuUs - direct.mainCpuUs;
  return { direct, gateway, ratio: gateway.rps / direct.rps, roundRatios, addedP99Ms: gateway.p99Ms - direct.p99Ms, ...(gatewayCpuUs === undefined ? {} : { gatewayCpuUs }) };
}

const cpu = (us: number | undefined) => (us === undefined ? 'n/a' : fmt(us));

function legTable(s: LegSummary): string {
  const child = s.direct.childCpuUs !== undefined;
  const row = (name: string, m: ModeSummary) => {
    const [lo, hi] = minMax(m.rounds.map((r) => r.rps));
    return [name, fmt(m.rps), `${fmt(lo)}–${fmt(hi)}`, fmt(m.p50Ms, 2), fmt(m.p99Ms, 2), cpu(m.mainCpuUs), ...(child ? [cpu(m.childCpuUs)] : []), fmt(m.rounds.reduce((n, r) => n + r.requests, 0))];
  };
  const head = ['', 'req/s', 'rounds range', 'p50 ms', 'p99 ms', 'main-thread CPU µs/req', ...(child ? ['chat-core proc CPU µs/req'] : []), 'requests'];
  return table([head, row('direct to chat-core', s.direct), row('through the gateway', s.gateway)]);
}

function indent(text: string, by = '  '): string {
  return text.split('\n').map((l) => by + l).join('\n');
}

export function printLayout(r: LayoutReport): void {
  const [lo, hi] = minMax(r.saturated.roundRatios);
  console.log(`== layout ${r.layout}: ${DESCRIPTION[r.layout]}`);
  console.log(`  saturation, c=${r.concurrency}, median of ${r.rounds} rounds × ${r.seconds} s`);
  console.log(indent(legTable(r.saturated), '    '));
  console.log(`    throughput gateway/direct ${pct(r.saturated.ratio)} (per-round ratios ${pct(lo)}–${pct(hi)}); added p99 ${fmt(r.saturated.addedP99Ms, 2)} ms (includes queueing)`);
  if (r.saturated.gatewayCpuUs !== undefined) console.log(`    the gateway's own CPU per proxied request (main thread, gateway leg − direct leg): ${fmt(r.saturated.gatewayCpuUs)} µs`);
  console.log(`  unloaded, c=1, median of ${r.rounds} rounds × ${r.seconds / 2} s (service time, no queueing)`);
  console.log(indent(legTable(r.unloaded), '    '));
  console.log(`    added latency p50 ${fmt(r.unloaded.gateway.p50Ms - r.unloaded.direct.p50Ms, 3)} ms, p99 ${fmt(r.unloaded.addedP99Ms, 3)} ms`);
  if (r.profile) printProfile(r.profile);
  if (r.stages) printStages(r.stages, r.saturated.gatewayCpuUs);
  console.log('');
}

function perRequest(p: ProfilePair['direct'], bucket: string): number {
  return (p.summary.buckets.get(bucket) ?? 0) / Math.max(1, p.requests);
}

function busyPerRequest(p: ProfilePair['direct']): number {
  return (p.summary.totalUs - p.summary.idleUs) / Math.max(1, p.requests);
}

function printProfile(p: ProfilePair): void {
  const names = new Set([...p.direct.summary.buckets.keys(), ...p.gateway.summary.buckets.keys()]);
  names.delete('(idle)');
  names.delete('(profiler)');
  const rows = [...names].map((b) => ({ b, d: perRequest(p.direct, b), g: perRequest(p.gateway, b) }))
    .filter((x) => x.d >= 0.5 || x.g >= 0.5).sort((x, y) => (y.g - y.d) - (x.g - x.d));
  const busyD = busyPerRequest(p.direct);
  const busyG = busyPerRequest(p.gateway);
  console.log(`  where this process's main thread spends its time, µs of CPU per request (inspector CPU profile, ${SAMPLING_INTERVAL_US} µs sampling, one leg per mode):`);
  console.log(indent(table([
    ['bucket (by source location; native frames billed to their JS caller)', 'direct', 'gateway', 'added'],
    ...rows.map((x) => [x.b, fmt(x.d, 1), fmt(x.g, 1), `${x.g - x.d >= 0 ? '+' : ''}${fmt(x.g - x.d, 1)}`]),
    ['busy total (all but idle)', fmt(busyD, 1), fmt(busyG, 1), `+${fmt(busyG - busyD, 1)}`],
    ['idle (+ profiler)', fmt(perRequest(p.direct, '(idle)') + perRequest(p.direct, '(profiler)'), 1), fmt(perRequest(p.gateway, '(idle)') + perRequest(p.gateway, '(profiler)'), 1), ''],
  ]), '    '));
  printTopFunctions(p);
}

function printTopFunctions(p: ProfilePair): void {
  const names = new Set([...p.direct.summary.functions.keys(), ...p.gateway.summary.functions.keys()]);
  const self = (m: ProfilePair['direct'], f: string) => (m.summary.functions.get(f) ?? 0) / Math.max(1, m.requests);
  const rows = [...names].map((f) => ({ f, added: self(p.gateway, f) - self(p.direct, f) })).sort((a, b) => b.added - a.added).slice(0, 15);
  console.log('  functions with the most added self time, µs per request (gateway − direct):');
  console.log(indent(table([['function  location', 'added'], ...rows.map((x) => [x.f, `+${fmt(x.added, 1)}`])]), '    '));
}

function printStages(stages: StageTiming[], gatewayCpuUs?: number): void {
  const sum = stages.filter((s) => !s.stage.startsWith(' ')).reduce((n, s) => n + s.us, 0);
  console.log('  the gateway\'s per-request steps timed one by one (called directly on the running gateway, no load), µs per call:');
  console.log(indent(table([['step', 'µs'], ...stages.map((s) => [s.stage, fmt(s.us, 2)]), ['sum of top-level steps', fmt(sum, 2)]]), '    '));
  if (gatewayCpuUs !== undefined) {
    console.log(`    → these steps are ${fmt(sum, 1)} µs of the ~${fmt(gatewayCpuUs)} µs of CPU the gateway spends per proxied request; the rest is node's HTTP server, HTTP client, sockets and stream piping of the extra hop (see the profile).`);
  }
}

export function printHeadline(reports: LayoutReport[], target: { ratio: number; addedP99Ms: number }): boolean {
  console.log(`== headline — target: through-gateway throughput ≥ ${pct(target.ratio)} of direct; added p99 ≤ ${target.addedP99Ms} ms`);
  let pass = true;
  for (const r of reports) {
    const p = r.pass!;
    pass &&= p.throughput && p.addedP99;
    console.log(`  ${r.layout.padEnd(15)}  gateway ${fmt(r.saturated.gateway.rps)} req/s vs direct ${fmt(r.saturated.direct.rps)} req/s = ${pct(r.saturated.ratio)}  ${verdict(p.throughput)}`);
    console.log(`  ${''.padEnd(15)}  added p99 at c=1 ${fmt(r.unloaded.addedP99Ms, 3)} ms  ${verdict(p.addedP99)}   (at c=${r.concurrency}, queueing included: ${fmt(r.saturated.addedP99Ms, 2)} ms ${verdict(p.addedP99Saturated)})`);
  }
  console.log(`  overall ${verdict(pass)} (throughput at c=${reports[0]?.concurrency} and added p99 at c=1, every layout measured)`);
  return pass;
}
