/**
 * Laying out a step's sampled answers in the model's fixed sequence format (host arrays, then the device),
 * with the per-token loss mask and the sequence advantages GRPO needs.
 */
import type { ModelConfig } from '../model/config.js';
import { patchCount, patchDim, sequenceLength } from '../model/config.js';
import type { CoordinateTest, GrammarOptions } from '../model/grammar.js';
import { GRAMMAR_CLASSES, classesOf } from '../model/grammar.js';
import type { JaxArray } from '../model/jax.js';
import { np } from '../model/jax.js';
import { alignPrompt, keyValidity } from '../model/sequence-layout.js';
import { ANSWER, PAD } from '../model/tokenizer.js';
import type { TaskKind } from '../protocol/types.js';
import type { GrpoTensors, RolloutTensors } from './grpo-step.js';

/** One sampled answer, as the sampler returned it. */
export interface SampledSequence {
  /** The image patches of its prompt (`patchCount × patchDim`). */
  readonly patches: Float32Array;
  /** The prompt tokens (unaligned). */
  readonly prompt: readonly number[];
  readonly kind: TaskKind;
  /** The generated tokens (at most `targetLength`). */
  readonly tokens: readonly number[];
  /** Log-probability of each generated token under the sampling distribution. */
  readonly logProbs: readonly number[];
}

/** Host arrays of a step's rollouts. */
export interface HostRollouts {
  readonly size: number;
  readonly patches: Float32Array;
  readonly tokens: Int32Array;
  readonly keyValid: Float32Array;
  readonly targets: Int32Array;
  readonly classes: Int32Array;
  /** 1 on the generated positions the loss trains (see {@link TrainedTokens}). */
  readonly mask: Float32Array;
  readonly oldLogProbs: Float32Array;
}

const PAD_CLASS = GRAMMAR_CLASSES.indexOf('pad');

/**
 * Which generated tokens the loss trains: `all`, or `reasoning`, the rationale up to and including `<answer>`
 * (every token when a sequence has no `<answer>`), for answers that were decoded greedily rather than sampled.
 */
export type TrainedTokens = 'all' | 'reasoning';

/**
 * How many of `tokens` the loss trains.
 *
 * @example
 * trainedLength([5, 6, ANSWER, 9, 10], 'reasoning'); // 3
 * trainedLength([5, 6, ANSWER, 9, 10], 'all'); // 5
 */
export function trainedLength(tokens: readonly number[], trained: TrainedTokens): number {
  if (trained === 'all') return tokens.length;
  const answer = tokens.indexOf(ANSWER);
  return answer === -1 ? tokens.length : answer + 1;
}

/**
 * Lay out sampled sequences: `[patches | aligned prompt | generated tokens, PAD…]`, the grammar class of every
 * generated position (so the loss applies the sampler's mask), the loss mask (the generated tokens the loss
 * trains, see {@link TrainedTokens}) and the sampler's log-probabilities.
 *
 * @example
 * const host = hostRollouts(sequences, config, { maxPoints: 4, thinking: true }, tokenizer);
 * host.mask; // 1 for each generated token
 */
export function hostRollouts(
  sequences: readonly SampledSequence[],
  c: ModelConfig,
  grammar: GrammarOptions,
  tok: CoordinateTest,
  trained: TrainedTokens = 'all',
): HostRollouts {
  const N = sequences.length;
  const Np = patchCount(c);
  const Pd = patchDim(c);
  const T = sequenceLength(c);
  const S = c.promptLength + c.targetLength;
  const L = c.targetLength;
  const patches = new Float32Array(N * Np * Pd);
  const tokens = new Int32Array(N * S).fill(PAD);
  const keyValid = new Float32Array(N * T);
  const targets = new Int32Array(N * L).fill(PAD);
  const classes = new Int32Array(N * L).fill(PAD_CLASS);
  const mask = new Float32Array(N * L);
  const oldLogProbs = new Float32Array(N * L);
  sequences.forEach((s, n) => {
    if (s.tokens.length > L) throw new Error(`hostRollouts: sequence ${n} has ${s.tokens.length} tokens, the model allows ${L}`);
    if (s.logProbs.length !== s.tokens.length) throw new Error(`hostRollouts: sequence ${n} has ${s.tokens.length} tokens but ${s.logProbs.length} log-probabilities`);
    patches.set(s.patches, n * Np * Pd);
    const aligned = alignPrompt(s.prompt, c.promptLength);
    tokens.set(aligned, n * S);
    tokens.set(s.tokens, n * S + c.promptLength);
    targets.set(s.tokens, n * L);
    classes.set(classesOf(s.kind, s.tokens, grammar, tok, L), n * L);
    mask.fill(1, n * L, n * L + trainedLength(s.tokens, trained));
    oldLogProbs.set(s.logProbs, n * L);
    keyValid.set(keyValidity(aligned, c, true), n * T);
  });
  return { size: N, patches, tokens, keyValid, targets, classes, mask, oldLogProbs };
}

/**
 * The loss mask with the sequences of dropped groups zeroed (consecutive groups of `groupSize`).
 *
 * @example
 * maskGroups(new Float32Array([1, 1, 1, 1]), 1, 2, [false, true]); // [1, 1, 0, 0]  (one token per sequence)
 */
export function maskGroups(mask: Float32Array, targetLength: number, groupSize: number, dropped: readonly boolean[]): Float32Array {
  const out = Float32Array.from(mask);
  dropped.forEach((drop, g) => {
    if (drop) out.fill(0, g * groupSize * targetLength, (g + 1) * groupSize * targetLength);
  });
  return out;
}

/** Upload the sequence part of host rollouts (consumes `structure` and `classMasks`). */
export function rolloutTensors(h: HostRollouts, c: ModelConfig, structure: JaxArray, classMasks: JaxArray): RolloutTensors {
  const N = h.size;
  return {
    patches: np.array(h.patches).reshape([N, patchCount(c), patchDim(c)]),
    tokens: np.array(h.tokens, { dtype: np.int32 }).reshape([N, c.promptLength + c.targetLength]),
    keyValid: np.array(h.keyValid).reshape([N, sequenceLength(c)]),
    targets: np.array(h.targets, { dtype: np.int32 }).reshape([N, c.targetLength]),
    classes: np.array(h.classes, { dtype: np.int32 }).reshape([N, c.targetLength]),
    structure,
    classMasks,
  };
}

/**
 * The full loss input: sequences, loss mask, advantages `[N, 1]`, the sampler's and the reference's
 * log-probabilities `[N, targetLength]` (consumes `rollout` and `refLogProbs`).
 */
export function grpoTensors(
  rollout: RolloutTensors,
  c: ModelConfig,
  mask: Float32Array,
  advantages: readonly number[],
  oldLogProbs: Float32Array,
  refLogProbs: JaxArray,
): GrpoTensors {
  const N = advantages.length;
  return {
    ...rollout,
    mask: np.array(mask).reshape([N, c.targetLength]),
    advantages: np.array(Float32Array.from(advantages)).reshape([N, 1]),
    oldLogProbs: np.array(oldLogProbs).reshape([N, c.targetLength]),
    refLogProbs,
  };
}
