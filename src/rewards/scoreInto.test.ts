import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeScore } from './computeScore.js';
import { REWARD_MODES, REWARD_SLOTS, RewardSlot, scoreInto, TASK_ERRORS } from './scoreInto.js';

const FIXTURE = new URL('../../test/fixtures/reward-official-400.jsonl', import.meta.url);
const cases = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as { response: string; ground_truth: string; score: number });

const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

describe('scoreInto', () => {
  it('writes the same reward as computeScore for every official case, and the official score (1e-9)', () => {
    const out = new Float64Array(REWARD_SLOTS);
    for (const c of cases) {
      scoreInto(c.response, c.ground_truth, out);
      const r = computeScore(c.response, c.ground_truth);
      expect({
        score: out[RewardSlot.score],
        formatScore: out[RewardSlot.formatScore],
        taskScore: out[RewardSlot.taskScore],
        mode: REWARD_MODES[out[RewardSlot.mode]!],
        iou: orNull(out[RewardSlot.iou]!),
        giou: orNull(out[RewardSlot.giou]!),
        alaf: orNull(out[RewardSlot.alaf]!),
        dfd: orNull(out[RewardSlot.dfd]!),
      }).toEqual({ score: r.score, formatScore: r.formatScore, taskScore: r.taskScore, mode: r.mode, iou: r.iou, giou: r.giou, alaf: r.alaf, dfd: r.dfd });
      expect(Math.abs(out[RewardSlot.score]! - c.score)).toBeLessThanOrEqual(1e-9);
    }
  });

  it('records why a task scored 0 and clears the diagnostics of the previous call', () => {
    const out = new Float64Array(REWARD_SLOTS);
    const gt = '<think>x</think><output>[[0.1, 0.2], [0.3, 0.4]]</output>';
    scoreInto(gt, gt, out);
    expect(out[RewardSlot.alaf]).toBeLessThan(1e-7);
    scoreInto('<think>a</think><output>[]</output>', gt, out);
    expect(TASK_ERRORS[out[RewardSlot.error]!]).toBe('empty trajectory');
    expect(REWARD_MODES[out[RewardSlot.mode]!]).toBe('trajectory');
    expect(out[RewardSlot.alaf]).toBeNaN();
    expect(out[RewardSlot.score]).toBeCloseTo(0.1, 15);
  });
});
