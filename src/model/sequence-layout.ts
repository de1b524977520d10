/**
 * Host-side assembly of model inputs in the fixed sequence layout
 * `[image patches | prompt (right-aligned, left-padded) | target]`.
 */
import type { ModelConfig } from './config.js';
import { patchCount, prefixLength } from './config.js';
import { PAD } from './tokenizer.js';

/**
 * The prompt tokens placed right-aligned in `promptLength` slots (left-padded with `<pad>`); a prompt that
 * is too long keeps its first `promptLength` tokens (the task token and the start of the instruction).
 *
 * @example
 * alignPrompt([3, 10, 11], 5); // [0, 0, 3, 10, 11]
 */
export function alignPrompt(prompt: readonly number[], promptLength: number): number[] {
  const kept = prompt.slice(0, promptLength);
  return [...new Array<number>(promptLength - kept.length).fill(PAD), ...kept];
}

/**
 * The key-validity row of one sequence over the prefix (and optionally the target region): 1 for patches and
 * prompt tokens, 0 for prompt padding; target positions are all valid (causality is in the structure mask).
 */
export function keyValidity(alignedPrompt: readonly number[], c: ModelConfig, withTarget: boolean, targetLength = c.targetLength): Float32Array {
  const n = withTarget ? prefixLength(c) + targetLength : prefixLength(c);
  const row = new Float32Array(n).fill(1);
  const np = patchCount(c);
  alignedPrompt.forEach((t, i) => {
    if (t === PAD) row[np + i] = 0;
  });
  return row;
}

/**
 * The structure mask `[T, T]` (1 = query i may attend key j): the prefix (patches and prompt) is
 * bidirectional, the generated part is causal. `targetLength` may be shorter than the config's (buckets).
 */
export function structureMask(c: ModelConfig, targetLength = c.targetLength): Float32Array {
  const T = prefixLength(c) + targetLength;
  const Tp = prefixLength(c);
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) m[i * T + j] = j < Tp || j <= i ? 1 : 0;
  return m;
}
