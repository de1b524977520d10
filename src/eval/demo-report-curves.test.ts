import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { grpoCurves, parseLogLines, sftLossCurve } from './demo-report-curves.js';

const SFT_LOG = [
  '{"step":10,"loss":4.5,"lr":0.001}',
  '{"step":10,"eval":{"affordance":{}},"samples":64}',
  'not json',
  '',
  '{"step":20,"loss":3.25}',
].join('\n');

const GRPO_LOG = [
  '{"step":0,"eval":{},"samples":8}',
  '{"step":1,"reward":0.5,"format":1,"task":0.444444,"kl":0.0001,"loss":0.1}',
  '{"step":2,"reward":0.6,"format":1,"task":0.555556,"kl":null}',
  '{"step":3,"reward":0.7,"format":0.9}',
].join('\n');

describe('parseLogLines', () => {
  it('keeps the lines matching the schema, in order, and skips the rest', () => {
    expect(parseLogLines('{"a":1}\n{"b":2}\n{"a":"x"}\n[1]\n{"a":3}', z.object({ a: z.number() }))).toEqual([{ a: 1 }, { a: 3 }]);
  });
});

describe('sftLossCurve', () => {
  it('reads the logged losses, not the evaluations', () => {
    expect(sftLossCurve(SFT_LOG)).toEqual([
      [10, 4.5],
      [20, 3.25],
    ]);
    expect(sftLossCurve('')).toEqual([]);
  });
});

describe('grpoCurves', () => {
  it('reads reward, format, task and KL per step; missing values are null', () => {
    expect(grpoCurves(GRPO_LOG)).toEqual({
      reward: [
        [1, 0.5],
        [2, 0.6],
        [3, 0.7],
      ],
      format: [
        [1, 1],
        [2, 1],
        [3, 0.9],
      ],
      task: [
        [1, 0.444444],
        [2, 0.555556],
        [3, null],
      ],
      kl: [
        [1, 0.0001],
        [2, null],
        [3, null],
      ],
    });
  });
});
