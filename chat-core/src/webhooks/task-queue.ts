/**
 * A small bounded work queue: at most `concurrency` tasks run at once, at most `maxPending` wait;
 * beyond that new work is refused (the caller logs it) rather than piling up in memory.
 */
export interface TaskQueue {
  /** False when the queue is full and the task was dropped. */
  push(task: () => Promise<void>): boolean;
  /** Resolves once nothing is running or waiting. */
  idle(): Promise<void>;
}

export function createTaskQueue(options: { concurrency: number; maxPending: number }): TaskQueue {
  const waiting: (() => Promise<void>)[] = [];
  let running = 0;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = () => {
    if (running > 0 || waiting.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };
  const next = () => {
    while (running < options.concurrency && waiting.length > 0) {
      const task = waiting.shift()!;
      running += 1;
      // Tasks log their own failures; a rejection here must never become an unhandled one.
      void task().catch(() => {}).finally(() => {
        running -= 1;
        next();
        settleIdle();
      });
    }
  };
  return {
    push(task) {
      if (waiting.length >= options.maxPending) return false;
      waiting.push(task);
      // Start on a later turn, so the caller (a request handler) finishes its response first.
      setImmediate(next);
      return true;
    },
    idle() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
