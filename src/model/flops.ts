/**
 * Analytic floating-point operation counts of the model (multiply-adds count 2), for throughput reports.
 */
import type { ModelConfig } from './config.js';
import { patchCount, patchDim, prefixLength, sequenceLength } from './config.js';

/**
 * FLOPs of one teacher-forced forward pass over a batch of `batch` sequences of the full layout (matmuls
 * only: projections, attention scores and values, patch embedding, head over the target positions, pointer head).
 *
 * @example
 * forwardFlops(config, 16) * 3; // ≈ a training step (forward + backward)
 */
export function forwardFlops(c: ModelConfig, batch: number): number {
  const T = sequenceLength(c);
  const d = c.dModel;
  const perLayer = 2 * T * d * (3 * d) + 2 * T * d * d + 2 * 2 * T * d * (c.mlpRatio * d) + 2 * 2 * T * T * d;
  const hidden = c.patchHidden ?? 0;
  const embed = hidden > 0 ? 2 * patchCount(c) * (patchDim(c) * hidden + hidden * d) : 2 * patchCount(c) * patchDim(c) * d;
  const head = 2 * c.targetLength * d * c.vocabSize;
  return batch * (c.nLayers * perLayer + embed + head + pointerFlops(c));
}

/**
 * FLOPs of the pointer head for one sequence (0 without one): query and key projections, the scores of the
 * generated positions against the patches, the map from the grid to the coordinate tokens, and with the word
 * prior the vocabulary head over the patches and its product with the prompt's bag of words.
 */
function pointerFlops(c: ModelConfig): number {
  if (c.coordinateBins === 0) return 0;
  const d = c.dModel;
  const L = c.targetLength;
  const Np = patchCount(c);
  const G = c.imageSize / c.patchSize;
  const prior = c.pointerPrior === true;
  const base = 2 * L * d * d + 2 * Np * d * d + 2 * L * Np * (prior ? d + 1 : d) + 2 * L * 2 * G * c.vocabSize;
  return prior ? base + 2 * Np * d * c.vocabSize + 2 * Np * c.vocabSize : base;
}

/** FLOPs of one training step (forward + backward ≈ 3 × forward). */
export function trainStepFlops(c: ModelConfig, batch: number): number {
  return 3 * forwardFlops(c, batch);
}

/** FLOPs of one KV-cached decoding step for `batch` sequences at generated position `step`. */
export function decodeStepFlops(c: ModelConfig, batch: number, step: number): number {
  const d = c.dModel;
  const keys = prefixLength(c) + c.targetLength; // the cache is attended in full (masked)
  const perLayer = 2 * d * (3 * d) + 2 * d * d + 2 * 2 * d * (c.mlpRatio * d) + 2 * 2 * keys * d;
  void step;
  return batch * (c.nLayers * perLayer + 2 * d * c.vocabSize);
}
