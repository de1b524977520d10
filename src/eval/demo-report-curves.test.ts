import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { grpoCurves, parseLogLines, readDemoCurves, sftLossCurve } from './demo-report-curves.js';

const SFT_LOG = [
  '{"step":10,"loss":4.5,"lr":0.001}',
  '{"step":10,"eval":{"affordance":{}},"samples":64}',
  'not json',
  '',
  '{"step":20,"loss":3.25}',
].join('\n');

const GRPO_LOG = [
  '{"step":0,"eval":{},"samples":8}',
  '{"step":1,"reward":0.5,"format":1,"task":0.444444,"kl":0.0001,"loss":0.1,"agreementAffordance":0.9,"agreementTrajectory":null}',
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
  it('reads reward, format, task, KL and the reward–metric agreement per step; missing values are null', () => {
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
      agreementAffordance: [
        [1, 0.9],
        [2, null],
        [3, null],
      ],
      agreementTrajectory: [
        [1, null],
        [2, null],
        [3, null],
      ],
    });
  });
});

describe('readDemoCurves', () => {
  it('continues the SFT runs after the base, and reads a missing log as no points', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vla-curves-'));
    try {
      await writeFile(join(dir, 'base.jsonl'), '{"step":10,"loss":6}\n{"step":20,"loss":5}\n');
      await writeFile(join(dir, 'cot.jsonl'), SFT_LOG);
      await writeFile(join(dir, 'grpo.jsonl'), GRPO_LOG);
      const logs = { base: join(dir, 'base.jsonl'), sft_nocot: join(dir, 'missing.jsonl'), sft_cot: join(dir, 'cot.jsonl'), grpo: join(dir, 'grpo.jsonl') };
      const curves = await readDemoCurves(logs, 20);
      expect(curves.sftLoss).toEqual({
        base: [
          [10, 6],
          [20, 5],
        ],
        sft_nocot: [],
        sft_cot: [
          [30, 4.5],
          [40, 3.25],
        ],
      });
      expect(curves.grpo.reward.map(([step]) => step)).toEqual([1, 2, 3]);
      expect((await readDemoCurves(logs)).sftLoss.sft_cot[0]).toEqual([10, 4.5]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
