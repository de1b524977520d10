/**
 * Splitting a GRPO step into micro-batches: a step of more sequences than one gradient pass can hold (the
 * engine's memory is 4 GiB) is cut into consecutive row ranges, each laid out and differentiated on its own,
 * with the loss divided by the whole step's counts so that the passes add up to the step's gradient.
 */
import type { HostRollouts } from './grpo-batch.js';

/**
 * `[start, end)` row ranges of at most `size` rows that cover `n` rows in order.
 *
 * @example
 * microBatchRanges(5, 2); // [[0, 2], [2, 4], [4, 5]]
 */
export function microBatchRanges(n: number, size: number): [number, number][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`microBatchRanges: size must be a positive integer, got ${size}`);
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += size) out.push([start, Math.min(n, start + size)]);
  return out;
}

/**
 * The whole step's counts that a micro-batch's loss is divided by: response tokens of the loss mask
 * `[rows, targetLength]`, and sequences with at least one of them (each at least 1, as the loss's own
 * denominators are).
 *
 * @example
 * maskCounts(Float32Array.of(1, 1, 0, 0, 1, 0), 2); // { tokens: 3, sequences: 2 }
 */
export function maskCounts(mask: Float32Array, targetLength: number): { tokens: number; sequences: number } {
  let tokens = 0;
  let sequences = 0;
  for (let row = 0; row * targetLength < mask.length; row++) {
    let inRow = 0;
    for (let t = row * targetLength; t < (row + 1) * targetLength; t++) inRow += mask[t]!;
    tokens += inRow;
    if (inRow > 0) sequences += 1;
  }
  return { tokens: Math.max(tokens, 1), sequences: Math.max(sequences, 1) };
}

/**
 * Rows `[start, end)` of host rollouts, as views into the same arrays (no copy).
 *
 * @example
 * const first = sliceRollouts(host, 0, 128);
 */
export function sliceRollouts(h: HostRollouts, start: number, end: number): HostRollouts {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= h.size)) {
    throw new RangeError(`sliceRollouts: rows [${start}, ${end}) of ${h.size}`);
  }
  const rows = (a: Float32Array | Int32Array): typeof a => {
    const width = a.length / h.size;
    return a.subarray(start * width, end * width);
  };
  return {
    size: end - start,
    patches: rows(h.patches) as Float32Array,
    tokens: rows(h.tokens) as Int32Array,
    keyValid: rows(h.keyValid) as Float32Array,
    targets: rows(h.targets) as Int32Array,
    classes: rows(h.classes) as Int32Array,
    mask: rows(h.mask) as Float32Array,
    oldLogProbs: rows(h.oldLogProbs) as Float32Array,
  };
}
