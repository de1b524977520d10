/**
 * How sure a relative change between two runs on the same records is: a paired percentile bootstrap.
 *
 * @module
 */
import { Rng } from '../model/rng.js';

/** A confidence interval. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** Options of {@link pairedRelativeChangeInterval}. */
export interface BootstrapOptions {
  /** Resamples drawn (default 2,000). */
  readonly resamples?: number;
  /** Coverage of the interval, in (0, 1) (default 0.95). */
  readonly level?: number;
  /** Seed of the resampling: the same seed and data give the same interval (default 0). */
  readonly seed?: number;
}

/** The defaults of {@link BootstrapOptions}. */
export const BOOTSTRAP_DEFAULTS = { resamples: 2000, level: 0.95, seed: 0 } as const;

/** The `q`-quantile of sorted values, interpolated linearly between order statistics (numpy's default). */
function quantileOfSorted(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const low = sorted[below]!;
  const high = sorted[Math.min(below + 1, sorted.length - 1)]!;
  const fraction = at - below;
  // an exact order statistic, or equal neighbours, as they are (an infinite change would give ∞ − ∞ below)
  return fraction === 0 || low === high ? low : low + fraction * (high - low);
}

/**
 * A confidence interval of `mean(after) / mean(before) − 1`, the relative change of a metric from one run to
 * another, where `before[i]` and `after[i]` are the two runs' scores of the same record `i`. Each resample draws
 * the records with replacement and keeps the pairs together, so what both runs find hard or easy cancels out:
 * the interval is much narrower than one from two independent samples. Percentile interval over
 * {@link BootstrapOptions.resamples} resamples. Resamples whose `before` mean is 0 have no relative change and
 * are skipped.
 *
 * Returns null when there are fewer than 2 pairs, a score is not finite, or most resamples have no relative
 * change (a `before` run that scores 0 almost everywhere).
 *
 * @example
 * // IoU ×100 of five boxes, before and after
 * pairedRelativeChangeInterval([10, 0, 30, 20, 40], [12, 0, 33, 21, 44]); // ≈ { low: 0.05, high: 0.12 }
 * pairedRelativeChangeInterval([1], [2]); // null: one pair says nothing about the spread
 */
export function pairedRelativeChangeInterval(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  options: BootstrapOptions = {},
): Interval | null {
  const n = before.length;
  if (after.length !== n) throw new RangeError(`pairedRelativeChangeInterval: ${n} scores before against ${after.length} after`);
  const resamples = options.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const level = options.level ?? BOOTSTRAP_DEFAULTS.level;
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new RangeError(`pairedRelativeChangeInterval: resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`pairedRelativeChangeInterval: level must be in (0, 1), got ${level}`);
  if (n < 2) return null;
  for (let i = 0; i < n; i++) if (!Number.isFinite(before[i]) || !Number.isFinite(after[i])) return null;
  const rng = new Rng(options.seed ?? BOOTSTRAP_DEFAULTS.seed);
  const changes = new Float64Array(resamples);
  let kept = 0;
  for (let r = 0; r < resamples; r++) {
    let sumBefore = 0;
    let sumAfter = 0;
    for (let k = 0; k < n; k++) {
      const i = rng.int(n);
      sumBefore += before[i]!;
      sumAfter += after[i]!;
    }
    if (sumBefore !== 0) changes[kept++] = sumAfter / sumBefore - 1;
  }
  if (kept * 2 < resamples) return null;
  const sorted = changes.subarray(0, kept).sort();
  const tail = (1 - level) / 2;
  return { low: quantileOfSorted(sorted, tail), high: quantileOfSorted(sorted, 1 - tail) };
}
