import { describe, expect, it } from 'vitest';
import { ModelConfigSchema } from '../model/config.js';
import { GRAMMAR_CLASSES } from '../model/grammar.js';
import { ANSWER, EOS, PAD, TASK_AFFORDANCE, TASK_TRAJECTORY } from '../model/tokenizer.js';
import { formatAnswer } from '../protocol/answer.js';
import type { RewardResult } from '../rewards/index.js';
import { computeScore } from '../rewards/index.js';
import { hostRollouts, maskGroups, trainedLength } from './grpo-batch.js';
import type { ScoredSample } from './grpo-rollout.js';
import { scoreGroups, stepSeed, summariseRewards } from './grpo-rollout.js';

// 8×8 image of 4×4 patches (4 patches × 48 floats), prompt 3, target 8: sequence 4 + 3 + 8 = 15.
const config = ModelConfigSchema.parse({
  imageSize: 8,
  patchSize: 4,
  dModel: 8,
  nLayers: 1,
  nHeads: 1,
  mlpRatio: 1,
  vocabSize: 40,
  promptLength: 3,
  targetLength: 8,
});
// A trajectory answer takes at most 1 + 2 + 1 tokens, a box 6: reasoning may go on while more than that is left.
const grammar = { maxPoints: 1, thinking: true };
const text = 30; // any id ≥ textOffset is text for the grammar classes below
const coord = (i: number): number => 6 + i;
/** Coordinates are ids 6..25 for these tests (the tokenizer layout with 10 bins per axis). */
const tok = { isCoordinate: (id: number): boolean => id >= 6 && id < 26 };
const cls = (name: (typeof GRAMMAR_CLASSES)[number]): number => GRAMMAR_CLASSES.indexOf(name);

describe('hostRollouts', () => {
  it('lays out prompt, sampled tokens, grammar classes, mask and old log-probs', () => {
    const patches = new Float32Array(192).map((_, i) => i);
    const host = hostRollouts(
      [
        { patches, prompt: [TASK_TRAJECTORY, 20], kind: 'trajectory', tokens: [text, ANSWER, coord(1), coord(2), EOS], logProbs: [-1, -2, -3, -4, -5] },
        { patches, prompt: [TASK_AFFORDANCE, 20, 21], kind: 'affordance', tokens: [text, ANSWER], logProbs: [-0.5, -0.25] },
      ],
      config,
      grammar,
      tok,
    );
    expect(host.size).toBe(2);
    expect(Array.from(host.tokens)).toEqual([
      PAD, TASK_TRAJECTORY, 20, text, ANSWER, coord(1), coord(2), EOS, PAD, PAD, PAD,
      TASK_AFFORDANCE, 20, 21, text, ANSWER, PAD, PAD, PAD, PAD, PAD, PAD,
    ]);
    expect(Array.from(host.targets)).toEqual([text, ANSWER, coord(1), coord(2), EOS, PAD, PAD, PAD, text, ANSWER, PAD, PAD, PAD, PAD, PAD, PAD]);
    expect(Array.from(host.classes)).toEqual([
      cls('reasoning'), cls('reasoning'), cls('x'), cls('y'), cls('eos'), cls('pad'), cls('pad'), cls('pad'),
      cls('reasoning'), cls('reasoning'), cls('pad'), cls('pad'), cls('pad'), cls('pad'), cls('pad'), cls('pad'),
    ]);
    expect(Array.from(host.mask)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(host.oldLogProbs)).toEqual([-1, -2, -3, -4, -5, 0, 0, 0, -0.5, -0.25, 0, 0, 0, 0, 0, 0]);
    // key validity: 4 patches, then the left-padded prompt slot of the first sequence is masked
    expect(Array.from(host.keyValid.subarray(0, 15))).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(host.keyValid.subarray(15))).toEqual(new Array(15).fill(1));
    expect(Array.from(host.patches.subarray(192))).toEqual(Array.from(patches));
  });

  it('masks the answer out of the loss when only the rationale is trained', () => {
    const patches = new Float32Array(192);
    const sequences = [
      { patches, prompt: [TASK_TRAJECTORY, 20], kind: 'trajectory' as const, tokens: [text, ANSWER, coord(1), coord(2), EOS], logProbs: [-1, -2, -3, -4, -5] },
      { patches, prompt: [TASK_AFFORDANCE, 20], kind: 'affordance' as const, tokens: [text, text, text], logProbs: [-1, -1, -1] },
    ];
    const all = hostRollouts(sequences, config, grammar, tok, 'all');
    const reasoning = hostRollouts(sequences, config, grammar, tok, 'reasoning');
    expect(Array.from(reasoning.mask)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
    // everything else is laid out as for the whole answer
    expect(Array.from(reasoning.targets)).toEqual(Array.from(all.targets));
    expect(Array.from(reasoning.oldLogProbs)).toEqual(Array.from(all.oldLogProbs));
    expect(Array.from(all.mask)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('rejects sequences longer than the target region or without a log-prob per token', () => {
    const base = { patches: new Float32Array(192), prompt: [TASK_AFFORDANCE], kind: 'affordance' as const };
    expect(() => hostRollouts([{ ...base, tokens: new Array<number>(9).fill(text), logProbs: new Array<number>(9).fill(0) }], config, grammar, tok)).toThrow(/allows 8/);
    expect(() => hostRollouts([{ ...base, tokens: [text], logProbs: [] }], config, grammar, tok)).toThrow(/log-probabilities/);
  });
});

describe('trainedLength', () => {
  it('ends the rationale at <answer>, includes it, and takes a sequence without one whole', () => {
    expect(trainedLength([text, text, ANSWER, coord(1), EOS], 'reasoning')).toBe(3);
    expect(trainedLength([ANSWER, coord(1), EOS], 'reasoning')).toBe(1);
    expect(trainedLength([text, text], 'reasoning')).toBe(2);
    expect(trainedLength([], 'reasoning')).toBe(0);
    expect(trainedLength([text, ANSWER, coord(1), EOS], 'all')).toBe(4);
  });
});

describe('maskGroups', () => {
  it('zeroes the sequences of dropped groups', () => {
    const mask = new Float32Array([1, 1, 1, 0, 1, 1, 1, 1]); // 4 sequences × 2 tokens, groups of 2
    expect(Array.from(maskGroups(mask, 2, 2, [true, false]))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(maskGroups(mask, 2, 2, [false, false]))).toEqual(Array.from(mask));
  });
});

describe('stepSeed', () => {
  it('is a pure function of seed and step', () => {
    expect(stepSeed(0, 1)).toBe(stepSeed(0, 1));
    expect(new Set([stepSeed(0, 1), stepSeed(0, 2), stepSeed(1, 1), stepSeed(1, 2)]).size).toBe(4);
  });
});

describe('summariseRewards', () => {
  const reward = (score: number, formatScore: number, taskScore: number, iou: number | null): RewardResult => ({
    score,
    formatScore,
    taskScore,
    mode: iou === null ? 'trajectory' : 'box',
    iou,
    giou: null,
    alaf: null,
    dfd: null,
  });
  const sample = (kind: 'affordance' | 'trajectory', tokens: number, finished: boolean, r: RewardResult, metric: number | null = null): ScoredSample => ({
    patches: new Float32Array(0),
    prompt: [],
    kind,
    tokens: new Array<number>(tokens).fill(text),
    logProbs: new Array<number>(tokens).fill(0),
    text: '',
    finished,
    reward: r,
    metric,
  });

  it('averages the reward, its parts, lengths and the finished share', () => {
    const s = summariseRewards(
      [
        sample('affordance', 10, true, reward(1, 1, 1, 0.5), 50),
        sample('affordance', 20, true, reward(0.5, 1, 0.4444, 0.1), 10),
        sample('trajectory', 30, false, reward(0, 0, 0, null), -100),
        sample('trajectory', 40, true, reward(0.5, 1, 0.5, null), -300),
      ],
      2,
    );
    expect(s.mean).toBe(0.5);
    expect(s.std).toBeCloseTo(Math.sqrt(0.125), 12); // deviations 0.5, 0, −0.5, 0
    expect(s.format).toBe(0.75);
    expect(s.task).toBeCloseTo(0.4861, 12);
    expect(s.affordance).toBe(0.75);
    expect(s.trajectory).toBe(0.25);
    expect(s.iou).toBeCloseTo(0.3, 12);
    expect(s.length).toBe(25);
    expect(s.finished).toBe(0.75);
    // the reward ranks the boxes as their IoU does, and the trajectories against their Avg
    expect(s.agreementAffordance).toBe(1);
    expect(s.agreementTrajectory).toBe(-1);
  });

  it('leaves the agreement null for groups without spread or without a metric', () => {
    const s = summariseRewards(
      [
        sample('affordance', 1, true, reward(1, 1, 1, 0.5), 50),
        sample('affordance', 1, true, reward(0.5, 1, 0.4444, 0.1), 50),
        sample('trajectory', 1, true, reward(0, 0, 0, null), null),
        sample('trajectory', 1, true, reward(0.5, 1, 0.5, null), null),
      ],
      2,
    );
    expect(s.agreementAffordance).toBeNull();
    expect(s.agreementTrajectory).toBeNull();
  });
});

describe('scoreGroups', () => {
  it('scores each answer with the official reward and with the evaluation metric', () => {
    const truthBox = formatAnswer('t', { kind: 'affordance', box: { x: 0.5, y: 0.5, width: 0.2, height: 0.2 } });
    const truthPath = formatAnswer('t', { kind: 'trajectory', points: [[0.1, 0.1], [0.5, 0.1]] });
    const prompts = [
      { patches: new Float32Array(0), prompt: [], kind: 'affordance' as const, answer: truthBox },
      { patches: new Float32Array(0), prompt: [], kind: 'trajectory' as const, answer: truthPath },
    ];
    const generation = (answer: string): { tokens: number[]; logProbs: number[]; text: string; finished: boolean } => ({ tokens: [text], logProbs: [0], text: answer, finished: true });
    const scored = scoreGroups(
      prompts,
      [
        generation(truthBox),
        generation(formatAnswer('a', { kind: 'affordance', box: { x: 0.55, y: 0.5, width: 0.2, height: 0.2 } })),
        generation(formatAnswer('a', { kind: 'trajectory', points: [[0.1, 0.2], [0.5, 0.2]] })),
        generation('no answer'),
      ],
      2,
    );
    expect(scored.map((s) => s.reward.score)).toEqual(scored.map((s, i) => computeScore(s.text, (prompts[Math.floor(i / 2)] as (typeof prompts)[number]).answer).score));
    expect(scored[0]?.metric).toBeCloseTo(100, 9);
    expect(scored[1]?.metric).toBeCloseTo((100 * 0.15) / 0.25, 9); // overlap 0.15 × 0.2 over union 0.25 × 0.2
    expect(scored[2]?.metric).toBeCloseTo(-100, 9); // every distance 0.1 on the [0, 1000) scale
    expect(scored[3]?.metric).toBe(-1000); // a failure counts as evaluation counts it

    // other ALAF weights change the trajectory reward (here through the normaliser, which loses its angle part), not the metric
    const noAngle = scoreGroups(prompts, [generation(truthBox), generation(truthBox), generation(scored[2]?.text ?? ''), generation('')], 2, { lambdaAngle: 0 });
    expect(noAngle[2]?.reward.score).toBe(computeScore(scored[2]?.text ?? '', truthPath, { lambdaAngle: 0 }).score);
    expect(noAngle[2]?.reward.score).not.toBe(scored[2]?.reward.score);
    expect(noAngle[2]?.metric).toBe(scored[2]?.metric);
  });

  it('gives no metric when the ground truth does not parse', () => {
    const prompts = [{ patches: new Float32Array(0), prompt: [], kind: 'affordance' as const, answer: 'not an answer' }];
    const scored = scoreGroups(prompts, [{ tokens: [text], logProbs: [0], text: 'x', finished: true }], 1);
    expect(scored[0]?.metric).toBeNull();
  });
});
