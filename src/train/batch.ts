/**
 * Assembling teacher-forced batches on the device from examples.
 */
import type { ModelConfig } from '../model/config.js';
import { patchCount, patchDim, prefixLength } from '../model/config.js';
import { patchify } from '../model/image.js';
import type { JaxArray } from '../model/jax.js';
import { np } from '../model/jax.js';
import type { SequenceBatch } from '../model/loss.js';
import { alignPrompt, keyValidity } from '../model/sequence-layout.js';
import { PAD } from '../model/tokenizer.js';
import type { Example } from './examples.js';
import { PERCEPTION_LABELS, type PatchTargets } from './perception.js';

/** Host arrays of a batch (before upload). */
export interface HostBatch {
  readonly size: number;
  /** Length of the target region (the config's, or a bucket's). */
  readonly targetLength: number;
  readonly patches: Float32Array;
  readonly tokens: Int32Array;
  readonly keyValid: Float32Array;
  readonly targets: Int32Array;
  readonly weights: Float32Array;
  /** Target tokens that carry loss. */
  readonly targetTokens: number;
  /** The axis place of each coordinate target (see `coordinatePlaces`), -1 for other targets. */
  readonly targetPlaces: Float32Array;
  /** `[B, patchCount, PERCEPTION_LABELS]` perception targets, when every example has them. */
  readonly perception?: PatchTargets;
}

/**
 * Lay out examples in the fixed sequence format with a target region of `targetLength` positions (default:
 * the config's; shorter for a length bucket). Longer targets are cut (their `<eos>` is then lost, so choose
 * the lengths from the data). With `places` ({@link coordinatePlaces}), coordinate targets are marked for
 * smoothing and weigh `coordinateWeight` in the loss (other targets weigh 1).
 */
export function hostBatch(
  examples: readonly Example[],
  c: ModelConfig,
  targetLength = c.targetLength,
  places?: Float32Array,
  coordinateWeight = 1,
): HostBatch {
  const B = examples.length;
  const Np = patchCount(c);
  const Pd = patchDim(c);
  const L = targetLength;
  const T = prefixLength(c) + L;
  const S = c.promptLength + L;
  const patches = new Float32Array(B * Np * Pd);
  const tokens = new Int32Array(B * S).fill(PAD);
  const keyValid = new Float32Array(B * T);
  const targets = new Int32Array(B * L).fill(PAD);
  const weights = new Float32Array(B * L);
  const targetPlaces = new Float32Array(B * L).fill(-1);
  let targetTokens = 0;
  const labelled = examples.length > 0 && examples.every((ex) => ex.perception !== undefined);
  const perception = labelled ? { labels: new Int32Array(B * Np * PERCEPTION_LABELS), weights: new Float32Array(B * Np * PERCEPTION_LABELS) } : undefined;
  examples.forEach((ex, b) => {
    if (perception && ex.perception) {
      perception.labels.set(ex.perception.labels, b * Np * PERCEPTION_LABELS);
      perception.weights.set(ex.perception.weights, b * Np * PERCEPTION_LABELS);
    }
    patchify(ex.rgb, c, patches, b * Np * Pd);
    const aligned = alignPrompt(ex.prompt, c.promptLength);
    tokens.set(aligned, b * S);
    const target = ex.target.slice(0, L);
    tokens.set(target, b * S + c.promptLength);
    targets.set(target, b * L);
    weights.fill(1, b * L, b * L + target.length);
    if (places) {
      target.forEach((t, i) => {
        const place = places[t] as number;
        if (place >= 1e6) return;
        targetPlaces[b * L + i] = place;
        weights[b * L + i] = coordinateWeight;
      });
    }
    targetTokens += target.length;
    keyValid.set(keyValidity(aligned, c, true, L), b * T);
  });
  return { size: B, targetLength: L, patches, tokens, keyValid, targets, weights, targetTokens, targetPlaces, ...(perception ? { perception } : {}) };
}

/** Upload a host batch. */
export function deviceBatch(h: HostBatch, c: ModelConfig): SequenceBatch {
  const B = h.size;
  const L = h.targetLength;
  return {
    patches: np.array(h.patches).reshape([B, patchCount(c), patchDim(c)]),
    tokens: np.array(h.tokens, { dtype: np.int32 }).reshape([B, c.promptLength + L]),
    keyValid: np.array(h.keyValid).reshape([B, prefixLength(c) + L]),
    targets: np.array(h.targets, { dtype: np.int32 }).reshape([B, L]),
    weights: np.array(h.weights).reshape([B, L]),
  };
}

/** Upload perception targets as `{labels, weights}` `[B, patchCount, PERCEPTION_LABELS]`. */
export function devicePerception(t: PatchTargets, size: number, c: ModelConfig): { labels: JaxArray; weights: JaxArray } {
  const shape = [size, patchCount(c), PERCEPTION_LABELS];
  return { labels: np.array(t.labels, { dtype: np.int32 }).reshape(shape), weights: np.array(t.weights).reshape(shape) };
}

/**
 * The `[vocabSize, W]` 0/1 matrix that picks the head columns of `tokenIds` (column `i` is token
 * `tokenIds[i]`), for `forwardWithPatchLogits` (`src/model/transformer.ts`).
 *
 * @example
 * selectionMatrix(Int32Array.of(7, 9), 12); // [12, 2]: ones at (7, 0) and (9, 1)
 */
export function selectionMatrix(tokenIds: Int32Array, vocabSize: number): JaxArray {
  const W = tokenIds.length;
  if (W === 0) throw new RangeError('selectionMatrix: no token ids');
  const host = new Float32Array(vocabSize * W);
  tokenIds.forEach((id, i) => {
    if (id < 0 || id >= vocabSize) throw new RangeError(`selectionMatrix: token ${id} is outside the vocabulary of ${vocabSize}`);
    host[id * W + i] = 1;
  });
  return np.array(host).reshape([vocabSize, W]);
}
