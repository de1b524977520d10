import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPaths, demoPlan } from './demo-plan.js';
import { completedSteps, demoStages, finishedEvaluation, staleAgainst, type DemoStage } from './demo-stages.js';
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
  it('runs the dataset, the grounding base, then each run followed by its two evaluations', async () => {
    const stages = demoStages({ plan: demoPlan({ quick: true }), paths: demoPaths(join(root, 'demo')), silent: true, log: () => undefined });
    expect(stages.map((s) => s.id)).toEqual([
      'synth',
      'train:base',
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

describe('the SFT stages and the grounding base', () => {
  it('trains both SFT runs again when the base is newer than their checkpoints, GRPO only after CoT-SFT', async () => {
    const plan = demoPlan({ quick: true });
    const paths = demoPaths(join(root, 'demo-base'));
    const stages = demoStages({ plan, paths, silent: true, log: () => undefined });
    const stage = (id: string): DemoStage => stages.find((s) => s.id === id) as DemoStage;
    const finish = async (dir: string, when: number): Promise<void> => {
      await mkdir(join(dir, 'checkpoint'), { recursive: true });
      await writeFile(join(dir, 'checkpoint', 'config.json'), JSON.stringify({ info: { completed: true, steps: 3 } }));
      await utimes(join(dir, 'checkpoint', 'config.json'), when, when);
    };
    await mkdir(paths.data, { recursive: true });
    await writeFile(join(paths.data, 'manifest.json'), '{}');
    await utimes(join(paths.data, 'manifest.json'), 1000, 1000);
    await finish(paths.base, 2000);
    for (const run of ['sft_nocot', 'sft_cot', 'grpo'] as const) await finish(paths.run(run), 3000);
    for (const id of ['train:base', 'train:sft_nocot', 'train:sft_cot', 'train:grpo']) expect(await stage(id).complete()).toContain('completed');
    await utimes(join(paths.base, 'checkpoint', 'config.json'), 4000, 4000);
    expect(await stage('train:sft_nocot').complete()).toBeUndefined();
    expect(await stage('train:sft_cot').complete()).toBeUndefined();
    expect(await stage('train:grpo').complete()).toContain('completed'); // until CoT-SFT is trained again
    expect(stage('train:sft_cot').title).toContain('from the grounding base');
  });
  it('has no base stage when the plan has no base steps', () => {
    const plan = { ...demoPlan({ quick: true }), baseSteps: 0 };
    const stages = demoStages({ plan, paths: demoPaths(join(root, 'demo-nobase')), silent: true, log: () => undefined });
    expect(stages.map((s) => s.id).slice(0, 2)).toEqual(['synth', 'train:sft_nocot']);
    expect(stages.find((s) => s.id === 'train:sft_cot')?.title).not.toContain('grounding base');
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
