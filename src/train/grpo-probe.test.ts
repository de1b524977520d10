import { describe, expect, it } from 'vitest';
import type { RewardResult } from '../rewards/index.js';
import type { GrpoProbe } from './grpo-probe.js';
import { formatProbe, probeStats } from './grpo-probe.js';
import type { ScoredSample } from './grpo-rollout.js';

const reward = (score: number): RewardResult => ({ score, formatScore: 1, taskScore: score, mode: 'box', iou: null, giou: null, alaf: null, dfd: null });
const sample = (kind: 'affordance' | 'trajectory', score: number, metric: number | null): ScoredSample => ({
  patches: new Float32Array(0),
  prompt: [],
  kind,
  tokens: [],
  logProbs: [],
  text: '',
  finished: true,
  reward: reward(score),
  metric,
});

describe('probeStats', () => {
  it('gives the hand-computed statistics per kind', () => {
    const scored = [
      // box group: the reward ranks as IoU does
      sample('affordance', 0.2, 10),
      sample('affordance', 0.6, 50),
      // trajectory group 1: the reward prefers the answer with the worse Avg (metric −Avg)
      sample('trajectory', 0.9, -300),
      sample('trajectory', 0.5, -100),
      // trajectory group 2: agrees
      sample('trajectory', 0.4, -200),
      sample('trajectory', 0.8, -100),
    ];
    const [affordance, trajectory] = probeStats(scored, [0.5, 0.7, 0.3], 2);
    expect(affordance?.groupStd).toBeCloseTo(0.2, 12);
    expect(affordance).toEqual({
      kind: 'affordance',
      prompts: 1,
      greedyReward: 0.5,
      sampledReward: 0.4,
      bestOfGroup: 0.6,
      groupStd: affordance?.groupStd,
      agreement: 1,
      metricGainOfBestReward: 20, // 50 against the mean 30
      metricGainPossible: 20,
    });
    expect(trajectory?.prompts).toBe(2);
    expect(trajectory?.greedyReward).toBeCloseTo(0.5, 12);
    expect(trajectory?.sampledReward).toBeCloseTo(0.65, 12);
    expect(trajectory?.bestOfGroup).toBeCloseTo(0.85, 12);
    expect(trajectory?.groupStd).toBeCloseTo(0.2, 12);
    expect(trajectory?.agreement).toBe(0); // −1 and +1
    // group 1 keeps −300 against a mean of −200 (−100), group 2 keeps −100 against −150 (+50)
    expect(trajectory?.metricGainOfBestReward).toBeCloseTo(-25, 12);
    expect(trajectory?.metricGainPossible).toBeCloseTo(75, 12); // +100 and +50
  });

  it('leaves out groups without a metric, and kinds without prompts', () => {
    const stats = probeStats([sample('trajectory', 0.1, null), sample('trajectory', 0.3, null)], [0.2], 2);
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ kind: 'trajectory', prompts: 1, agreement: null, metricGainOfBestReward: null, metricGainPossible: null });
    expect(stats[0]?.sampledReward).toBeCloseTo(0.2, 12);
  });

  it('rejects samples that do not match the prompts', () => {
    expect(() => probeStats([sample('affordance', 0, 0)], [0.1, 0.2], 2)).toThrow(/1 samples for 2 prompts of 2/);
  });
});

describe('formatProbe', () => {
  it('prints a row per kind, trajectory gains as Avg points saved', () => {
    const probe: GrpoProbe = {
      checkpoint: 'ckpt',
      data: 'train.json',
      options: { prompts: 3, groupSize: 2, temperature: 1, topP: 1, reasoningTemperature: null, answerDecoding: 'sample', lambdaAngle: 0.25, lambdaLength: 0.1, seed: 0, gradients: false },
      kinds: probeStats(
        [sample('affordance', 0.2, 10), sample('affordance', 0.6, 50), sample('trajectory', 0.9, -300), sample('trajectory', 0.5, -100)],
        [0.5, 0.7],
        2,
      ),
    };
    const text = formatProbe(probe);
    expect(text).toContain('ckpt on train.json: 2 answers per prompt at temperature 1, answers sampled, reward λθ 0.25, λr 0.1');
    expect(text).toMatch(/affordance +1 +0\.500 +0\.400 +0\.600 +0\.200 +1\.00 +\+20\.0 IoU +\+20\.0 IoU/);
    // keeping the best-rewarded trajectory costs 100 Avg points against the group mean; the best pick saves 100
    expect(text).toMatch(/trajectory +1 +0\.700 +0\.700 +0\.900 +0\.200 +-1\.00 +\+100\.0 Avg +-100\.0 Avg/);
  });
});
