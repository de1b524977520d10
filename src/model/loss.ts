/**
 * Token log-probabilities and the supervised loss, shared by CoT-SFT and GRPO.
 */
import type { ModelConfig } from './config.js';
import type { JaxArray } from './jax.js';
import { nn, np } from './jax.js';
import type { ModelParams } from './params.js';
import { forwardLogits, forwardWithPatchLogits } from './transformer.js';

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

/** Soft targets for coordinate tokens (see {@link sftLoss}). */
export type CoordinateSmoothing = {
  /**
   * `[C]` float32: the places ({@link coordinatePlaces}) of the `C` coordinate tokens, the ids `offset` to
   * `offset + C − 1` (x bins, then y bins).
   */
  places: JaxArray;
  /** Id of the first coordinate token. */
  offset: number;
  /** `[B, L]` float32: the place of each coordinate target, negative for other targets. */
  targetPlaces: JaxArray;
  /** Width of the Gaussian over neighbouring bins, in bins. */
  sigma: number;
};

/** The place of every token for {@link CoordinateSmoothing}: x bin b → b, y bin b → 10000 + b, others → 1e6. */
export function coordinatePlaces(tok: { vocabSize: number; coordinateOffset: number; coordinateBins: number }): Float32Array {
  const out = new Float32Array(tok.vocabSize).fill(1e6);
  for (let b = 0; b < tok.coordinateBins; b++) {
    out[tok.coordinateOffset + b] = b;
    out[tok.coordinateOffset + tok.coordinateBins + b] = 10000 + b;
  }
  return out;
}

/**
 * Dense targets for the image patches: up to `K` label words per patch that name what it shows (object
 * category, colour, part; see `src/train/perception.ts`), as columns of `selection`.
 */
export type PerceptionTargets = {
  /** `[V, W]` float32, 1 at (token id, place) of each label word: the head columns the patches' softmax runs over. */
  selection: JaxArray;
  /** `[B, patchCount, K]` int32 columns of `selection` (any valid column where unlabelled). */
  labels: JaxArray;
  /** `[B, patchCount, K]` float32: 1 where labelled, 0 elsewhere. */
  weights: JaxArray;
  /** Weight of the perception term in the loss. */
  weight: number;
};

/**
 * Mean cross-entropy of the weighted target tokens (the CoT-SFT loss). With `smoothing`, a coordinate target
 * is a Gaussian over the neighbouring bins of its axis instead of a single bin (ordinal-aware labels: a
 * near miss costs less than a far one); every other target stays one-hot. With `perception`, adds
 * `weight ×` the mean cross-entropy of the vocabulary head at the image patches against their labels.
 */
export function sftLoss(
  p: ModelParams<JaxArray>,
  batch: SequenceBatch,
  structure: JaxArray,
  c: ModelConfig,
  smoothing?: CoordinateSmoothing,
  perception?: PerceptionTargets,
): JaxArray {
  const { weights, ...rest } = batch;
  const total = weights.ref.sum();
  const answerLoss = (logits: JaxArray): JaxArray => targetLogLikelihood(logits, rest.targets, smoothing).mul(weights).sum().neg().div(np.maximum(total, 1));
  if (perception === undefined) return answerLoss(forwardLogits(p, rest.patches, rest.tokens, rest.keyValid, structure, c));
  const { logits, patchLogits } = forwardWithPatchLogits(p, rest.patches, rest.tokens, rest.keyValid, structure, c, perception.selection);
  return answerLoss(logits).add(perceptionLoss(patchLogits, perception.labels, perception.weights).mul(perception.weight));
}

/**
 * Mean cross-entropy of patch logits `[B, N, W]` (over the label words) against `K` labels per patch
 * (`labels`, `weights` `[B, N, K]`): each labelled word is a target of the patch's softmax.
 */
export function perceptionLoss(patchLogits: JaxArray, labels: JaxArray, weights: JaxArray): JaxArray {
  const [B, N, W] = patchLogits.shape as [number, number, number];
  const K = labels.shape[2] as number;
  const logp = nn.logSoftmax(patchLogits, -1).reshape([B, N, 1, W]);
  const ll = logp.mul(nn.oneHot(labels, W)).sum(-1);
  const total = weights.ref.sum();
  return ll.mul(weights.reshape([B, N, K])).sum().neg().div(np.maximum(total, 1));
}

/**
 * Per-position log-likelihood `[B, L]` of the targets: `log p(target)`, or for coordinate targets under
 * `smoothing`, `Σ_v q(v) log p(v)` with `q` a Gaussian over the target's neighbouring bins on its axis.
 *
 * As `q` sums to 1, `Σ_v q(v) log p(v) = Σ_v q(v) logit(v) − logsumexp(logits)`, and `q` is zero outside the
 * coordinate tokens: the soft part runs over those tokens only, not the whole vocabulary.
 */
export function targetLogLikelihood(logits: JaxArray, targets: JaxArray, smoothing?: CoordinateSmoothing): JaxArray {
  if (smoothing === undefined) return gatherLogProbs(logits, targets);
  const V = logits.shape[logits.ndim - 1] as number;
  const [B, L] = targets.shape as [number, number];
  const C = smoothing.places.shape[0] as number;
  const normaliser = nn.logsumexp(logits.ref, -1);
  const hard = logits.ref.mul(nn.oneHot(targets, V)).sum(-1);
  const coordinates = logits.slice([], [], [smoothing.offset, smoothing.offset + C]);
  const targetPlaces = smoothing.targetPlaces.reshape([B, L, 1]);
  const diff = smoothing.places.reshape([1, 1, C]).sub(targetPlaces.ref);
  const gauss = np.exp(np.square(diff).mul(-1 / (2 * smoothing.sigma * smoothing.sigma)));
  const soft = coordinates.mul(gauss.ref).sum(-1).div(np.maximum(gauss.sum(-1), 1e-30));
  return np.where(targetPlaces.reshape([B, L]).greaterEqual(0), soft, hard).sub(normaliser);
}
