/**
 * Assembling teacher-forced batches on the device from examples.
 */
import type { ModelConfig } from '../model/config.js';
import { patchCount, patchDim, sequenceLength } from '../model/config.js';
import { patchify } from '../model/image.js';
import { np } from '../model/jax.js';
import type { SequenceBatch } from '../model/loss.js';
import { alignPrompt, keyValidity } from '../model/sequence-layout.js';
import { PAD } from '../model/tokenizer.js';
import type { Example } from './examples.js';

/** Host arrays of a batch (before upload). */
export interface HostBatch {
  readonly size: number;
  readonly patches: Float32Array;
  readonly tokens: Int32Array;
  readonly keyValid: Float32Array;
  readonly targets: Int32Array;
  readonly weights: Float32Array;
  /** Target tokens that carry loss. */
  readonly targetTokens: number;
}

/**
 * Lay out examples in the fixed sequence format; targets longer than `targetLength` are cut (their
 * `<eos>` is then lost, so choose `targetLength` from the data).
 */
export function hostBatch(examples: readonly Example[], c: ModelConfig): HostBatch {
  const B = examples.length;
  const Np = patchCount(c);
  const Pd = patchDim(c);
  const T = sequenceLength(c);
  const S = c.promptLength + c.targetLength;
  const L = c.targetLength;
  const patches = new Float32Array(B * Np * Pd);
  const tokens = new Int32Array(B * S).fill(PAD);
  const keyValid = new Float32Array(B * T);
  const targets = new Int32Array(B * L).fill(PAD);
  const weights = new Float32Array(B * L);
  let targetTokens = 0;
  examples.forEach((ex, b) => {
    patchify(ex.rgb, c.imageSize, c.patchSize, patches, b * Np * Pd);
    const aligned = alignPrompt(ex.prompt, c.promptLength);
    tokens.set(aligned, b * S);
    const target = ex.target.slice(0, L);
    tokens.set(target, b * S + c.promptLength);
    targets.set(target, b * L);
    weights.fill(1, b * L, b * L + target.length);
    targetTokens += target.length;
    keyValid.set(keyValidity(aligned, c, true), b * T);
  });
  return { size: B, patches, tokens, keyValid, targets, weights, targetTokens };
}

/** Upload a host batch. */
export function deviceBatch(h: HostBatch, c: ModelConfig): SequenceBatch {
  const B = h.size;
  return {
    patches: np.array(h.patches).reshape([B, patchCount(c), patchDim(c)]),
    tokens: np.array(h.tokens, { dtype: np.int32 }).reshape([B, c.promptLength + c.targetLength]),
    keyValid: np.array(h.keyValid).reshape([B, sequenceLength(c)]),
    targets: np.array(h.targets, { dtype: np.int32 }).reshape([B, c.targetLength]),
    weights: np.array(h.weights).reshape([B, c.targetLength]),
  };
}
