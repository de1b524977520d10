/**
 * The GRPO policy-loss terms, per token, on jax arrays (they run inside the jitted update), written to match
 * verl's `compute_policy_loss` (vanilla PPO clip with dual clip), `kl_penalty(…, 'low_var_kl')` and `agg_loss`:
 *
 * - clipped surrogate: `ratio = exp(clip(logπ − logπ_old, −20, 20))`,
 *   `loss = max(−A·ratio, −A·clip(ratio, 1 − ε_low, 1 + ε_high))`, and for A < 0 also capped at `−A·c`
 *   (dual clip, c = 3 by default);
 * - KL to the reference, the k3 ("low_var_kl") estimator of KL(π‖π_ref): with `d = clip(logπ_ref − logπ, −20, 20)`,
 *   `k3 = clip(exp(d) − d − 1, −10, 10)` (non-negative, unbiased, low variance);
 * - aggregation over response tokens: `token-mean` (every token of the batch weighs the same) or `seq-mean`
 *   (each sequence's token mean, then the mean over sequences: verl's `seq-mean-token-mean`).
 *
 * Every function follows the engine's ownership rule: it consumes each array argument exactly once.
 */
import type { JaxArray } from '../model/jax.js';
import { nn, np } from '../model/jax.js';

/** How the per-token losses of a batch become one number. */
export type LossAggregation = 'token-mean' | 'seq-mean';

/** The PPO clip range. */
export interface ClipRange {
  /** ε_low: the ratio is kept above 1 − low. */
  readonly low: number;
  /** ε_high: the ratio is kept below 1 + high (DAPO's clip-higher uses 0.28). */
  readonly high: number;
  /** Dual-clip bound c (> 1) for negative advantages; Infinity turns it off. Default 3. */
  readonly dual?: number;
}

/**
 * The clipped surrogate loss per token (to be minimised) and where clipping took effect.
 *
 * @param logProbs `[N, L]` log-probabilities under the policy being trained.
 * @param oldLogProbs `[N, L]` log-probabilities under the policy that sampled the tokens.
 * @param advantages advantages broadcastable to `[N, L]` (`[N, 1]` for sequence-level advantages).
 * @returns `loss [N, L]`, `clipped [N, L]` (1 where the clipped branch was chosen, as verl's `pg_clipfrac`).
 * @example
 * // ratio e^0.5 = 1.6487 with A = 1 and ε_high = 0.28: the clipped term −1.28 wins.
 * clippedPolicyLoss(np.array([[0.5]]), np.array([[0]]), np.array([[1]]), { low: 0.2, high: 0.28 }).loss; // [[-1.28]]
 */
export function clippedPolicyLoss(
  logProbs: JaxArray,
  oldLogProbs: JaxArray,
  advantages: JaxArray,
  clip: ClipRange,
): { loss: JaxArray; clipped: JaxArray } {
  const ratio = np.exp(np.clip(logProbs.sub(oldLogProbs), -20, 20));
  const negA = advantages.neg();
  const unclipped = negA.ref.mul(ratio.ref);
  const clippedTerm = negA.ref.mul(np.clip(ratio, 1 - clip.low, 1 + clip.high));
  const clipped = np.greater(clippedTerm.ref, unclipped.ref).astype(np.float32);
  const pessimistic = np.maximum(unclipped, clippedTerm);
  const dual = clip.dual ?? 3;
  if (!Number.isFinite(dual)) {
    negA.dispose();
    return { loss: pessimistic, clipped };
  }
  // For A < 0 (−A > 0) the loss is also capped at −A·c.
  const capped = np.minimum(pessimistic.ref, negA.ref.mul(dual));
  const loss = np.where(np.greater(negA, 0), capped, pessimistic);
  return { loss, clipped };
}

/**
 * The k3 ("low_var_kl") estimate of KL(π‖π_ref) per token, from log-probabilities of the sampled tokens.
 *
 * @example
 * // log π = 0, log π_ref = −1: e^−1 + 1 − 1 = 0.3679
 * lowVarKl(np.array([0]), np.array([-1])); // [0.36787945]
 */
export function lowVarKl(logProbs: JaxArray, refLogProbs: JaxArray): JaxArray {
  const d = np.clip(refLogProbs.sub(logProbs), -20, 20);
  return np.clip(np.exp(d.ref).sub(d).sub(1), -10, 10);
}

/**
 * The counts a loss is divided by when it is computed in micro-batches: those of the whole batch (tokens, and
 * sequences with at least one token; each at least 1), so that the micro-batches' losses and gradients add up
 * to the whole batch's. Scalars on the device.
 */
export type LossDenominators = { tokens: JaxArray; sequences: JaxArray };

/**
 * Aggregate a per-token loss `[N, L]` over the tokens a `mask [N, L]` (1 = response token) keeps.
 *
 * - `token-mean`: `Σ loss·mask / max(Σ mask, 1)`;
 * - `seq-mean`: the mean over sequences with at least one token of `Σ_t loss·mask / Σ_t mask`.
 *
 * With `denominators`, the sums are divided by the whole batch's counts instead of this batch's (a micro-batch's
 * share of the whole batch's loss; consumed).
 *
 * @example
 * aggregateLoss(np.array([[1, 2], [3, 0]]), np.array([[1, 1], [1, 0]]), 'token-mean'); // 2
 * aggregateLoss(np.array([[1, 2], [3, 0]]), np.array([[1, 1], [1, 0]]), 'seq-mean'); // (1.5 + 3) / 2 = 2.25
 */
export function aggregateLoss(loss: JaxArray, mask: JaxArray, mode: LossAggregation, denominators?: LossDenominators): JaxArray {
  const weighted = loss.mul(mask.ref);
  if (mode === 'token-mean') {
    if (denominators === undefined) return weighted.sum().div(np.maximum(mask.sum(), 1));
    mask.dispose();
    denominators.sequences.dispose();
    return weighted.sum().div(denominators.tokens);
  }
  const tokens = mask.sum(-1);
  const present = np.greater(tokens.ref, 0).astype(np.float32);
  const perSequence = weighted.sum(-1).div(np.maximum(tokens, 1));
  if (denominators === undefined) return perSequence.sum().div(np.maximum(present.sum(), 1));
  present.dispose();
  denominators.tokens.dispose();
  return perSequence.sum().div(denominators.sequences);
}

/**
 * Log-probabilities of the sampled tokens and the entropy of each position's distribution, under the
 * distribution the sampler drew from: `softmax((logits + classMask) / temperature)` (or a temperature per
 * position, `[N, L]`), where `classMask` is the grammar's additive mask (0 allowed, −1e9 not) of each position.
 *
 * @param logits `[N, L, V]`; `targets` `[N, L]` int32; `classMask` `[N, L, V]`.
 * @returns `logProbs [N, L]`, `entropy [N, L]` (nats).
 * @example
 * const { logProbs, entropy } = tokenLogProbs(logits, targets, classMask, 1);
 */
export function tokenLogProbs(logits: JaxArray, targets: JaxArray, classMask: JaxArray, temperature: number | JaxArray): { logProbs: JaxArray; entropy: JaxArray } {
  const V = logits.shape[logits.ndim - 1] as number;
  const inverse = typeof temperature === 'number' ? 1 / temperature : np.reciprocal(temperature).reshape([...temperature.shape, 1]);
  const logp = nn.logSoftmax(logits.add(classMask).mul(inverse), -1);
  const logProbs = logp.ref.mul(nn.oneHot(targets, V)).sum(-1);
  const entropy = np.exp(logp.ref).mul(logp).sum(-1).neg();
  return { logProbs, entropy };
}

/**
 * The mean of `values [N, L]` over the tokens of `mask [N, L]` (0 when the mask is empty); with `tokens`, the
 * masked sum divided by that count instead (a micro-batch's share of the whole batch's mean; consumed).
 *
 * @example
 * maskedMean(np.array([[1, 5]]), np.array([[1, 0]])); // 1
 */
export function maskedMean(values: JaxArray, mask: JaxArray, tokens?: JaxArray): JaxArray {
  const sum = values.mul(mask.ref).sum();
  if (tokens === undefined) return sum.div(np.maximum(mask.sum(), 1));
  mask.dispose();
  return sum.div(tokens);
}
