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

/** Running sums of per-prompt gradients of one population (allocation: one Float64Array of the gradient's size). */
export class GradientMoments {
  /** Σ g over the prompts added. */
  readonly sum: Float64Array;
  /** Σ |g|². */
  squaredNorms = 0;
  /** Prompts added. */
  count = 0;

  constructor(readonly size: number) {
    this.sum = new Float64Array(size);
  }

  /**
   * Add one prompt's gradient (flattened, `size` values).
   *
   * @example
   * const m = new GradientMoments(2);
   * m.add(Float32Array.of(1, 0));
   * m.add(Float32Array.of(0, 1)); // m.sum = [1, 1], m.squaredNorms = 2, m.count = 2
   */
  add(gradient: Float32Array | Float64Array): void {
    if (gradient.length !== this.size) throw new RangeError(`GradientMoments: a gradient of ${gradient.length} values, expected ${this.size}`);
    const sum = this.sum;
    let squared = 0;
    for (let k = 0; k < gradient.length; k++) {
      const g = gradient[k]!;
      sum[k]! += g;
      squared += g * g;
    }
    this.squaredNorms += squared;
    this.count += 1;
  }

  /**
   * Another population's sums added to these (the union of the two sets of prompts).
   *
   * @example
   * const all = boxes.merged(trajectories);
   */
  merged(other: GradientMoments): GradientMoments {
    if (other.size !== this.size) throw new RangeError(`GradientMoments: cannot merge sizes ${this.size} and ${other.size}`);
    const out = new GradientMoments(this.size);
    for (let k = 0; k < this.size; k++) out.sum[k] = this.sum[k]! + other.sum[k]!;
    out.squaredNorms = this.squaredNorms + other.squaredNorms;
    out.count = this.count + other.count;
    return out;
  }
}

/** What {@link gradientNoise} estimates from the moments of one population. */
export interface GradientNoise {
  /** Prompts (units) measured. */
  readonly prompts: number;
  /** Unbiased |μ|², the squared norm of the expected per-prompt gradient (may come out ≤ 0 when noise dominates). */
  readonly meanNormSquared: number;
  /** Unbiased tr Σ, the total variance of one prompt's gradient. */
  readonly traceCovariance: number;
  /** `tr Σ / |μ|²` in prompts; null when |μ|² is not estimated above 0 (the signal is below the noise of the measurement). */
  readonly noiseScale: number | null;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

/**
 * The gradient noise of one population (see the module comment); needs at least 2 prompts.
 *
 * @example
 * const m = new GradientMoments(1);
 * for (const g of [1, 3]) m.add(Float64Array.of(g));
 * gradientNoise(m); // { prompts: 2, meanNormSquared: 3, traceCovariance: 2, noiseScale: 2/3 }
 */
export function gradientNoise(m: GradientMoments): GradientNoise {
  const n = m.count;
  if (n < 2) throw new RangeError(`gradientNoise: needs at least 2 prompts, got ${n}`);
  const sumSquared = dot(m.sum, m.sum);
  const meanNormSquared = (sumSquared - m.squaredNorms) / (n * (n - 1));
  const traceCovariance = Math.max(0, (m.squaredNorms - sumSquared / n) / (n - 1));
  return { prompts: n, meanNormSquared, traceCovariance, noiseScale: meanNormSquared > 0 ? traceCovariance / meanNormSquared : null };
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
  const na = gradientNoise(a);
  const nb = gradientNoise(b);
  if (na.meanNormSquared <= 0 || nb.meanNormSquared <= 0) return null;
  if (shared !== undefined && a.count !== b.count) throw new RangeError(`meanCosine: shared prompts need equal counts, got ${a.count} and ${b.count}`);
  const product =
    shared === undefined ? dot(a.sum, b.sum) / (a.count * b.count) : (dot(a.sum, b.sum) - shared.crossProducts) / (a.count * (a.count - 1));
  return product / Math.sqrt(na.meanNormSquared * nb.meanNormSquared);
}
