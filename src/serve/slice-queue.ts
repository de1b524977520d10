/**
 * One queue for all CPU work of a server, run in time slices: at most one slice (default 4 ms) of work
 * between two turns of the event loop, whatever the number of concurrent requests.
 *
 * Why one queue: if each request yielded on its own (`await setImmediate` every few ms), one turn of
 * the event loop would run one slice of *every* busy request: with 64 connections sending big batches,
 * 64 × 4 ms = 256 ms without I/O, and a health check would wait that long. Measured with
 * `bench/serve.ts` (64 connections, batch 256): `/health` p50 324 ms with per-request yielding; with
 * this queue the event loop turns after every slice.
 *
 * Jobs take turns (round robin, one slice each), so a small request queued behind big ones finishes
 * on its first turn.
 *
 * @module
 */

/** Resolve on the next turn of the event loop, after pending I/O callbacks. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How many items run between two clock reads. */
const CLOCK_EVERY = 8;

interface Job {
  readonly items: readonly unknown[];
  readonly fn: (item: unknown, index: number) => unknown;
  readonly out: unknown[];
  next: number;
  readonly signal?: AbortSignal;
  readonly resolve: (out: unknown[]) => void;
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
   * `items.map(fn)`, run in the queue's slices. Rejects with the signal's reason if `signal` aborts
   * before the job is done (the rest of its items are skipped).
   */
  map<T, R>(items: readonly T[], fn: (item: T, index: number) => R, options: { signal?: AbortSignal } = {}): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      this.jobs.push({
        items,
        fn: fn as (item: unknown, index: number) => unknown,
        out: new Array<unknown>(items.length),
        next: 0,
        signal: options.signal,
        resolve: resolve as (out: unknown[]) => void,
        reject,
      });
      if (!this.running) {
        this.running = true;
        void this.pump();
      }
    });
  }

  private async pump(): Promise<void> {
    // The first slice runs on a later turn too: the caller's synchronous work (parsing) counts as a slice.
    while (this.jobs.length > 0) {
      await yieldToEventLoop();
      const sliceEnd = performance.now() + this.sliceMs;
      while (this.jobs.length > 0 && performance.now() < sliceEnd) {
        const job = this.jobs[0] as Job;
        if (job.signal?.aborted) {
          this.jobs.shift();
          job.reject(job.signal.reason);
          continue;
        }
        const finished = this.runSome(job, sliceEnd);
        this.jobs.shift();
        if (finished === 'done') job.resolve(job.out);
        else if (finished === 'failed') continue;
        else this.jobs.push(job); // round robin: back of the line
      }
    }
    this.running = false;
  }

  /** Run the job's items until it is done or the slice is over. */
  private runSome(job: Job, sliceEnd: number): 'done' | 'more' | 'failed' {
    try {
      while (job.next < job.items.length) {
        const i = job.next;
        job.out[i] = job.fn(job.items[i], i);
        job.next = i + 1;
        if (job.next % CLOCK_EVERY === 0 && performance.now() >= sliceEnd) {
          return job.next < job.items.length ? 'more' : 'done';
        }
      }
      return 'done';
    } catch (error: unknown) {
      job.reject(error);
      return 'failed';
    }
  }
}
