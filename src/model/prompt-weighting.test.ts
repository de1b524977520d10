import { describe, expect, it } from 'vitest';
import { applyPromptWeighting } from './prompt-weighting.js';
import type { HostTensor, ModelParams } from './params.js';

function withScores(vocab: number): ModelParams<HostTensor> {
  return { promptScore: { shape: [vocab], data: new Float32Array(vocab) } } as unknown as ModelParams<HostTensor>;
}

describe('applyPromptWeighting', () => {
  it('starts each token at log idf, floored for tokens every prompt has', () => {
    // Four prompts: token 1 in all, token 2 in one, token 3 in two (counted once per prompt), token 0 in none.
    const p = applyPromptWeighting(withScores(4), [[1, 2], [1, 3, 3], [1, 3], [1]]);
    const s = p.promptScore.data;
    expect(s[1]).toBeCloseTo(Math.log(1e-3), 5); // idf log(5/5) = 0, floored at 1e-3
    expect(s[2]).toBeCloseTo(Math.log(Math.log(5 / 2)), 5);
    expect(s[3]).toBeCloseTo(Math.log(Math.log(5 / 3)), 5);
    expect(s[0]).toBeCloseTo(Math.log(Math.log(5)), 5);
    expect(s[2] as number).toBeGreaterThan(s[3] as number);
  });
});
