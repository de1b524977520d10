/**
 * Group-relative advantages (GRPO): each sampled answer is compared with the other answers to the same prompt.
 *
 * For a group of rewards r₁…r_G: `A_i = (r_i − mean(r)) / (std(r) + ε)` with the unbiased (Bessel-corrected)
 * standard deviation, as verl's `compute_grpo_outcome_advantage` and TRL compute it; with `scaleByStd: false`
 * (Dr. GRPO) `A_i = r_i − mean(r)`. A group whose rewards do not spread (max − min ≤ `spreadTolerance`) carries
 * no signal: its advantages are exactly 0 (so floating-point residue is never amplified by the division) and it
 * is flagged in `zeroSpread`, so the trainer can drop it from the loss.
 */

/** Options of {@link groupAdvantages}. */
export interface AdvantageOptions {
  /** Answers per prompt (consecutive rewards form a group). */
  readonly groupSize: number;
  /** Divide by the group's standard deviation (GRPO). False = Dr. GRPO. Default true. */
  readonly scaleByStd?: boolean;
  /** Added to the standard deviation. Default 1e-6 (verl). */
  readonly epsilon?: number;
  /** A group whose max − min is at most this has zero spread. Default 1e-9. */
  readonly spreadTolerance?: number;
}

/** Advantages and per-group statistics. */
export interface GroupAdvantages {
  /** One advantage per reward, in input order. */
  readonly advantages: number[];
  /** Mean reward of each group. */
  readonly means: number[];
  /** Unbiased standard deviation of each group's rewards (0 for a group of one). */
  readonly stds: number[];
  /** True for groups whose rewards do not spread (advantages 0). */
  readonly zeroSpread: boolean[];
}

/**
 * Group-normalised advantages of consecutive groups of `groupSize` rewards.
 *
 * @throws Error when the number of rewards is not a multiple of the group size.
 * @example
 * groupAdvantages([1, 0, 0, 0, 0], { groupSize: 5 }).advantages;
 * // [1.7888504, -0.4472126, -0.4472126, -0.4472126, -0.4472126]  (mean 0.2, std √0.2)
 * groupAdvantages([1, 0], { groupSize: 2, scaleByStd: false }).advantages; // [0.5, -0.5]
 */
export function groupAdvantages(rewards: readonly number[], options: AdvantageOptions): GroupAdvantages {
  const G = options.groupSize;
  if (!Number.isInteger(G) || G < 1) throw new Error(`groupAdvantages: groupSize must be a positive integer, got ${G}`);
  if (rewards.length % G !== 0) throw new Error(`groupAdvantages: ${rewards.length} rewards do not split into groups of ${G}`);
  const scale = options.scaleByStd ?? true;
  const eps = options.epsilon ?? 1e-6;
  const tolerance = options.spreadTolerance ?? 1e-9;
  const advantages: number[] = new Array<number>(rewards.length).fill(0);
  const means: number[] = [];
  const stds: number[] = [];
  const zeroSpread: boolean[] = [];
  for (let start = 0; start < rewards.length; start += G) {
    const group = rewards.slice(start, start + G);
    const mean = group.reduce((a, b) => a + b, 0) / G;
    const variance = G > 1 ? group.reduce((a, r) => a + (r - mean) ** 2, 0) / (G - 1) : 0;
    const std = Math.sqrt(variance);
    const flat = Math.max(...group) - Math.min(...group) <= tolerance;
    means.push(mean);
    stds.push(std);
    zeroSpread.push(flat);
    if (flat) continue;
    group.forEach((r, i) => {
      advantages[start + i] = scale ? (r - mean) / (std + eps) : r - mean;
    });
  }
  return { advantages, means, stds, zeroSpread };
}
