import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MORE, SliceQueue, mapUntil } from './slice-queue.js';

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

describe('SliceQueue.run and mapUntil', () => {
  it('calls a step again while it returns MORE, with the deadline of the current slice', async () => {
    const queue = new SliceQueue({ sliceMs: 1 });
    const deadlines: number[] = [];
    let calls = 0;
    const result = await queue.run((deadline) => {
      deadlines.push(deadline);
      calls += 1;
      return calls < 3 ? MORE : 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(deadlines.every((d, i) => i === 0 || d >= (deadlines[i - 1] as number))).toBe(true);
  });

  it('rejects a job whose step throws, without touching the next job', async () => {
    const queue = new SliceQueue();
    const bad = queue.run(() => {
      throw new Error('bad body');
    });
    const good = queue.run(() => 42);
    await expect(bad).rejects.toThrow('bad body');
    expect(await good).toBe(42);
  });

  it('mapUntil stops at the deadline and resumes where it stopped', () => {
    const out: number[] = [];
    expect(mapUntil([1, 2, 3], (x) => x * 2, out, 0, Number.POSITIVE_INFINITY)).toBe(3);
    expect(out).toEqual([2, 4, 6]);
    const items = Array.from({ length: 100 }, (_, i) => i);
    const partial: number[] = [];
    const stopped = mapUntil(items, (x) => x, partial, 0, 0); // deadline already past: stops at the first clock check
    expect(stopped).toBe(8);
    expect(mapUntil(items, (x) => x, partial, stopped, Number.POSITIVE_INFINITY)).toBe(100);
    expect(partial).toEqual(items);
  });
});
