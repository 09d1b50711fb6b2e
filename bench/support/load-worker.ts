/**
 * The load generator, run in a worker thread so it never shares the servers' event loop. A fixed
 * number of connections (keep-alive agent, one per target origin) each send the next request as
 * soon as the previous answer is read in full; latency is taken per request with
 * performance.now() and kept in memory (bounded by `maxRequests`). Traffic goes to 127.0.0.1 only.
 */
import http from 'node:http';
import { parentPort } from 'node:worker_threads';
import type { LoadJob, LoadResult } from './load-protocol.js';

const agents = new Map<string, http.Agent>();

function agentFor(origin: string, concurrency: number): http.Agent {
  const key = `${origin}#${concurrency}`;
  let agent = agents.get(key);
  if (!agent) agents.set(key, (agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency })));
  return agent;
}

function once(url: URL, job: LoadJob, agent: http.Agent): Promise<{ status: number; body?: string }> {
  return new Promise((resolve) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, path: job.path, method: 'GET', headers: job.headers }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => { if (status !== 200) chunks.push(c); });
      res.on('end', () => resolve(status === 200 ? { status } : { status, body: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
      res.on('error', () => resolve({ status: 0 }));
    });
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

export async function runJob(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.origin);
  if (url.hostname !== '127.0.0.1') throw new Error('the load generator only talks to 127.0.0.1');
  const agent = agentFor(url.origin, job.concurrency);
  const latencies = new Float64Array(job.maxRequests);
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  const loop = async () => {
    while (issued < job.maxRequests && performance.now() < deadline) {
      issued += 1;
      const t0 = performance.now();
      const r = await once(url, job, agent);
      latencies[done++] = (performance.now() - t0) * 1000;
      if (r.status !== 200) { errors += 1; firstError ??= `HTTP ${r.status} ${r.body ?? ''}`; }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  const elapsedMs = performance.now() - started;
  const sorted = latencies.subarray(0, done).sort();
  const at = (p: number) => sorted[Math.min(done - 1, Math.max(0, Math.ceil((p / 100) * done) - 1))] ?? Number.NaN;
  return {
    requests: done, errors, elapsedMs, rps: (done / elapsedMs) * 1000,
    p50Us: at(50), p90Us: at(90), p99Us: at(99), maxUs: at(100),
    ...(firstError ? { firstError } : {}),
  };
}

parentPort?.on('message', (message: { id: number; job: LoadJob } | 'close') => {
  if (message === 'close') {
    for (const agent of agents.values()) agent.destroy();
    parentPort!.close();
    return;
  }
  runJob(message.job).then(
    (result) => parentPort!.postMessage({ id: message.id, result }),
    (err: Error) => parentPort!.postMessage({ id: message.id, error: err.message }),
  );
});
