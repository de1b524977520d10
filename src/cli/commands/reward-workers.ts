/**
 * Worker threads for `vla-r1 reward` on large inputs: the main thread reads and writes, the workers parse and
 * score batches of lines. This file is both the pool (main thread) and the worker's entry point.
 *
 * @module
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { scoreRewardBatch } from './reward-lines.js';
import type { RewardBatchResult, RewardLineOptions } from './reward-lines.js';

const WORKER_ROLE = 'vla-r1-reward-worker';

interface WorkerInit {
  readonly role: typeof WORKER_ROLE;
  readonly options: RewardLineOptions;
}

interface BatchRequest {
  readonly id: number;
  readonly text: string;
  readonly firstLineNumber: number;
}

interface BatchReply {
  readonly id: number;
  readonly result: RewardBatchResult;
}

interface Waiting {
  resolve(result: RewardBatchResult): void;
  reject(error: Error): void;
}

/** This module, the workers' entry point (compiled: `vla-r1 reward` uses workers only where this is a `.js` file). */
const WORKER_URL = new URL(import.meta.url);

/**
 * A fixed set of worker threads scoring batches with {@link scoreRewardBatch}. Results come back as promises;
 * the caller keeps them in order. Batches are dealt round-robin.
 *
 * @example
 * const pool = new RewardWorkerPool(2, { lambdaAngle: 0.25, lambdaLength: 0.1 });
 * const result = await pool.score('{"response": "a", "ground_truth": "b"}\n', 1);
 * await pool.close();
 */
export class RewardWorkerPool {
  readonly size: number;
  readonly #workers: Worker[] = [];
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 0;
  #failure: Error | undefined;

  constructor(size: number, options: RewardLineOptions) {
    this.size = size;
    const init: WorkerInit = { role: WORKER_ROLE, options: { lambdaAngle: options.lambdaAngle, lambdaLength: options.lambdaLength } };
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_URL, { workerData: init });
      worker.on('message', (reply: BatchReply) => {
        const waiting = this.#waiting.get(reply.id);
        this.#waiting.delete(reply.id);
        waiting?.resolve(reply.result);
      });
      worker.on('error', (error: Error) => this.#fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && this.#waiting.size > 0) this.#fail(new Error(`reward worker exited with code ${code}`));
      });
      this.#workers.push(worker);
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
  }

  /** Score `text` (complete lines, each ending with `\n`; the first is line `firstLineNumber`) on a worker. */
  score(text: string, firstLineNumber: number): Promise<RewardBatchResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    const worker = this.#workers[id % this.size] as Worker;
    return new Promise<RewardBatchResult>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      const request: BatchRequest = { id, text, firstLineNumber };
      worker.postMessage(request);
    });
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

function isWorkerInit(data: unknown): data is WorkerInit {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === WORKER_ROLE;
}

// Worker side: score each batch the main thread sends and send the result back.
if (!isMainThread && parentPort !== null && isWorkerInit(workerData)) {
  const port = parentPort;
  const options = workerData.options;
  port.on('message', (request: BatchRequest) => {
    const reply: BatchReply = { id: request.id, result: scoreRewardBatch(request.text, request.firstLineNumber, options) };
    port.postMessage(reply);
  });
}
