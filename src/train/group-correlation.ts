/**
 * How well a step's rewards rank the answers the way the evaluation metric does, within each group: the
 * quantity that decides whether GRPO's group-relative advantages push the policy toward better-scoring answers.
 *
 * @module
 */

/**
 * Pearson correlation of `xs` and `ys`, or NaN when either does not vary (or fewer than 2 values).
 *
 * @example
 * pearson([1, 2, 3], [2, 4, 7]); // 0.993…
 * pearson([1, 1, 1], [2, 4, 7]); // NaN
 */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n !== ys.length) throw new RangeError(`pearson: ${n} x values but ${ys.length} y values`);
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // Relative thresholds: a spread at the rounding level of the values is no spread.
  const flat = (s: number, m: number): boolean => !(s > n * (Number.EPSILON * Math.max(1, Math.abs(m))) ** 2);
  if (flat(sxx, mx) || flat(syy, my)) return NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * The mean over groups (`groupSize` consecutive values each) of the within-group Pearson correlation of `xs`
 * and `ys`, counting only the groups `include` selects and in which both vary; null when there is none.
 *
 * @example
 * // two groups of 3: ranked alike, then opposite
 * meanGroupCorrelation([1, 2, 3, 1, 2, 3], [1, 2, 3, 3, 2, 1], 3); // 0
 * meanGroupCorrelation([1, 2, 3, 1, 2, 3], [1, 2, 3, 3, 2, 1], 3, (g) => g === 0); // 1
 */
export function meanGroupCorrelation(
  xs: readonly number[],
  ys: readonly number[],
  groupSize: number,
  include: (group: number) => boolean = () => true,
): number | null {
  if (xs.length !== ys.length) throw new RangeError(`meanGroupCorrelation: ${xs.length} x values but ${ys.length} y values`);
  if (!Number.isInteger(groupSize) || groupSize < 1 || xs.length % groupSize !== 0) {
    throw new RangeError(`meanGroupCorrelation: ${xs.length} values do not split into groups of ${groupSize}`);
  }
  let sum = 0;
  let count = 0;
  for (let g = 0; g * groupSize < xs.length; g++) {
    if (!include(g)) continue;
    const r = pearson(xs.slice(g * groupSize, (g + 1) * groupSize), ys.slice(g * groupSize, (g + 1) * groupSize));
    if (Number.isNaN(r)) continue;
    sum += r;
    count++;
  }
  return count === 0 ? null : sum / count;
}
