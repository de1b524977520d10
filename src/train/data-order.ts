/**
 * The order examples are visited in: a fresh seeded permutation per epoch, cut into full batches (the last,
 * partial batch of an epoch is dropped). With example lengths, batches are length-grouped: the permutation
 * is cut into chunks of `groupSize` batches, each chunk is sorted by length, and the batches of the epoch are
 * shuffled, so a batch holds examples of similar length (less padding) while the order stays random.
 *
 * The whole position is a small JSON value, so an interrupted run resumes exactly where it stopped.
 */
import { z } from 'zod';
import { Rng } from '../model/rng.js';

export const DataCursorSchema = z
  .object({
    epoch: z.number().int().nonnegative(),
    /** Batches already taken from this epoch. */
    batch: z.number().int().nonnegative(),
    /** The shuffling RNG's state at the start of this epoch. */
    epochRng: z.array(z.number().int().nonnegative()).length(4),
  })
  .strict();
export type DataCursor = z.infer<typeof DataCursorSchema>;

/** The cursor of a fresh run. */
export function startCursor(seed: number): DataCursor {
  return { epoch: 0, batch: 0, epochRng: new Rng(seed ^ 0x5eed0bde).state() };
}

/** Batches of one epoch (and the RNG state after drawing them). */
export function epochBatches(
  n: number,
  batchSize: number,
  state: readonly number[],
  lengths?: readonly number[],
  groupSize = 16,
): { batches: number[][]; next: number[] } {
  const rng = Rng.fromState(state);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  if (lengths) {
    const chunk = batchSize * groupSize;
    for (let start = 0; start < n; start += chunk) {
      const part = order.slice(start, start + chunk).sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
      order.splice(start, part.length, ...part);
    }
  }
  const count = Math.floor(n / batchSize);
  const batches = Array.from({ length: count }, (_, b) => order.slice(b * batchSize, (b + 1) * batchSize));
  if (lengths) rng.shuffle(batches);
  return { batches, next: rng.state() };
}

/**
 * Take the next batch of example indices and the cursor after it.
 *
 * @param lengths per-example lengths, for length-grouped batches.
 * @example
 * let cursor = startCursor(0);
 * const { indices, cursor: after } = nextBatch(100, 16, cursor);
 */
export function nextBatch(
  n: number,
  batchSize: number,
  cursor: DataCursor,
  lengths?: readonly number[],
): { indices: number[]; cursor: DataCursor } {
  if (n < batchSize) throw new Error(`need at least ${batchSize} examples for a batch, have ${n}`);
  let c = cursor;
  let epoch = epochBatches(n, batchSize, c.epochRng, lengths);
  if (c.batch >= epoch.batches.length) {
    c = { epoch: c.epoch + 1, batch: 0, epochRng: epoch.next };
    epoch = epochBatches(n, batchSize, c.epochRng, lengths);
  }
  return { indices: epoch.batches[c.batch] as number[], cursor: { ...c, batch: c.batch + 1 } };
}

/**
 * Target lengths to pad batches to: up to `count` values at evenly spaced quantiles of `lengths`, rounded up
 * to a multiple of `multiple`, the last covering the longest (at most `max`). Few distinct values keep the
 * number of compiled shapes small.
 *
 * @example
 * lengthBuckets([10, 12, 30, 31], 64, 2, 8); // [16, 32]
 */
export function lengthBuckets(lengths: readonly number[], max: number, count = 4, multiple = 8): number[] {
  const sorted = [...lengths].sort((a, b) => a - b);
  const up = (v: number): number => Math.min(max, Math.ceil(v / multiple) * multiple);
  const out = new Set<number>();
  for (let k = 1; k <= count; k++) {
    const q = sorted[Math.min(sorted.length - 1, Math.ceil((k / count) * sorted.length) - 1)] ?? max;
    out.add(up(q));
  }
  out.add(up(sorted[sorted.length - 1] ?? max));
  return [...out].sort((a, b) => a - b);
}

/** The smallest bucket that holds `length` (the largest bucket when none does). */
export function bucketFor(length: number, buckets: readonly number[]): number {
  return buckets.find((b) => b >= length) ?? (buckets[buckets.length - 1] as number);
}
