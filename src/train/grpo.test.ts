import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { TINY_MODEL_SHAPE } from '../model/config.js';
import { Rng } from '../model/rng.js';
import { formatAnswer } from '../protocol/answer.js';
import { buildHumanTurn } from '../protocol/prompts.js';
import type { GrpoOptionsInput } from './grpo-options.js';
import { formatProbe, probeGrpo } from './grpo-probe.js';
import { trainGrpo } from './grpo.js';
import { trainSft } from './sft.js';

const root = await mkdtemp(join(tmpdir(), 'vla-grpo-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/** 16×16 images with one red square; boxes around it and two-point trajectories towards it. */
async function writeTinyDataset(dir: string, n: number, seed: number): Promise<void> {
  const rng = new Rng(seed);
  await mkdir(join(dir, 'images'), { recursive: true });
  const records = [];
  for (let i = 0; i < n; i++) {
    const px = Buffer.alloc(16 * 16 * 3, 200);
    const x0 = rng.int(12);
    const y0 = rng.int(12);
    for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 4; x++) px.set([200, 30, 30], (y * 16 + x) * 3);
    const file = `images/${i}.png`;
    await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(dir, file));
    const box = { x: (x0 + 2) / 16, y: (y0 + 2) / 16, width: 0.25, height: 0.25 };
    const affordance = i % 2 === 0;
    const human = buildHumanTurn(affordance ? 'pick up the red square.' : 'reach the red square.', affordance ? 'affordance' : 'trajectory');
    const gpt = affordance
      ? formatAnswer('The red square is here.', { kind: 'affordance', box })
      : formatAnswer('Go to the red square.', { kind: 'trajectory', points: [[0.5, 0.05], [box.x, box.y]] });
    records.push({ image: file, conversations: [{ from: 'human', value: human }, { from: 'gpt', value: gpt }] });
  }
  await writeFile(join(dir, 'train.json'), JSON.stringify(records));
  await writeFile(join(dir, 'test.json'), JSON.stringify(records.slice(0, 4)));
}

const data = join(root, 'data');
const sft = join(root, 'sft');
/** A plain-SFT checkpoint (answers without a rationale). */
const plainSft = join(root, 'plain-sft');
const options: GrpoOptionsInput = {
  steps: 4,
  groupSize: 3,
  promptsPerStep: 2,
  learningRate: 5e-3,
  warmupSteps: 1,
  evalSamples: 4,
  saveEvery: 0,
};

const sftOptions = {
  steps: 6,
  batchSize: 4,
  ...TINY_MODEL_SHAPE,
  coordinateBins: 16,
  evalEvery: 0,
  evalSamples: 0,
  saveEvery: 0,
  warmupSteps: 1,
  learningRate: 1e-2,
  minPieceCount: 1,
};

beforeAll(async () => {
  await writeTinyDataset(data, 12, 1);
  await trainSft({
    dataDir: data,
    outDir: sft,
    silent: true,
    options: sftOptions,
  });
  await trainSft({ dataDir: data, outDir: plainSft, silent: true, options: { ...sftOptions, steps: 1, cot: false } });
});

async function file(dir: string, name: string): Promise<Buffer> {
  return readFile(join(dir, 'checkpoint', name));
}

interface LogLine {
  step: number;
  reward?: number;
  kl?: number | null;
  time?: { sampling: number };
  eval?: unknown;
  agreementAffordance?: number | null;
  agreementTrajectory?: number | null;
}

async function log(dir: string): Promise<LogLine[]> {
  return (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogLine);
}

describe('trainGrpo', () => {
  it('resumes exactly: 2 steps, stop, resume to 4 equals 4 steps straight', async () => {
    const straightDir = join(root, 'straight');
    const straight = await trainGrpo({ initCheckpoint: sft, dataDir: data, outDir: straightDir, options, silent: true });
    expect(straight.steps).toBe(4);
    expect(straight.completed).toBe(true);
    expect(straight.rewards).toHaveLength(4);
    for (const r of straight.rewards) expect(r).toBeGreaterThanOrEqual(0);
    expect(straight.losses.every((l) => Number.isFinite(l))).toBe(true);
    expect(straight.evaluation?.affordance.n).toBe(2);

    const splitDir = join(root, 'split');
    const first = await trainGrpo({ initCheckpoint: sft, dataDir: data, outDir: splitDir, options, silent: true, stopAfter: 2 });
    expect(first.completed).toBe(false);
    expect(first.steps).toBe(2);
    const second = await trainGrpo({ dataDir: data, outDir: splitDir, resume: true, silent: true });
    expect(second.steps).toBe(4);
    expect([...first.rewards, ...second.rewards]).toEqual(straight.rewards);
    expect([...first.losses, ...second.losses]).toEqual(straight.losses);
    expect((await file(splitDir, 'model.safetensors')).equals(await file(straightDir, 'model.safetensors'))).toBe(true);
    expect((await file(splitDir, 'optimizer.safetensors')).equals(await file(straightDir, 'optimizer.safetensors'))).toBe(true);

    // the weights moved away from the SFT checkpoint, and the metadata says how they were made
    expect((await file(straightDir, 'model.safetensors')).equals(await readFile(join(sft, 'checkpoint', 'model.safetensors')))).toBe(false);
    const ckpt = await loadCheckpoint(straightDir);
    expect(ckpt.config.info).toMatchObject({ stage: 'cot-sft+grpo', steps: 4, completed: true });

    const lines = await log(splitDir);
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4, 4]);
    const steps = lines.filter((l) => l.eval === undefined);
    expect(steps.map((l) => l.reward)).toEqual((await log(straightDir)).filter((l) => l.eval === undefined).map((l) => l.reward));
    for (const l of steps) {
      expect(l.kl).toBeGreaterThanOrEqual(0);
      expect(l.time?.sampling).toBeGreaterThan(0);
      for (const agreement of [l.agreementAffordance, l.agreementTrajectory]) {
        expect(agreement === null || (typeof agreement === 'number' && Math.abs(agreement) <= 1)).toBe(true);
      }
    }
    for (const agreement of [straight.agreement.affordance, straight.agreement.trajectory]) {
      expect(agreement === null || Math.abs(agreement) <= 1).toBe(true);
    }
  });

  it('runs without a KL term, with μ = 2, sequence-mean loss and group filtering', async () => {
    const result = await trainGrpo({
      initCheckpoint: sft,
      dataDir: data,
      outDir: join(root, 'variants'),
      options: { ...options, steps: 2, klCoef: 0, mu: 2, lossAggregation: 'seq-mean', filterZeroSpread: true, stdScaling: false, evalSamples: 0 },
      silent: true,
    });
    expect(result.steps).toBe(2);
    expect(result.phases.reference).toBe(0);
    const lines = await log(join(root, 'variants'));
    expect(lines.every((l) => l.kl === null)).toBe(true);
  });

  it('samples and trains a step larger than a micro-batch in parts', async () => {
    // 2 prompts × 3 answers in micro-batches of 4: sampled in two batches, gradients in rows [0, 4) and [4, 6)
    // (that the parts sum to the one-pass update is tested in grpo-step.test.ts)
    const outDir = join(root, 'micro-batches');
    const result = await trainGrpo({ initCheckpoint: sft, dataDir: data, outDir, options: { ...options, steps: 2, evalSamples: 0, microBatch: 4 }, silent: true });
    expect(result.steps).toBe(2);
    expect(result.losses.every((l) => Number.isFinite(l))).toBe(true);
    const lines = await log(outDir);
    expect(lines.map((l) => l.step)).toEqual([1, 2]);
    for (const l of lines) expect(l.kl).toBeGreaterThanOrEqual(0);
    expect((await file(outDir, 'model.safetensors')).equals(await readFile(join(sft, 'checkpoint', 'model.safetensors')))).toBe(false);
    const again = await trainGrpo({ initCheckpoint: sft, dataDir: data, outDir: join(root, 'micro-batches-again'), options: { ...options, steps: 2, evalSamples: 0, microBatch: 4 }, silent: true });
    expect(again.losses).toEqual(result.losses);
  });

  it('trains only the rationale when the answer is decoded greedily, and refuses a model that does not reason', async () => {
    const outDir = join(root, 'greedy-answer');
    const result = await trainGrpo({ initCheckpoint: sft, dataDir: data, outDir, options: { ...options, steps: 2, answerDecoding: 'greedy', evalSamples: 0 }, silent: true });
    expect(result.steps).toBe(2);
    expect(result.losses.every((l) => Number.isFinite(l))).toBe(true);
    expect((await file(outDir, 'model.safetensors')).equals(await readFile(join(sft, 'checkpoint', 'model.safetensors')))).toBe(false);
    await expect(
      trainGrpo({ initCheckpoint: plainSft, dataDir: data, outDir: join(root, 'plain-grpo'), options: { ...options, answerDecoding: 'greedy' }, silent: true }),
    ).rejects.toThrow(/does not reason/);
  });

  it('refuses to overwrite a run, to start without --init, and to resume on other data', async () => {
    await expect(trainGrpo({ initCheckpoint: sft, dataDir: data, outDir: join(root, 'straight'), options, silent: true })).rejects.toThrow(UserError);
    await expect(trainGrpo({ dataDir: data, outDir: join(root, 'fresh'), options, silent: true })).rejects.toThrow(/--init/);
    const other = join(root, 'other');
    await writeTinyDataset(other, 12, 2);
    await expect(trainGrpo({ dataDir: other, outDir: join(root, 'straight'), resume: true, silent: true })).rejects.toThrow(/differs from the training data/);
    await expect(trainGrpo({ initCheckpoint: join(root, 'nothing'), dataDir: data, outDir: join(root, 'x'), silent: true })).rejects.toThrow(/not a checkpoint/);
  });
});

describe('probeGrpo', () => {
  it('samples groups from a checkpoint as GRPO does and measures them, reproducibly', async () => {
    const run = { checkpoint: sft, data: join(data, 'train.json'), options: { prompts: 6, groupSize: 3, seed: 2 } };
    const probe = await probeGrpo(run);
    expect(probe.kinds.map((k) => [k.kind, k.prompts])).toEqual([
      ['affordance', 3],
      ['trajectory', 3],
    ]);
    for (const k of probe.kinds) {
      for (const r of [k.greedyReward, k.sampledReward, k.bestOfGroup]) expect(r >= 0 && r <= 1).toBe(true);
      expect(k.bestOfGroup).toBeGreaterThanOrEqual(k.sampledReward);
      expect(k.agreement === null || Math.abs(k.agreement) <= 1).toBe(true);
      if (k.metricGainPossible !== null) expect(k.metricGainPossible).toBeGreaterThanOrEqual(k.metricGainOfBestReward ?? -Infinity);
    }
    expect(probe.options).toMatchObject({ prompts: 6, groupSize: 3, temperature: 1, answerDecoding: 'sample', lambdaAngle: 0.25, lambdaLength: 0.1, seed: 2 });
    expect(await probeGrpo(run)).toEqual(probe);
    expect(formatProbe(probe)).toMatch(/^affordance +3 /m);
  });

  it('measures the gradient noise of GRPO and of the supervised objective per kind, reproducibly', async () => {
    const run = { checkpoint: sft, data: join(data, 'train.json'), options: { prompts: 6, groupSize: 3, seed: 2, gradients: true } };
    const probe = await probeGrpo(run);
    const gradients = probe.gradients;
    if (gradients === undefined) throw new Error('no gradient probe');
    for (const noise of [gradients.grpo, gradients.supervised]) {
      expect([noise.affordance?.prompts, noise.trajectory?.prompts, noise.all?.prompts]).toEqual([3, 3, 6]);
      for (const n of [noise.affordance, noise.trajectory, noise.all]) {
        expect(n?.traceCovariance).toBeGreaterThan(0);
        expect(Number.isFinite(n?.meanNormSquared)).toBe(true);
        if (n?.noiseScale !== null) expect(n?.noiseScale).toBeGreaterThanOrEqual(0);
        expect(n?.meanNormSquaredError).toBeGreaterThanOrEqual(0);
      }
    }
    // the sampled statistics are those of the probe without gradients: the gradient passes sample nothing
    const { gradients: _, ...rest } = probe;
    expect(rest).toEqual({ ...(await probeGrpo({ ...run, options: { ...run.options, gradients: false } })), options: probe.options });
    expect(await probeGrpo(run)).toEqual(probe);
    expect(formatProbe(probe)).toMatch(/^GRPO, all prompts +6 /m);
    expect(formatProbe(probe)).toMatch(/^supervised, trajectory +3 /m);
  });

  it('refuses bad options and a model that does not reason for greedy answers', async () => {
    const file = join(data, 'train.json');
    await expect(probeGrpo({ checkpoint: sft, data: file, options: { groupSize: 1 } })).rejects.toThrow(/at least 2 answers/);
    await expect(probeGrpo({ checkpoint: sft, data: file, options: { prompts: 0 } })).rejects.toThrow(/positive integer/);
    await expect(probeGrpo({ checkpoint: plainSft, data: file, options: { answerDecoding: 'greedy' } })).rejects.toThrow(/does not reason/);
  });
});
