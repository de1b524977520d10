/**
 * The starting point of the prompt pooling (`promptScore`, see `transformer.ts`): scores from how rare each
 * word is among the training instructions.
 */
import type { HostTensor, ModelParams } from './params.js';

/**
 * Start the prompt pooling scores at `log idf` (inverse document frequency over the training instructions),
 * so the conditioning vector starts as an idf-weighted mean that stresses the words that tell instructions
 * apart (colours, objects, parts) over the ones every instruction has ("the", "up"). In place; returns `p`.
 *
 * @example
 * applyPromptWeighting(host, prompts); // prompts: the training prompts' token ids
 */
export function applyPromptWeighting(p: ModelParams<HostTensor>, prompts: readonly (readonly number[])[]): ModelParams<HostTensor> {
  const scores = p.promptScore.data;
  const df = new Map<number, number>();
  for (const prompt of prompts) for (const t of new Set(prompt)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = Math.max(1, prompts.length);
  for (let t = 0; t < scores.length; t++) {
    const idf = Math.log((n + 1) / ((df.get(t) ?? 0) + 1));
    scores[t] = Math.log(Math.max(idf, 1e-3));
  }
  return p;
}
