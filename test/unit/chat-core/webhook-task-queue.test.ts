import { describe, expect, it } from 'vitest';
import { createTaskQueue } from '../../../chat-core/src/webhooks/task-queue.js';

/** A task that runs until released, recording how many run at once. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => { release = resolve; });
  return { done, release };
}

describe('the outgoing-webhook work queue', () => {
  it('runs at most `concurrency` tasks at once and the rest in order', async () => {
    const queue = createTaskQueue({ concurrency: 2, maxPending: 10 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    gates.forEach((g, i) => queue.push(async () => {
      running += 1;
      peak = Math.max(peak, running);
      order.push(i);
      await g.done;
      running -= 1;
    }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1]);
    gates.forEach((g) => g.release());
    await queue.idle();
    expect(order).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
  });

  it('drops work beyond maxPending instead of growing, and survives a failing task', async () => {
    const queue = createTaskQueue({ concurrency: 1, maxPending: 2 });
    const ran: string[] = [];
    expect(queue.push(async () => { ran.push('a'); throw new Error('boom'); })).toBe(true);
    expect(queue.push(async () => { ran.push('b'); })).toBe(true);
    expect(queue.push(async () => { ran.push('c'); })).toBe(false);
    await queue.idle();
    expect(ran).toEqual(['a', 'b']);
    await expect(queue.idle()).resolves.toBeUndefined();
  });
});
