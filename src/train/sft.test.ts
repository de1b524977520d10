import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSceneLabels, type SceneLabelsLine } from '../data/scene-labels.js';
import { UserError } from '../errors.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { Rng } from '../model/rng.js';
import { formatAnswer } from '../protocol/answer.js';
import { buildHumanTurn } from '../protocol/prompts.js';
import type { SftOptionsInput } from './sft-options.js';
import { trainSft } from './sft.js';
import { TINY_MODEL_SHAPE } from '../model/config.js';

const root = await mkdtemp(join(tmpdir(), 'vla-sft-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/** A tiny dataset: 16×16 images with one coloured square; boxes and trajectories towards it. */
async function writeTinyDataset(dir: string, n: number, seed: number, withLabels = false): Promise<void> {
  const rng = new Rng(seed);
  await mkdir(join(dir, 'images'), { recursive: true });
  const records = [];
  const labels: SceneLabelsLine[] = [];
  for (let i = 0; i < n; i++) {
    const px = Buffer.alloc(16 * 16 * 3, 200);
    const x0 = rng.int(12);
    const y0 = rng.int(12);
    for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 4; x++) px.set([200, 30, 30], (y * 16 + x) * 3);
    const file = `images/${i}.png`;
    await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(dir, file));
    const box = { x: (x0 + 2) / 16, y: (y0 + 2) / 16, width: 0.25, height: 0.25 };
    const affordance = i % 2 === 0;
    const human = buildHumanTurn(affordance ? 'pick up the red square from the table.' : 'reach the red square on the table.', affordance ? 'affordance' : 'trajectory');
    const gpt = affordance
      ? formatAnswer(`The red square is near x ${box.x.toFixed(2)}.`, { kind: 'affordance', box })
      : formatAnswer('The path goes to the red square.', { kind: 'trajectory', points: [[0.5, 0.05], [box.x, box.y]] });
    records.push({ image: file, conversations: [{ from: 'human', value: human }, { from: 'gpt', value: gpt }] });
    const instances = Array.from({ length: 16 }, (_, c) => {
      const [cx, cy] = [(c % 4) * 4 + 2, Math.floor(c / 4) * 4 + 2];
      return cx >= x0 && cx < x0 + 4 && cy >= y0 && cy < y0 + 4 ? 'A' : '.';
    }).join('');
    labels.push({ image: file, grid: 4, objects: [{ category: 'square', colour: 'red', parts: [] }], instances, parts: '.'.repeat(16) });
  }
  if (withLabels) await writeSceneLabels(join(dir, 'train.labels.jsonl'), labels);
  await writeFile(join(dir, 'train.json'), JSON.stringify(records));
  await writeFile(join(dir, 'test.json'), JSON.stringify(records.slice(0, 4)));
}

const data = join(root, 'data');
await writeTinyDataset(data, 12, 1);
const options: SftOptionsInput = {
  steps: 4,
  batchSize: 4,
  ...TINY_MODEL_SHAPE,
  coordinateBins: 16,
  evalEvery: 0,
  evalSamples: 4,
  saveEvery: 0,
  warmupSteps: 1,
  learningRate: 1e-2,
  minPieceCount: 1,
};

async function weights(dir: string): Promise<Buffer> {
  return readFile(join(dir, 'checkpoint', 'model.safetensors'));
}

describe('trainSft', () => {
  it('resumes exactly: 4 steps straight equal 2 steps, stop, then resume to 4', async () => {
    const straight = await trainSft({ dataDir: data, outDir: join(root, 'straight'), options, silent: true });
    expect(straight.steps).toBe(4);
    expect(straight.completed).toBe(true);
    expect(straight.losses).toHaveLength(4);

    const first = await trainSft({ dataDir: data, outDir: join(root, 'split'), options, silent: true, stopAfter: 2 });
    expect(first.completed).toBe(false);
    expect(first.steps).toBe(2);
    const second = await trainSft({ dataDir: data, outDir: join(root, 'split'), resume: true, silent: true });
    expect(second.steps).toBe(4);
    expect([...first.losses, ...second.losses]).toEqual(straight.losses);
    expect((await weights(join(root, 'split'))).equals(await weights(join(root, 'straight')))).toBe(true);
    const moments = async (d: string): Promise<Buffer> => readFile(join(root, d, 'checkpoint', 'optimizer.safetensors'));
    expect((await moments('split')).equals(await moments('straight'))).toBe(true);

    const log = (await readFile(join(root, 'split', 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { step: number });
    expect(log.map((l) => l.step)).toEqual([2, 4, 4]);

    const ckpt = await loadCheckpoint(join(root, 'straight'));
    expect(ckpt.config.info).toMatchObject({ stage: 'cot-sft', steps: 4, completed: true });
    expect(ckpt.config.grammar).toEqual({ maxPoints: 2, thinking: true });
    expect(straight.evaluation?.affordance.n).toBe(2);
    expect(straight.evaluation?.trajectory.n).toBe(2);
  });

  it('refuses to overwrite a checkpoint without --resume, and to resume on other data', async () => {
    await expect(trainSft({ dataDir: data, outDir: join(root, 'straight'), options, silent: true })).rejects.toThrow(UserError);
    const other = join(root, 'other');
    await writeTinyDataset(other, 12, 2);
    await expect(trainSft({ dataDir: other, outDir: join(root, 'straight'), resume: true, silent: true })).rejects.toThrow(/differs from the training data/);
    await expect(trainSft({ dataDir: join(root, 'missing'), outDir: join(root, 'x'), silent: true })).rejects.toThrow(/train\.json: missing/);
  });

  it('trains without rationales when cot is false', async () => {
    const result = await trainSft({ dataDir: data, outDir: join(root, 'nocot'), options: { ...options, cot: false, steps: 2 }, silent: true });
    const ckpt = await loadCheckpoint(result.checkpointDir);
    expect(ckpt.config.grammar.thinking).toBe(false);
    expect(ckpt.config.model.targetLength).toBe(2 + 2 * 2); // <answer>, 2 points × 2 coordinates, <eos>
    expect(ckpt.config.info).toMatchObject({ stage: 'sft' });
  });

  it('starts from a checkpoint (--init): its tokenizer, shape and weights, with a fresh optimizer', async () => {
    const baseOptions = { ...options, cot: false, steps: 2, rationaleVocabulary: true };
    await trainSft({ dataDir: data, outDir: join(root, 'base'), options: baseOptions, silent: true });
    const base = await loadCheckpoint(join(root, 'base'));
    const cot = await loadCheckpoint(join(root, 'straight'));
    // The plain base has the CoT run's vocabulary and target region, and writes no rationale.
    expect(base.config.model.vocabSize).toBe(cot.config.model.vocabSize);
    expect(base.config.model.targetLength).toBe(cot.config.model.targetLength);
    expect(base.config.grammar.thinking).toBe(false);

    // A step at a learning rate of ~0 leaves the base's weights (to float32 rounding) and keeps its tokenizer,
    // whatever shape the options ask for.
    const still = { ...options, steps: 1, warmupSteps: 0, learningRate: 1e-30, weightDecay: 0, dModel: 64 };
    const result = await trainSft({ dataDir: data, outDir: join(root, 'from-base'), options: still, initCheckpoint: join(root, 'base'), silent: true });
    const started = await loadCheckpoint(result.checkpointDir);
    expect(started.config.model).toEqual(base.config.model);
    expect(JSON.stringify(started.tokenizer.toJSON())).toBe(JSON.stringify(base.tokenizer.toJSON()));
    expect(started.config.info).toMatchObject({ stage: 'cot-sft', init: join(root, 'base', 'checkpoint') });
    expect(started.config.grammar.thinking).toBe(true);
    const a = started.params.headWeight.data;
    const b = base.params.headWeight.data;
    expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] as number))))).toBeLessThan(1e-6);
    // …and trained from there, its first loss is below a fresh model's.
    const trained = await trainSft({ dataDir: data, outDir: join(root, 'from-base-2'), options: { ...options, cot: false }, initCheckpoint: join(root, 'base'), silent: true });
    const fresh = await trainSft({ dataDir: data, outDir: join(root, 'fresh-2'), options: { ...options, cot: false }, silent: true });
    expect(trained.losses[0]).toBeLessThan(fresh.losses[0] as number);
  });

  it('trains and decodes a model whose positions restart at the answer, and a CoT run from its plain base keeps them', async () => {
    const plain = await trainSft({
      dataDir: data,
      outDir: join(root, 'answer-positions'),
      options: { ...options, cot: false, rationaleVocabulary: true, answerPositions: true, steps: 2 },
      silent: true,
    });
    const base = await loadCheckpoint(plain.checkpointDir);
    expect(base.config.model.answerPositions).toBe(true);
    expect(base.params.answerPositions?.shape).toEqual([base.config.model.targetLength, base.config.model.dModel]);
    const cot = await trainSft({ dataDir: data, outDir: join(root, 'answer-positions-cot'), options: { ...options, steps: 2 }, initCheckpoint: plain.checkpointDir, silent: true });
    expect((await loadCheckpoint(cot.checkpointDir)).config.model.answerPositions).toBe(true);
    // the final evaluation decodes every test record (generation with per-sequence answer positions)
    expect(cot.evaluation?.affordance.n).toBe(2);
    expect(cot.evaluation?.trajectory.n).toBe(2);
    expect(Number.isFinite(cot.loss)).toBe(true);
  });

  it('refuses a starting checkpoint without room for the targets, and a resume from another one', async () => {
    await expect(
      trainSft({ dataDir: data, outDir: join(root, 'cot-from-plain'), options, initCheckpoint: join(root, 'nocot'), silent: true }),
    ).rejects.toThrow(/its target region holds 6 tokens, but .*train\.json needs \d+ \(train the starting checkpoint with --rationale-vocabulary/);
    await expect(trainSft({ dataDir: data, outDir: join(root, 'x2'), options, initCheckpoint: join(root, 'missing'), silent: true })).rejects.toThrow(/not a checkpoint/);
    await expect(
      trainSft({ dataDir: data, outDir: join(root, 'from-base'), resume: true, initCheckpoint: join(root, 'straight'), silent: true }),
    ).rejects.toThrow(/the run in .* started from .*base/);
  });

  it('adds the perception term when the data has scene labels, and still resumes exactly', async () => {
    const labelled = join(root, 'labelled');
    await writeTinyDataset(labelled, 12, 1, true);
    const run = (out: string, extra: SftOptionsInput = {}, stopAfter?: number): ReturnType<typeof trainSft> =>
      trainSft({ dataDir: labelled, outDir: join(root, out), options: { ...options, ...extra }, silent: true, ...(stopAfter ? { stopAfter } : {}) });
    const straight = await run('perceive');
    const off = await run('perceive-off', { perceptionWeight: 0 });
    const plain = await trainSft({ dataDir: data, outDir: join(root, 'perceive-plain'), options, silent: true });
    // Without labels or with weight 0 the run is the unlabelled one; with them the loss has an extra term.
    expect(off.losses).toEqual(plain.losses);
    expect(straight.losses[0]).toBeGreaterThan((off.losses[0] as number) + 1);
    await run('perceive-split', {}, 2);
    const resumed = await trainSft({ dataDir: labelled, outDir: join(root, 'perceive-split'), resume: true, silent: true });
    expect(resumed.losses).toEqual(straight.losses.slice(2));
    expect((await weights(join(root, 'perceive-split'))).equals(await weights(join(root, 'perceive')))).toBe(true);
  });

  it('names the labels file when its lines do not match the records', async () => {
    const broken = join(root, 'broken-labels');
    await writeTinyDataset(broken, 12, 1, true);
    const text = await readFile(join(broken, 'train.labels.jsonl'), 'utf8');
    await writeFile(join(broken, 'train.labels.jsonl'), text.split('\n').slice(1).join('\n'));
    await expect(trainSft({ dataDir: broken, outDir: join(root, 'broken-run'), options, silent: true })).rejects.toThrow(/train\.labels\.jsonl: 11 lines for 12 records/);
  });
});
