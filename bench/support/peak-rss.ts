/**
 * Peak resident memory of this whole process while some work runs. Two readings:
 * - `process.memoryUsage.rss()` sampled every 50 ms from a worker thread. RSS is per process, and a
 *   worker has its own event loop, so samples keep coming while the main thread is busy (Kysely over
 *   better-sqlite3 resolves its promises as microtasks, which would starve a main-thread timer).
 * - the kernel's high-water mark, `process.resourceUsage().maxRSS`, read before and after. It is
 *   never reset, so it is exact for the work only when it rose during it.
 * The peak reported is the larger of the two. The sampler's own isolate is part of the process and is
 * counted (its size is in `samplerBytes`). Child processes (slapd, ldapadd) are not counted.
 */
import { Worker } from 'node:worker_threads';

export interface RssPeak {
  /** Highest sampled RSS, bytes. */
  sampledBytes: number;
  samples: number;
  /** Longest gap between two samples, ms (shows the sampler kept up). */
  maxGapMs: number;
  /** process.resourceUsage().maxRSS after the work, bytes. */
  maxRssBytes: number;
  /** True when maxRSS rose during the work, so it is this work's own exact peak. */
  maxRssRose: boolean;
  /** RSS when the work started, bytes. */
  startBytes: number;
  peakBytes: number;
}

export interface RssSampler {
  /** RSS the sampler thread itself added when it started, bytes (approximate). */
  samplerBytes: number;
  measure<T>(work: () => Promise<T>): Promise<{ result: T; rss: RssPeak }>;
  close(): Promise<void>;
}

const INTERVAL_MS = 50;

// Plain JavaScript (no tsx needed): sample, keep the peak, answer 'start' and 'stop'.
const WORKER = `
const { parentPort } = require('node:worker_threads');
let peak = 0, samples = 0, lastAt = 0, maxGap = 0, timer;
const sample = () => {
  const now = performance.now();
  if (lastAt) maxGap = Math.max(maxGap, now - lastAt);
  lastAt = now;
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
  samples += 1;
};
parentPort.on('message', (m) => {
  if (m === 'start') { peak = 0; samples = 0; lastAt = 0; maxGap = 0; sample(); timer = setInterval(sample, ${INTERVAL_MS}); parentPort.postMessage({ started: true }); }
  else if (m === 'stop') { clearInterval(timer); sample(); parentPort.postMessage({ peak, samples, maxGap }); }
});`;

const maxRss = () => process.resourceUsage().maxRSS * 1024;

export async function startRssSampler(): Promise<RssSampler> {
  const before = process.memoryUsage.rss();
  const worker = new Worker(WORKER, { eval: true });
  const ask = <R>(message: 'start' | 'stop') => new Promise<R>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    worker.once('error', onError);
    worker.once('message', (m: R) => { worker.off('error', onError); resolve(m); });
    worker.postMessage(message);
  });
  await ask('start');
  await ask('stop');
  const samplerBytes = Math.max(0, process.memoryUsage.rss() - before);
  return {
    samplerBytes,
    async measure(work) {
      const maxBefore = maxRss();
      const startBytes = process.memoryUsage.rss();
      await ask('start');
      let result: Awaited<ReturnType<typeof work>>;
      let stats: { peak: number; samples: number; maxGap: number };
      try {
        result = await work();
      } finally {
        stats = await ask('stop');
      }
      const maxRssBytes = maxRss();
      const maxRssRose = maxRssBytes > maxBefore;
      const peakBytes = Math.max(stats.peak, maxRssRose ? maxRssBytes : 0);
      return { result, rss: { sampledBytes: stats.peak, samples: stats.samples, maxGapMs: stats.maxGap, maxRssBytes, maxRssRose, startBytes, peakBytes } };
    },
    close: async () => { await worker.terminate(); },
  };
}

export const mb = (bytes: number): number => bytes / (1024 * 1024);
