/**
 * Dynamic batching for the policy service: requests that arrive within a short window (or while a batch
 * is being generated) are merged into one `policy.generate` call of at most `maxBatch` policy requests.
 *
 * Only requests with the same sampling settings share a batch (see {@link batchKey}). One batch runs at a
 * time (the local model uses the whole engine); when it finishes, the next starts as soon as `maxBatch`
 * requests are queued or after the window, so the clients just answered can join it (with 32 concurrent
 * clients, starting at once instead halved the mean batch, 16 instead of 32, and throughput fell from 2.2× to
 * 1.5× the unbatched service; see bench/policy-serve.ts). When a merged batch fails, each of its jobs is run
 * again alone, so one bad image only fails its own request.
 *
 * @module
 */
import type { GenerateOptions, Policy, PolicyRequest } from '../policy/types.js';

/** Sampling settings of a job (no signal: a batch serves several clients). */
export type Sampling = Omit<GenerateOptions, 'signal'>;

/** Options of {@link PolicyBatcher}. */
export interface PolicyBatcherOptions {
  /** Most policy requests (choices) in one `generate` call; a single larger job still runs, alone. */
  readonly maxBatch: number;
  /** How long an idle batcher waits for more requests before it starts a batch (ms). */
  readonly windowMs: number;
  /** Seed of the sampler for jobs that did not choose one (each batch gets the next seed). */
  readonly seed?: number;
  /** Called before each `generate` call with its number of policy requests and of jobs. */
  readonly onBatch?: (requests: number, jobs: number) => void;
}

interface Pending {
  readonly requests: readonly PolicyRequest[];
  readonly sampling: Sampling;
  readonly key: string;
  readonly resolve: (texts: string[]) => void;
  readonly reject: (error: unknown) => void;
}

let exclusiveCounter = 0;

/**
 * The key of the jobs that may share a `generate` call. Greedy jobs batch whatever their seed and top-p
 * (neither changes a greedy answer); sampled jobs need equal settings, and a job whose client chose the
 * seed never shares (its samples must not depend on other requests: the sampler is one stream per call).
 *
 * @example
 * batchKey({ temperature: 0, seed: 4, maxTokens: 64 }, true) === batchKey({ temperature: 0, maxTokens: 64 }, false); // true
 */
export function batchKey(sampling: Sampling, seeded: boolean): string {
  const temperature = sampling.temperature ?? 0;
  if (temperature === 0) return JSON.stringify(['greedy', sampling.maxTokens ?? null]);
  if (seeded) return `exclusive:${++exclusiveCounter}`;
  return JSON.stringify([temperature, sampling.topP ?? 1, sampling.maxTokens ?? null]);
}

/**
 * Merges concurrent jobs into `policy.generate` calls.
 *
 * @example
 * const batcher = new PolicyBatcher(policy, { maxBatch: 32, windowMs: 5 });
 * const [a, b] = await Promise.all([batcher.submit([r1], { temperature: 0 }, false), batcher.submit([r2], { temperature: 0 }, false)]);
 * // one generate([r1, r2]) call
 */
export class PolicyBatcher {
  readonly #policy: Policy;
  readonly #options: PolicyBatcherOptions;
  readonly #queue: Pending[] = [];
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #nextSeed: number;
  /** `generate` calls made and jobs served so far. */
  readonly stats = { batches: 0, jobs: 0, requests: 0 };

  constructor(policy: Policy, options: PolicyBatcherOptions) {
    this.#policy = policy;
    this.#options = options;
    this.#nextSeed = options.seed ?? 0;
  }

  /** Jobs waiting for a batch. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Queue one job (the policy requests of one client request, e.g. its `n` choices) and resolve with its
   * answers, in order. A job aborted before its batch starts is dropped and rejects with the abort reason.
   */
  submit(requests: readonly PolicyRequest[], sampling: Sampling, seeded: boolean, signal?: AbortSignal): Promise<string[]> {
    return new Promise<string[]>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const job: Pending = { requests, sampling, key: batchKey(sampling, seeded), resolve, reject };
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.#queue.indexOf(job);
          if (at >= 0) {
            this.#queue.splice(at, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
      this.#queue.push(job);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#running || this.#queue.length === 0) return;
    const queuedRequests = this.#queue.reduce((sum, job) => sum + job.requests.length, 0);
    if (queuedRequests >= this.#options.maxBatch) {
      void this.#runNext();
      return;
    }
    this.#timer ??= setTimeout(() => void this.#runNext(), this.#options.windowMs);
  }

  async #runNext(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running || this.#queue.length === 0) return;
    this.#running = true;
    try {
      await this.#run(this.#take());
    } finally {
      this.#running = false;
      // Start the next batch once it is full or the window has passed: the clients just answered may send again.
      this.#schedule();
    }
  }

  /** The first queued job and the later ones with its key that fit in the batch. */
  #take(): Pending[] {
    const first = this.#queue[0] as Pending;
    const batch: Pending[] = [first];
    let size = first.requests.length;
    for (const job of this.#queue.slice(1)) {
      if (job.key !== first.key || size + job.requests.length > this.#options.maxBatch) continue;
      batch.push(job);
      size += job.requests.length;
    }
    for (const job of batch) this.#queue.splice(this.#queue.indexOf(job), 1);
    return batch;
  }

  async #run(batch: readonly Pending[]): Promise<void> {
    const first = batch[0] as Pending;
    const sampling: Sampling = { ...first.sampling, seed: first.sampling.seed ?? this.#nextSeed++ };
    const requests = batch.flatMap((job) => job.requests);
    this.stats.batches += 1;
    this.stats.jobs += batch.length;
    this.stats.requests += requests.length;
    this.#options.onBatch?.(requests.length, batch.length);
    let texts: string[];
    try {
      texts = await this.#policy.generate(requests, sampling);
    } catch (error: unknown) {
      if (batch.length === 1) {
        first.reject(error);
        return;
      }
      // Run each job alone so the failure reaches only the job that caused it.
      for (const job of batch) {
        try {
          this.stats.batches += 1;
          this.#options.onBatch?.(job.requests.length, 1);
          job.resolve(await this.#policy.generate(job.requests, sampling));
        } catch (jobError: unknown) {
          job.reject(jobError);
        }
      }
      return;
    }
    let at = 0;
    for (const job of batch) {
      job.resolve(texts.slice(at, at + job.requests.length));
      at += job.requests.length;
    }
  }
}
