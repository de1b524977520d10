/**
 * One queue for all CPU work of a server, run in time slices: at most one slice (default 4 ms) of work
 * between two turns of the event loop, whatever the number of concurrent requests.
 *
 * Why one queue: if each request yielded on its own (`await setImmediate` every few ms), one turn of
 * the event loop would run one slice of *every* busy request: with 64 connections sending big batches,
 * 64 × 4 ms = 256 ms without I/O, and a health check would wait that long (measured with
 * `bench/serve.ts`: `/health` p50 324 ms with per-request yielding, tens of ms with this queue on a
 * busy machine).
 *
 * Jobs are resumable steps: a job runs when it reaches the head of the queue, until the slice is over,
 * then goes to the back (round robin), so a small request queued behind big ones finishes on its first
 * turn. Work that allocates a lot (parsing a request body) belongs *inside* the job: the objects then
 * live for one job, not for the whole wait in the queue, and die young (cheap for the garbage collector).
 *
 * @module
 */

/** Returned by a job's step when it has more to do. */
export const MORE: unique symbol = Symbol('more');

/** One step of a job: work until `deadline` (a `performance.now()` time), then return the result or {@link MORE}. */
export type SliceStep<R> = (deadline: number) => R | typeof MORE;

/** Resolve on the next turn of the event loop, after pending I/O callbacks. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How many items run between two clock reads in {@link SliceQueue.map}. */
const CLOCK_EVERY = 8;

interface Job {
  readonly step: SliceStep<unknown>;
  readonly signal?: AbortSignal;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Options of {@link SliceQueue}. */
export interface SliceQueueOptions {
  /** Longest stretch of work between two turns of the event loop (default 4 ms). */
  readonly sliceMs?: number;
}

/**
 * A shared, time-sliced work queue.
 *
 * @example
 * const queue = new SliceQueue({ sliceMs: 4 });
 * const scores = await queue.map(items, (item) => computeScore(item.response, item.ground_truth), { signal });
 */
export class SliceQueue {
  private readonly sliceMs: number;
  private readonly jobs: Job[] = [];
  private running = false;

  constructor(options: SliceQueueOptions = {}) {
    this.sliceMs = options.sliceMs ?? 4;
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.jobs.length;
  }

  /**
   * Run a resumable job: `step` is called in the queue's slices until it returns something other than
   * {@link MORE}. Rejects with what `step` throws, or with the signal's reason if `signal` aborts first.
   */
  run<R>(step: SliceStep<R>, options: { signal?: AbortSignal } = {}): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      this.jobs.push({ step, signal: options.signal, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        void this.pump();
      }
    });
  }

  /**
   * `items.map(fn)`, run in the queue's slices. Rejects with the signal's reason if `signal` aborts
   * before the job is done (the rest of its items are skipped).
   */
  map<T, R>(items: readonly T[], fn: (item: T, index: number) => R, options: { signal?: AbortSignal } = {}): Promise<R[]> {
    const out = new Array<R>(items.length);
    let next = 0;
    return this.run((deadline) => {
      next = mapUntil(items, fn, out, next, deadline);
      return next < items.length ? MORE : out;
    }, options);
  }

  private async pump(): Promise<void> {
    // The first slice runs on a later turn too: the caller's synchronous work counts as a slice.
    while (this.jobs.length > 0) {
      await yieldToEventLoop();
      const deadline = performance.now() + this.sliceMs;
      while (this.jobs.length > 0 && performance.now() < deadline) {
        const job = this.jobs.shift() as Job;
        if (job.signal?.aborted) {
          job.reject(job.signal.reason);
          continue;
        }
        let result: unknown;
        try {
          result = job.step(deadline);
        } catch (error: unknown) {
          job.reject(error);
          continue;
        }
        if (result === MORE) this.jobs.push(job); // round robin: back of the line
        else job.resolve(result);
      }
    }
    this.running = false;
  }
}

/**
 * Fill `out[i] = fn(items[i], i)` from index `from` until done or `deadline` passes (checked every few items);
 * returns the next index to do.
 *
 * @example
 * const out: number[] = [];
 * mapUntil([1, 2, 3], (x) => x * 2, out, 0, Infinity); // 3, out = [2, 4, 6]
 */
export function mapUntil<T, R>(items: readonly T[], fn: (item: T, index: number) => R, out: R[], from: number, deadline: number): number {
  let i = from;
  while (i < items.length) {
    out[i] = fn(items[i] as T, i);
    i += 1;
    if (i % CLOCK_EVERY === 0 && performance.now() >= deadline) break;
  }
  return i;
}
