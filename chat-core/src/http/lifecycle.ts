/**
 * Counts requests in flight so shutdown can drain them (DESIGN.md: nothing acknowledged is
 * lost). Once closing, new requests get a 503 and responses ask the client to close.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Lifecycle {
  readonly closing: boolean;
  /** Runs `handle` for the request unless shutting down; returns false when refused. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  beginClose(): void;
  drained(): Promise<void>;
}

export function createLifecycle(): Lifecycle {
  let closing = false;
  let inFlight = 0;
  let waiters: Array<() => void> = [];
  const settle = (): void => {
    if (inFlight > 0) return;
    for (const resolve of waiters) resolve();
    waiters = [];
  };
  return {
    get closing() {
      return closing;
    },
    admit(_req, res) {
      if (closing) return false;
      inFlight += 1;
      res.once('close', () => {
        inFlight -= 1;
        settle();
      });
      return true;
    },
    beginClose() {
      closing = true;
    },
    drained() {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
