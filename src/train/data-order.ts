/**
 * The order examples are visited in: a fresh seeded permutation per epoch, cut into full batches (the last,
 * partial batch of an epoch is dropped). The whole position is a small JSON value, so an interrupted run
 * resumes exactly where it stopped.
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

function permutation(n: number, state: readonly number[]): { order: number[]; next: number[] } {
  const rng = Rng.fromState(state);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  return { order, next: rng.state() };
}

/**
 * Take the next batch of example indices and the cursor after it.
 *
 * @example
 * let cursor = startCursor(0);
 * const { indices, cursor: after } = nextBatch(100, 16, cursor);
 */
export function nextBatch(n: number, batchSize: number, cursor: DataCursor): { indices: number[]; cursor: DataCursor } {
  if (n < batchSize) throw new Error(`need at least ${batchSize} examples for a batch, have ${n}`);
  const perEpoch = Math.floor(n / batchSize);
  let c = cursor;
  let perm = permutation(n, c.epochRng);
  if (c.batch >= perEpoch) {
    c = { epoch: c.epoch + 1, batch: 0, epochRng: perm.next };
    perm = permutation(n, c.epochRng);
  }
  const indices = perm.order.slice(c.batch * batchSize, (c.batch + 1) * batchSize);
  return { indices, cursor: { ...c, batch: c.batch + 1 } };
}
