/**
 * How much of a gradient step is signal: moments of per-prompt gradients, the unbiased estimates of the expected
 * gradient's squared norm |μ|² and of the covariance trace tr Σ, and from them the gradient noise scale
 * `B = tr Σ / |μ|²` (McCandlish et al., "An Empirical Model of Large-Batch Training", 2018: `B_simple`). A step
 * averaging b prompts points along μ with expected cosine ≈ `√(b / (b + B))`, and two independent steps of b
 * prompts agree with expected cosine ≈ `b / (b + B)`: where b is far below B, a step is mostly noise.
 *
 * Prompts are the units (one gradient per prompt, from its group of answers), drawn independently from the
 * training set: with n of them, `S = Σ g` and `Q = Σ |g|²` give `|μ|² ≈ (|S|² − Q) / (n(n − 1))` and
 * `tr Σ ≈ (Q − |S|²/n) / (n − 1)`, both unbiased.
 */

/**
 * Running sums of per-prompt gradients of one population, kept in `foldCount` folds (prompts dealt round-robin)
 * so that {@link gradientNoise} can say how precise its estimates are (a jackknife over the folds). Memory: one
 * Float64Array of the gradient's size per fold.
 */
export class GradientMoments {
  /** Σ g over the prompts of each fold. */
  readonly foldSums: Float64Array[];
  /** Σ |g|² over the prompts of each fold. */
  readonly foldSquaredNorms: Float64Array;
  /** Prompts in each fold. */
  readonly foldCounts: Int32Array;

  constructor(
    readonly size: number,
    readonly foldCount = 8,
  ) {
    if (!Number.isInteger(foldCount) || foldCount < 1) throw new RangeError(`GradientMoments: foldCount must be a positive integer, got ${foldCount}`);
    this.foldSums = Array.from({ length: foldCount }, () => new Float64Array(size));
    this.foldSquaredNorms = new Float64Array(foldCount);
    this.foldCounts = new Int32Array(foldCount);
  }

  /** Prompts added. */
  get count(): number {
    return this.foldCounts.reduce((a, b) => a + b, 0);
  }

  /** Σ |g|² over all prompts. */
  get squaredNorms(): number {
    return this.foldSquaredNorms.reduce((a, b) => a + b, 0);
  }

  /** Σ g over all prompts (a new array). */
  sum(): Float64Array {
    const out = new Float64Array(this.size);
    for (const fold of this.foldSums) for (let k = 0; k < this.size; k++) out[k]! += fold[k]!;
    return out;
  }

  /**
   * Add one prompt's gradient (flattened, `size` values) to the next fold.
   *
   * @example
   * const m = new GradientMoments(2);
   * m.add(Float32Array.of(1, 0));
   * m.add(Float32Array.of(0, 1)); // m.sum() = [1, 1], m.squaredNorms = 2, m.count = 2
   */
  add(gradient: Float32Array | Float64Array): void {
    if (gradient.length !== this.size) throw new RangeError(`GradientMoments: a gradient of ${gradient.length} values, expected ${this.size}`);
    const fold = this.count % this.foldCount;
    const sum = this.foldSums[fold] as Float64Array;
    let squared = 0;
    for (let k = 0; k < gradient.length; k++) {
      const g = gradient[k]!;
      sum[k]! += g;
      squared += g * g;
    }
    this.foldSquaredNorms[fold]! += squared;
    this.foldCounts[fold]! += 1;
  }

  /**
   * Another population's sums added to these, fold by fold (the union of the two sets of prompts).
   *
   * @example
   * const all = boxes.merged(trajectories);
   */
  merged(other: GradientMoments): GradientMoments {
    if (other.size !== this.size || other.foldCount !== this.foldCount) {
      throw new RangeError(`GradientMoments: cannot merge ${this.foldCount} folds of ${this.size} with ${other.foldCount} folds of ${other.size}`);
    }
    const out = new GradientMoments(this.size, this.foldCount);
    for (let f = 0; f < this.foldCount; f++) {
      const a = this.foldSums[f] as Float64Array;
      const b = other.foldSums[f] as Float64Array;
      const sum = out.foldSums[f] as Float64Array;
      for (let k = 0; k < this.size; k++) sum[k] = a[k]! + b[k]!;
      out.foldSquaredNorms[f] = this.foldSquaredNorms[f]! + other.foldSquaredNorms[f]!;
      out.foldCounts[f] = this.foldCounts[f]! + other.foldCounts[f]!;
    }
    return out;
  }
}

/** What {@link gradientNoise} estimates from the moments of one population. */
export interface GradientNoise {
  /** Prompts (units) measured. */
  readonly prompts: number;
  /** Unbiased |μ|², the squared norm of the expected per-prompt gradient (may come out ≤ 0 when noise dominates). */
  readonly meanNormSquared: number;
  /** Jackknife standard error of {@link meanNormSquared} over the folds; null when a fold cannot be left out (fewer than 2 prompts remain). */
  readonly meanNormSquaredError: number | null;
  /** Unbiased tr Σ, the total variance of one prompt's gradient. */
  readonly traceCovariance: number;
  /** `tr Σ / |μ|²` in prompts; null when |μ|² is not estimated above 0 (the signal is below the noise of the measurement). */
  readonly noiseScale: number | null;
  /**
   * The noise scale with |μ|² one standard error up and down: `[tr Σ / (|μ|² + se), tr Σ / (|μ|² − se)]`, the
   * upper end null (unbounded) when |μ|² − se ≤ 0; null without an error or when |μ|² + se ≤ 0.
   */
  readonly noiseScaleRange: readonly [number, number | null] | null;
}

/**
 * The dot product of two vectors of the same length, accumulated in double precision.
 *
 * @example
 * dot(Float32Array.of(1, 2), Float32Array.of(3, 4)); // 11
 */
export function dot(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

/** The unbiased |μ|² of n prompts with sum norm² `sumSquared` and Σ|g|² `squaredNorms`. */
function unbiasedMeanNormSquared(sumSquared: number, squaredNorms: number, n: number): number {
  return (sumSquared - squaredNorms) / (n * (n - 1));
}

/**
 * The gradient noise of one population (see the module comment); needs at least 2 prompts. The standard error
 * of |μ|² is the jackknife's over the folds: the estimate is made again with each fold left out.
 *
 * @example
 * const m = new GradientMoments(1);
 * for (const g of [1, 3]) m.add(Float64Array.of(g));
 * gradientNoise(m); // prompts 2, meanNormSquared 3, traceCovariance 2, noiseScale 2/3 (no error: 2 prompts)
 */
export function gradientNoise(m: GradientMoments): GradientNoise {
  const n = m.count;
  if (n < 2) throw new RangeError(`gradientNoise: needs at least 2 prompts, got ${n}`);
  const sum = m.sum();
  const sumSquared = dot(sum, sum);
  const squaredNorms = m.squaredNorms;
  const meanNormSquared = unbiasedMeanNormSquared(sumSquared, squaredNorms, n);
  const traceCovariance = Math.max(0, (squaredNorms - sumSquared / n) / (n - 1));
  const leftOut: number[] = [];
  for (let f = 0; f < m.foldCount; f++) {
    const nf = m.foldCounts[f]!;
    if (nf === 0) continue;
    if (n - nf < 2) {
      leftOut.length = 0;
      break;
    }
    const fold = m.foldSums[f] as Float64Array;
    const rest = sumSquared - 2 * dot(sum, fold) + dot(fold, fold); // |S − S_f|²
    leftOut.push(unbiasedMeanNormSquared(rest, squaredNorms - m.foldSquaredNorms[f]!, n - nf));
  }
  let meanNormSquaredError: number | null = null;
  if (leftOut.length >= 2) {
    const k = leftOut.length;
    const mean = leftOut.reduce((a, b) => a + b, 0) / k;
    meanNormSquaredError = Math.sqrt(((k - 1) / k) * leftOut.reduce((a, u) => a + (u - mean) ** 2, 0));
  }
  const error = meanNormSquaredError;
  return {
    prompts: n,
    meanNormSquared,
    meanNormSquaredError,
    traceCovariance,
    noiseScale: meanNormSquared > 0 ? traceCovariance / meanNormSquared : null,
    noiseScaleRange:
      error === null || meanNormSquared + error <= 0
        ? null
        : [traceCovariance / (meanNormSquared + error), meanNormSquared - error > 0 ? traceCovariance / (meanNormSquared - error) : null],
  };
}

/**
 * The expected cosine between two independent steps that each average `batch` prompts: `b / (b + B)` for noise
 * scale B (0 when the signal was not measured above the noise).
 *
 * @example
 * stepAgreement(8, 24); // 0.25
 * stepAgreement(8, null); // 0
 */
export function stepAgreement(batch: number, noiseScale: number | null): number {
  return noiseScale === null ? 0 : batch / (batch + noiseScale);
}

/**
 * The cosine between the expected gradients of two populations, from their moments: `μ_a·μ_b / (|μ_a||μ_b|)`
 * with unbiased estimates of each part. For two gradients of the same prompts (`shared`, the p-th gradient of
 * `a` and of `b` from the same prompt), pass `Σ_p a_p·b_p`: the two are then not independent, and that term is
 * removed from S_a·S_b. Null when either |μ|² is not estimated above 0. Being a ratio of estimates, it can
 * leave [−1, 1] when the signal is weak.
 *
 * @example
 * meanCosine(boxes, trajectories); // disjoint prompts
 * meanCosine(grpo, supervised, { crossProducts }); // two gradients of the same prompts
 */
export function meanCosine(a: GradientMoments, b: GradientMoments, shared?: { readonly crossProducts: number }): number | null {
  for (const m of [a, b]) if (m.count < 2) throw new RangeError(`gradientNoise: needs at least 2 prompts, got ${m.count}`);
  const sumA = a.sum();
  const sumB = b.sum();
  const normA = unbiasedMeanNormSquared(dot(sumA, sumA), a.squaredNorms, a.count);
  const normB = unbiasedMeanNormSquared(dot(sumB, sumB), b.squaredNorms, b.count);
  if (normA <= 0 || normB <= 0) return null;
  if (shared !== undefined && a.count !== b.count) throw new RangeError(`meanCosine: shared prompts need equal counts, got ${a.count} and ${b.count}`);
  const product =
    shared === undefined ? dot(sumA, sumB) / (a.count * b.count) : (dot(sumA, sumB) - shared.crossProducts) / (a.count * (a.count - 1));
  return product / Math.sqrt(normA * normB);
}
