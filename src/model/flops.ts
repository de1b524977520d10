/**
 * Analytic floating-point operation counts of the model (multiply-adds count 2), for throughput reports.
 */
import type { ModelConfig } from './config.js';
import { patchCount, patchDim, prefixLength, sequenceLength } from './config.js';

/**
 * FLOPs of one teacher-forced forward pass over a batch of `batch` sequences of the full layout (matmuls
 * only: projections, attention scores and values, patch embedding, head over the target positions).
 *
 * @example
 * forwardFlops(config, 16) * 3; // ≈ a training step (forward + backward)
 */
export function forwardFlops(c: ModelConfig, batch: number): number {
  const T = sequenceLength(c);
  const d = c.dModel;
  const perLayer = 2 * T * d * (3 * d) + 2 * T * d * d + 2 * 2 * T * d * (c.mlpRatio * d) + 2 * 2 * T * T * d;
  const embed = 2 * patchCount(c) * patchDim(c) * d;
  const head = 2 * c.targetLength * d * c.vocabSize;
  return batch * (c.nLayers * perLayer + embed + head);
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
