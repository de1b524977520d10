import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SliceQueue } from './slice-queue.js';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

/** How many event-loop turns happen while `work` runs (a setImmediate chain counts them). */
async function turnsDuring(work: Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  const tick = (): void => {
    if (done) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work;
  done = true;
  return turns;
}

describe('SliceQueue', () => {
  it('gives exactly items.map(fn)', async () => {
    const queue = new SliceQueue();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer()), async (items) => {
        expect(await queue.map(items, (x, i) => x * 3 + i)).toEqual(items.map((x, i) => x * 3 + i));
      }),
    );
  });

  it('turns the event loop after every slice, however many jobs run at once', async () => {
    const queue = new SliceQueue({ sliceMs: 2 });
    // 8 jobs of 40 items × 0.25 ms = 80 ms of work in total: about 40 slices of 2 ms.
    const jobs = Array.from({ length: 8 }, () => queue.map(Array.from({ length: 40 }, (_, i) => i), (i) => (busy(0.25), i)));
    const turns = await turnsDuring(Promise.all(jobs));
    // Per-job yielding would give about 5 turns (each turn running one slice of all 8 jobs).
    expect(turns).toBeGreaterThanOrEqual(30);
  });

  it('lets a small job finish on its first turn behind big ones (round robin)', async () => {
    const queue = new SliceQueue({ sliceMs: 2 });
    const order: string[] = [];
    const big = [1, 2, 3].map((n) => queue.map(Array.from({ length: 40 }, (_, i) => i), (i) => (busy(0.25), i)).then(() => order.push(`big${n}`)));
    const small = queue.map([1], (x) => x).then(() => order.push('small'));
    await Promise.all([...big, small]);
    expect(order[0]).toBe('small');
  });

  it('rejects a job whose signal aborts, skipping its remaining items, and keeps serving others', async () => {
    const queue = new SliceQueue({ sliceMs: 1 });
    const controller = new AbortController();
    let calls = 0;
    const doomed = queue.map(Array.from({ length: 1000 }, (_, i) => i), (i) => {
      calls += 1;
      busy(0.1);
      return i;
    }, { signal: controller.signal });
    const other = queue.map([1, 2, 3], (x) => x * 2);
    setTimeout(() => controller.abort(new Error('client left')), 5);
    await expect(doomed).rejects.toThrow('client left');
    expect(calls).toBeLessThan(1000);
    expect(await other).toEqual([2, 4, 6]);
    expect(queue.pending).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const queue = new SliceQueue();
    await expect(queue.map([1], (x) => x, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
  });

  it('passes an exception of fn to that job only', async () => {
    const queue = new SliceQueue();
    const bad = queue.map([1, 2], (x) => {
      if (x === 2) throw new Error('boom');
      return x;
    });
    const good = queue.map([5], (x) => x);
    await expect(bad).rejects.toThrow('boom');
    expect(await good).toEqual([5]);
  });
});
