import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPaths, demoPlan } from './demo-plan.js';
import { completedSteps, demoStages, finishedEvaluation, staleAgainst } from './demo-stages.js';
import type { EvalMetrics } from './metrics.js';

const root = await mkdtemp(join(tmpdir(), 'vla-demo-stages-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const METRICS: EvalMetrics = {
  affordance: { n: 3, iou: 12.5, success_at_0_5: 0, parse_failure_rate: 0 },
  trajectory: { n: 5, dfd: 100, hd: 90, rmse: 80, avg: 90, parse_failure_rate: 0.2, parsed_only: { dfd: 1, hd: 2, rmse: 3, avg: 2 } },
};

describe('completedSteps', () => {
  it('reads the completed flag of a run folder checkpoint', async () => {
    const run = join(root, 'run');
    await mkdir(join(run, 'checkpoint'), { recursive: true });
    expect(await completedSteps(join(root, 'nothing'))).toBeUndefined();
    await writeFile(join(run, 'checkpoint', 'config.json'), JSON.stringify({ format: 'x', info: { steps: 20, completed: false } }));
    expect(await completedSteps(run)).toBeUndefined();
    await writeFile(join(run, 'checkpoint', 'config.json'), JSON.stringify({ format: 'x', info: { steps: 40, completed: true } }));
    expect(await completedSteps(run)).toBe(40);
    await writeFile(join(run, 'checkpoint', 'config.json'), '{"info": ');
    expect(await completedSteps(run)).toBeUndefined();
  });
});

describe('finishedEvaluation', () => {
  it('accepts metrics.json only when it counts every record', async () => {
    const dir = join(root, 'eval');
    await mkdir(dir, { recursive: true });
    expect(await finishedEvaluation(dir, 8)).toBeUndefined();
    await writeFile(join(dir, 'metrics.json'), JSON.stringify(METRICS));
    expect(await finishedEvaluation(dir, 8)).toEqual(METRICS);
    expect(await finishedEvaluation(dir, 9)).toBeUndefined();
    await writeFile(join(dir, 'metrics.json'), JSON.stringify({ affordance: {} }));
    expect(await finishedEvaluation(dir, 8)).toBeUndefined();
  });
});

describe('demoStages', () => {
  it('runs the dataset, then each run followed by its two evaluations', async () => {
    const stages = demoStages({ plan: demoPlan({ quick: true }), paths: demoPaths(join(root, 'demo')), silent: true, log: () => undefined });
    expect(stages.map((s) => s.id)).toEqual([
      'synth',
      'train:sft_nocot',
      'eval:sft_nocot:test',
      'eval:sft_nocot:ood',
      'train:sft_cot',
      'eval:sft_cot:test',
      'eval:sft_cot:ood',
      'train:grpo',
      'eval:grpo:test',
      'eval:grpo:ood',
    ]);
    expect(stages.every((s) => s.estimate > 0)).toBe(true);
    for (const stage of stages) expect(await stage.complete()).toBeUndefined();
  });
  it('reuses a dataset only when its manifest matches the plan', async () => {
    const plan = demoPlan({ quick: true });
    const paths = demoPaths(join(root, 'demo2'));
    const [synth] = demoStages({ plan, paths, silent: true, log: () => undefined });
    await mkdir(paths.data, { recursive: true });
    const manifest = { seed: plan.seed, size: plan.data.size, counts: { train: plan.data.train, test: plan.data.test, ood: plan.data.ood } };
    await writeFile(join(paths.data, 'manifest.json'), JSON.stringify(manifest));
    expect(await synth?.complete()).toBe(join(paths.data, 'manifest.json'));
    await writeFile(join(paths.data, 'manifest.json'), JSON.stringify({ ...manifest, seed: plan.seed + 1 }));
    expect(await synth?.complete()).toBeUndefined();
  });
});

describe('staleAgainst', () => {
  it('names the first input modified after the output', async () => {
    const dir = join(root, 'stale');
    await mkdir(dir, { recursive: true });
    const [output, a, b] = ['out', 'a', 'b'].map((n) => join(dir, n)) as [string, string, string];
    expect(await staleAgainst(output, [a])).toBeUndefined(); // no output yet
    for (const f of [output, a, b]) await writeFile(f, f);
    await utimes(a, 1000, 1000);
    await utimes(output, 2000, 2000);
    await utimes(b, 1500, 1500);
    expect(await staleAgainst(output, [a, b, join(dir, 'missing')])).toBeUndefined();
    await utimes(b, 3000, 3000);
    expect(await staleAgainst(output, [a, b])).toBe(b);
  });
});
