/**
 * The bench's handle on its load-generator worker thread. tsx does not hook worker threads on
 * Node 20, so the worker is started from a one-line bootstrap that registers tsx first.
 */
import { Worker } from 'node:worker_threads';
import type { LoadJob, LoadResult } from './load-protocol.js';

export interface LoadGenerator {
  run(job: LoadJob): Promise<LoadResult>;
  close(): Promise<void>;
}

export function startTsWorker(moduleUrl: URL, workerData?: unknown): Worker {
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

export function startLoadGenerator(): LoadGenerator {
  const worker = startTsWorker(new URL('./load-worker.ts', import.meta.url));
  const pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  worker.on('message', (m: { id: number; result?: LoadResult; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.result) p?.resolve(m.result);
    else p?.reject(new Error(m.error ?? 'load worker failed'));
  });
  worker.on('error', (err) => { for (const p of pending.values()) p.reject(err); pending.clear(); });
  return {
    run(job) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, job });
      });
    },
    async close() {
      worker.postMessage('close');
      await worker.terminate();
    },
  };
}
