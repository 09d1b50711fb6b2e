/**
 * CPU profile of this process's main thread (node:inspector, the same sampler as `node
 * --cpu-prof`), folded into named buckets by where the sampled code lives. Native frames (no URL)
 * count for the nearest JavaScript caller, so `digest` lands in whoever hashed. The load generator
 * runs in a worker thread and is not in this profile.
 */
import { Session } from 'node:inspector/promises';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** First match wins; URLs look like file:///…/src/proxy/forward-http.ts or node:_http_server. */
const BUCKETS: [RegExp, string][] = [
  [/^node:inspector|\/bench\//, '(profiler)'],
  [/\/src\/proxy\//, 'gateway: proxy (forward-http, headers, chat-paths)'],
  [/\/src\/sessions\//, 'gateway: authenticate (session + access look-up)'],
  [/\/src\/store\/ephemeral\//, 'gateway: memory store get/set'],
  [/\/src\/keys\//, 'gateway: assertion cache (minter)'],
  [/\/src\/(app|server)\.ts|\/src\/http\/ids\.ts/, 'gateway: request entry (handleRequest, newId)'],
  [/\/src\/errors\//, 'gateway: errors'],
  [/prom-client|\/src\/http\/metrics/, 'gateway: metrics (prom-client histogram)'],
  [/\/chat-core\//, 'chat-core: own code'],
  [/node_modules\/(express|router|body-parser|raw-body|iconv-lite|finalhandler|send|qs|path-to-regexp|on-finished|type-is|mime|content-type|depd|debug|statuses|http-errors|parseurl|accepts|negotiator|cookie|vary|encodeurl|escape-html|fresh|range-parser|etag|media-typer|merge-descriptors|proxy-addr|forwarded|ipaddr|utils-merge|setprototypeof|call-bound|get-intrinsic|es-|dunder|gopd|has-symbols|hasown|math-intrinsics|side-channel|object-inspect|safe-buffer|inherits|toidentifier|unpipe|ee-first|destroy|content-disposition|cookie-signature|once|wrappy|bytes)\//, 'express + middleware (chat-core)'],
  [/node_modules\/(kysely|better-sqlite3)\//, 'SQL: kysely + better-sqlite3'],
  [/node_modules\/(pino|sonic-boom|thread-stream|fast-redact|quick-format|atomic-sleep|on-exit-leak-free|safe-stable-stringify)/, 'logging (pino)'],
  [/node_modules\/jose\//, 'jose'],
  [/node_modules\/zod\//, 'zod'],
  [/^node:_http_(server|incoming|outgoing|common)|^node:http$/, 'node: http server/parser + outgoing'],
  [/^node:_http_(client|agent)/, 'node: http client + agent (proxy hop)'],
  [/^node:(net|internal\/stream_base_commons|internal\/net)/, 'node: net sockets'],
  [/^node:(stream|internal\/streams)/, 'node: streams (pipe)'],
  [/^node:(events|internal\/event_target)/, 'node: events'],
  [/^node:(internal\/process\/task_queues|internal\/timers|timers)/, 'node: microtasks + timers'],
  [/^node:/, 'node: other internals'],
  [/node_modules\//, 'other packages'],
];

export interface ProfileSummary {
  /** Bucket → microseconds of self time. */
  buckets: Map<string, number>;
  /** "function location" → microseconds of self time (native frames under their own name). */
  functions: Map<string, number>;
  totalUs: number;
  /** Idle, plus the profiler's own work (serializing the profile when it stops). */
  idleUs: number;
}

/** 250 µs keeps the sampler's overhead near 5 % on this 2-core machine (100 µs costs ~25 %). */
export const SAMPLING_INTERVAL_US = 250;

export async function profileWhile<T>(work: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    return { result, summary: summarize(profile) };
  } finally {
    session.disconnect();
  }
}

function summarize(profile: Profile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketOf = memoized((id: number) => bucketFor(id, byId, parent));
  const functionOf = memoized((id: number) => functionName(byId.get(id)!));
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const bucket = bucketOf(id);
    totalUs += dt;
    if (bucket === '(idle)' || bucket === '(profiler)') idleUs += dt;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + dt);
    if (bucket !== '(idle)' && bucket !== '(profiler)') functions.set(functionOf(id), (functions.get(functionOf(id)) ?? 0) + dt);
  });
  return { buckets, functions, totalUs, idleUs };
}

function bucketFor(id: number, byId: Map<number, ProfileNode>, parent: Map<number, number>): string {
  const own = byId.get(id)!.callFrame;
  if (/^\((idle|garbage collector|program)\)$/.test(own.functionName)) return own.functionName;
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const url = byId.get(at)!.callFrame.url;
    if (url) return BUCKETS.find(([re]) => re.test(url))?.[1] ?? 'other';
  }
  return `native: ${own.functionName || '(anonymous)'}`;
}

function functionName(node: ProfileNode): string {
  const { functionName: name, url } = node.callFrame;
  const where = url.replace(/^file:\/\/.*?\/(src|chat-core|node_modules|bench)\//, '$1/');
  return where ? `${name || '(anonymous)'} ${where}` : `${name || '(anonymous)'} (native)`;
}

function memoized<K, V>(fn: (k: K) => V): (k: K) => V {
  const cache = new Map<K, V>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined) cache.set(k, (v = fn(k)));
    return v;
  };
}
