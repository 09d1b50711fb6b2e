/** Messages between a bench and its load-generator worker. */

export interface LoadJob {
  /** http://127.0.0.1:port */
  origin: string;
  path: string;
  headers: Record<string, string>;
  concurrency: number;
  seconds: number;
  /** Hard bound on requests (and on the latency sample's memory). */
  maxRequests: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  rps: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  firstError?: string;
}

/** A leg as the bench saw it: the worker's figures plus CPU per request on the server side. */
export interface LegResult extends LoadResult {
  /** This process's main thread (gateway and/or chat-core), µs of CPU per request. */
  mainCpuUs?: number;
  /** The chat-core child process, µs of CPU per request (chat-core-child layout). */
  childCpuUs?: number;
}
