/**
 * Ask a policy about many records with bounded concurrency: `concurrency` workers each take the next
 * `batchSize` pending records, load their images, call `policy.generate` once, and hand every record's outcome
 * to `onResult` as soon as it is known (so results can be written as they arrive, in completion order).
 *
 * A request that fails is re-asked up to `retries` times unless its error is final: HTTP policies already retry
 * timeouts, 429 and 5xx themselves and report exhaustion as final ({@link RetriesExhaustedError}), as is a
 * non-retryable HTTP status or a bad reply. A failing batch is re-asked record by record, so one bad record does
 * not fail its neighbours. A record whose image cannot be read stops the run with a {@link UserError} (after
 * the requests in flight finish): that is a dataset problem, not a model failure.
 */
import { UserError } from '../errors.js';
import type { TaskKind } from '../protocol/types.js';
import { loadPolicyImage, type ImageSize, type LoadedImage } from './image.js';
import { BadResponseError, errorMessage, HttpStatusError, isRetryable, RetriesExhaustedError, withRetry } from './retry.js';
import type { GenerateOptions, Policy, PolicyRequest } from './types.js';

/** The part of a record a policy needs. */
export interface PoolItem {
  readonly index: number;
  readonly instruction: string;
  readonly kind: TaskKind;
  readonly imagePath: string;
}

/** The outcome for one record. */
export interface PoolResult {
  /** The answer text ('' when the request failed). */
  readonly text: string;
  /** False when the request failed after its retries. */
  readonly ok: boolean;
  readonly error?: string;
  /** Wall time of the request that produced the result (the batch's, when batched), ms. */
  readonly latencyMs: number;
  /** Pixel size of the record's image. */
  readonly imageSize: ImageSize;
}

/** Options of {@link requestEach}. */
export interface RequestPoolOptions<T extends PoolItem> {
  readonly policy: Policy;
  /** Workers running at once (default 4). */
  readonly concurrency?: number;
  /** Records per `generate` call (default 1; >1 suits the local model). */
  readonly batchSize?: number;
  /** Re-asks of a record whose error is not final (default 1). */
  readonly retries?: number;
  /** Sampling options; a `seed` becomes `seed + index of the batch's first record`, so results do not depend on scheduling. */
  readonly generate?: GenerateOptions;
  /** The instruction actually sent (default: the record's). The CoT engine adds its reasoning template here. */
  readonly instructionOf?: (item: T, imageSize: ImageSize) => string;
  /** Called once per record, in completion order; awaited before the worker moves on. */
  readonly onResult: (item: T, result: PoolResult) => Promise<void> | void;
  /** Stops taking new records; requests in flight are cancelled and not reported. */
  readonly signal?: AbortSignal;
  /** Injectable wait (tests). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Errors that another attempt will not fix. */
export function isFinalError(error: unknown): boolean {
  if (isRetryable(error)) return false;
  return error instanceof RetriesExhaustedError || error instanceof HttpStatusError || error instanceof BadResponseError || error instanceof UserError;
}

/**
 * Run every item through the policy (see the module documentation).
 *
 * @example
 * await requestEach(records, { policy, concurrency: 16, onResult: (record, result) => log.append({ index: record.index, ...result }) });
 */
export async function requestEach<T extends PoolItem>(items: readonly T[], options: RequestPoolOptions<T>): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1));
  const retries = Math.max(0, Math.floor(options.retries ?? 1));
  const { signal } = options;
  const instructionOf = options.instructionOf ?? ((item: T) => item.instruction);
  let next = 0;
  let stopError: unknown;

  const generateFor = (first: number): GenerateOptions => {
    const base = { ...options.generate, signal };
    return base.seed === undefined ? base : { ...base, seed: base.seed + first };
  };

  const ask = async (batch: readonly T[], images: readonly LoadedImage[]): Promise<{ texts: string[]; latencyMs: number }> => {
    const requests: PolicyRequest[] = batch.map((item, k) => ({ image: (images[k] as LoadedImage).image, instruction: instructionOf(item, images[k] as LoadedImage), kind: item.kind }));
    const start = performance.now();
    const texts = await withRetry(() => options.policy.generate(requests, generateFor((batch[0] as T).index)), {
      retries,
      shouldRetry: (error) => !isFinalError(error),
      baseDelayMs: 250,
      signal,
      sleep: options.sleep,
    });
    if (texts.length !== batch.length) throw new BadResponseError(`${options.policy.name} returned ${texts.length} answers for ${batch.length} requests`);
    return { texts, latencyMs: performance.now() - start };
  };

  const loadImages = async (batch: readonly T[]): Promise<LoadedImage[]> =>
    Promise.all(
      batch.map(async (item) => {
        try {
          return await loadPolicyImage(item.imagePath);
        } catch (error: unknown) {
          throw new UserError(`record ${item.index}: image ${item.imagePath}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(error)}`);
        }
      }),
    );

  const report = async (item: T, result: PoolResult): Promise<void> => {
    if (signal?.aborted) return;
    await options.onResult(item, result);
  };

  const runBatch = async (batch: readonly T[]): Promise<void> => {
    const images = await loadImages(batch);
    try {
      const { texts, latencyMs } = await ask(batch, images);
      for (const [k, item] of batch.entries()) await report(item, { text: texts[k] ?? '', ok: true, latencyMs, imageSize: images[k] as LoadedImage });
      return;
    } catch (error: unknown) {
      if (signal?.aborted) return;
      if (batch.length === 1) {
        const item = batch[0] as T;
        await report(item, { text: '', ok: false, error: errorMessage(error), latencyMs: 0, imageSize: images[0] as LoadedImage });
        return;
      }
    }
    // The batch failed: ask record by record so one bad record does not fail the others.
    for (const [k, item] of batch.entries()) {
      const image = images[k] as LoadedImage;
      try {
        const { texts, latencyMs } = await ask([item], [image]);
        await report(item, { text: texts[0] ?? '', ok: true, latencyMs, imageSize: image });
      } catch (error: unknown) {
        if (signal?.aborted) return;
        await report(item, { text: '', ok: false, error: errorMessage(error), latencyMs: 0, imageSize: image });
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (stopError === undefined && !signal?.aborted && next < items.length) {
      const batch = items.slice(next, next + batchSize);
      next += batch.length;
      try {
        await runBatch(batch);
      } catch (error: unknown) {
        stopError ??= error;
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, Math.ceil(items.length / batchSize)) }, worker));
  if (stopError !== undefined) throw stopError;
  if (signal?.aborted) throw signal.reason;
}
