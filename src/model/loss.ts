/**
 * Token log-probabilities and the supervised loss, shared by CoT-SFT and GRPO.
 */
import type { ModelConfig } from './config.js';
import type { JaxArray } from './jax.js';
import { nn, np } from './jax.js';
import type { ModelParams } from './params.js';
import { forwardLogits } from './transformer.js';

/** A batch of teacher-forced sequences on the device. */
export type SequenceBatch = {
  /** `[B, patchCount, patchDim]` float32. */
  patches: JaxArray;
  /** `[B, promptLength + targetLength]` int32: prompt region then target region. */
  tokens: JaxArray;
  /** `[B, T]` float32, 0 on padded positions. */
  keyValid: JaxArray;
  /** `[B, targetLength]` int32: the token each target position must predict (same as the target region). */
  targets: JaxArray;
  /** `[B, targetLength]` float32 loss weights (0 on padding). */
  weights: JaxArray;
};

/**
 * Log-probabilities of `targets [B, L]` under `logits [B, L, V]`, optionally restricted to the tokens an
 * additive mask `[B, L, V]` allows (grammar-constrained decoding uses the same restriction).
 */
export function gatherLogProbs(logits: JaxArray, targets: JaxArray, mask?: JaxArray): JaxArray {
  const V = logits.shape[logits.ndim - 1] as number;
  const logp = nn.logSoftmax(mask === undefined ? logits : logits.add(mask), -1);
  return logp.mul(nn.oneHot(targets, V)).sum(-1);
}

/**
 * Per-token log-probabilities `[B, targetLength]` of the target tokens (GRPO's `logProbs`).
 *
 * @example
 * const lp = jit((p, b, s) => sequenceLogProbs(p, b, s, config))(params, batch, structure);
 */
export function sequenceLogProbs(
  p: ModelParams<JaxArray>,
  batch: Omit<SequenceBatch, 'weights'>,
  structure: JaxArray,
  c: ModelConfig,
): JaxArray {
  const logits = forwardLogits(p, batch.patches, batch.tokens, batch.keyValid, structure, c);
  return gatherLogProbs(logits, batch.targets);
}

/**
 * Mean negative log-likelihood of the weighted target tokens (the CoT-SFT loss).
 */
export function sftLoss(p: ModelParams<JaxArray>, batch: SequenceBatch, structure: JaxArray, c: ModelConfig): JaxArray {
  const { weights, ...rest } = batch;
  const lp = sequenceLogProbs(p, rest, structure, c);
  const total = weights.ref.sum();
  return lp.mul(weights).sum().neg().div(np.maximum(total, 1));
}
