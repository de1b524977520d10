/**
 * The stages of `vla-r1 demo`: synthesise the dataset, train each run, evaluate each run on each split.
 *
 * A stage knows whether its output already exists and is complete (the dataset's `manifest.json` with the
 * planned counts; a checkpoint whose `config.json` says `completed`; an evaluation whose `metrics.json` counts
 * every record), so a rerun reuses it. A stage that was interrupted continues where it stopped: training resumes
 * from its last checkpoint, an evaluation from its `predictions.jsonl`. An output older than one of its inputs
 * (a checkpoint older than the dataset, predictions older than the checkpoint) is made again from scratch.
 */
import { access, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readRecords } from '../data/records.js';
import { synthesizeDataset } from '../data/synth.js';
import { createLocalPolicy } from '../policy/local.js';
import { createProgress } from '../progress.js';
import { trainGrpo } from '../train/grpo.js';
import { trainSft } from '../train/sft.js';
import { evalMetricsSchema, type EvalMetrics } from './metrics.js';
import { demoCosts, RUN_LABELS, SPLIT_LABELS, type DemoPaths, type DemoPlan, type DemoRunName, type DemoSplit } from './demo-plan.js';
import { runEvaluation, toEvalRecord } from './runner.js';

/** What a stage needs. */
export interface StageContext {
  readonly plan: DemoPlan;
  readonly paths: DemoPaths;
  readonly signal?: AbortSignal;
  /** No progress output from the libraries. */
  readonly silent: boolean;
  /** Informational lines (stderr). */
  readonly log: (line: string) => void;
}

/** How a stage ended. */
export type StageOutcome = 'done' | 'stopped';

/** One stage of the demo. */
export interface DemoStage {
  /** Stable id, e.g. `synth`, `train:sft_cot`, `eval:grpo:ood`. */
  readonly id: string;
  /** What it does, for the progress lines. */
  readonly title: string;
  /** Stages of one kind run at one speed (the overall ETA scales each kind by its measured speed). */
  readonly kind: 'synth' | 'sft' | 'grpo' | 'eval';
  /** Expected seconds (for the overall ETA). */
  readonly estimate: number;
  /** When the stage's output exists and is complete: a short description of it; else undefined. */
  complete(): Promise<string | undefined>;
  run(): Promise<StageOutcome>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

async function modifiedAt(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * The first of `inputs` modified after `output` (so `output` was made from an older version of it), if any.
 * A missing output or input is not stale.
 *
 * @example
 * await staleAgainst('runs/demo/grpo/eval/test/predictions.jsonl', ['runs/demo/grpo/checkpoint/config.json']);
 */
export async function staleAgainst(output: string, inputs: readonly string[]): Promise<string | undefined> {
  const made = await modifiedAt(output);
  if (made === undefined) return undefined;
  for (const input of inputs) {
    const changed = await modifiedAt(input);
    if (changed !== undefined && changed > made) return input;
  }
  return undefined;
}

const manifestSchema = z.looseObject({
  seed: z.number(),
  size: z.number(),
  counts: z.object({ train: z.number(), test: z.number(), ood: z.number() }),
});

const checkpointInfoSchema = z.looseObject({
  info: z.looseObject({ completed: z.boolean().optional(), steps: z.number().optional() }),
});

/**
 * The steps of a finished checkpoint in a run folder (its `config.json` says `completed: true`), else undefined.
 *
 * @example
 * await completedSteps('runs/demo/sft_cot'); // 150
 */
export async function completedSteps(runDir: string): Promise<number | undefined> {
  const parsed = checkpointInfoSchema.safeParse(await readJson(join(runDir, 'checkpoint', 'config.json')));
  return parsed.success && parsed.data.info.completed === true ? (parsed.data.info.steps ?? 0) : undefined;
}

/**
 * The metrics of a finished evaluation: `metrics.json` in `dir` when it counts `records` records, else undefined.
 *
 * @example
 * await finishedEvaluation('runs/demo/grpo/eval/test', 100);
 */
export async function finishedEvaluation(dir: string, records: number): Promise<EvalMetrics | undefined> {
  const parsed = evalMetricsSchema.safeParse(await readJson(join(dir, 'metrics.json')));
  if (!parsed.success) return undefined;
  return parsed.data.affordance.n + parsed.data.trajectory.n === records ? parsed.data : undefined;
}

function synthStage(ctx: StageContext): DemoStage {
  const { plan, paths } = ctx;
  const total = plan.data.train + plan.data.test + plan.data.ood;
  return {
    id: 'synth',
    kind: 'synth',
    title: `synthesise the tabletop dataset (${plan.data.train} train, ${plan.data.test} test, ${plan.data.ood} out-of-domain, ${plan.data.size} px)`,
    estimate: total * demoCosts(plan).synthPerSample,
    async complete() {
      const parsed = manifestSchema.safeParse(await readJson(join(paths.data, 'manifest.json')));
      if (!parsed.success) return undefined;
      const m = parsed.data;
      const same = m.seed === plan.seed && m.size === plan.data.size && m.counts.train === plan.data.train && m.counts.test === plan.data.test && m.counts.ood === plan.data.ood;
      return same ? `${join(paths.data, 'manifest.json')}` : undefined;
    },
    async run() {
      await synthesizeDataset({ out: paths.data, seed: plan.seed, ...plan.data, progress: !ctx.silent });
      return 'done';
    },
  };
}

/** A training stage: reused when its checkpoint is complete and newer than its inputs, resumed when interrupted. */
function trainingStage(
  ctx: StageContext,
  stage: Pick<DemoStage, 'id' | 'kind' | 'title' | 'estimate'>,
  outDir: string,
  inputs: readonly string[],
  train: (common: { dataDir: string; outDir: string; resume: boolean; silent: boolean; signal?: AbortSignal }) => Promise<{ completed: boolean }>,
): DemoStage {
  const marker = join(outDir, 'checkpoint', 'config.json');
  return {
    ...stage,
    async complete() {
      const done = await completedSteps(outDir);
      if (done === undefined || (await staleAgainst(marker, inputs)) !== undefined) return undefined;
      return `${join(outDir, 'checkpoint')} (${done} steps, completed)`;
    },
    async run() {
      const stale = await staleAgainst(marker, inputs);
      if (stale !== undefined) {
        ctx.log(`demo: ${join(outDir, 'checkpoint')} is older than ${stale}; training it again`);
        await rm(join(outDir, 'checkpoint'), { recursive: true, force: true });
      }
      const resume = await exists(join(outDir, 'checkpoint', 'trainer-state.json'));
      if (resume) ctx.log(`demo: continuing the interrupted run in ${outDir}`);
      const result = await train({ dataDir: ctx.paths.data, outDir, resume, silent: ctx.silent, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      return result.completed ? 'done' : 'stopped';
    },
  };
}

function trainStage(ctx: StageContext, name: DemoRunName): DemoStage {
  const { plan, paths } = ctx;
  const costs = demoCosts(plan);
  const steps = name === 'grpo' ? (plan.grpo.steps ?? 40) : (plan.sft.steps ?? 400);
  const base = plan.baseSteps > 0 && name !== 'grpo' ? paths.base : undefined;
  const what =
    name === 'grpo'
      ? `GRPO from the CoT-SFT checkpoint (${steps} steps × ${plan.grpo.promptsPerStep ?? 8} prompts × ${plan.grpo.groupSize ?? 5} answers)`
      : `${name === 'sft_cot' ? 'CoT-SFT on rationale + answer' : 'plain SFT on the answer alone (--no-cot)'} (${steps} steps × ${plan.sft.batchSize ?? 16} examples${base === undefined ? '' : ', from the grounding base'})`;
  const start = name === 'grpo' ? paths.run('sft_cot') : base;
  const inputs = [join(paths.data, 'manifest.json'), ...(start === undefined ? [] : [join(start, 'checkpoint', 'config.json')])];
  const stage = {
    id: `train:${name}`,
    kind: name === 'grpo' ? ('grpo' as const) : ('sft' as const),
    title: `train ${RUN_LABELS[name]}: ${what}`,
    estimate: steps * (name === 'grpo' ? costs.grpoStep : name === 'sft_cot' ? costs.sftStep : costs.sftStepNoCot),
  };
  return trainingStage(ctx, stage, paths.run(name), inputs, (common) =>
    name === 'grpo'
      ? trainGrpo({ ...common, initCheckpoint: paths.run('sft_cot'), options: plan.grpo })
      : trainSft({ ...common, options: { ...plan.sft, cot: name === 'sft_cot' }, ...(base === undefined ? {} : { initCheckpoint: base }) }),
  );
}

/**
 * The grounding base both SFT runs start from: plain SFT on the answers, with the vocabulary and target region
 * of CoT-SFT (`rationaleVocabulary`), so that either run can continue it.
 */
function baseStage(ctx: StageContext): DemoStage {
  const { plan, paths } = ctx;
  const stage = {
    id: 'train:base',
    kind: 'sft' as const,
    title: `train the grounding base both SFT runs start from: plain SFT on the answer alone (${plan.baseSteps} steps × ${plan.sft.batchSize ?? 16} examples)`,
    estimate: plan.baseSteps * demoCosts(plan).sftStepNoCot,
  };
  return trainingStage(ctx, stage, paths.base, [join(paths.data, 'manifest.json')], (common) =>
    trainSft({ ...common, options: { ...plan.sft, steps: plan.baseSteps, cot: false, rationaleVocabulary: true } }),
  );
}

function evalStage(ctx: StageContext, name: DemoRunName, split: DemoSplit): DemoStage {
  const { plan, paths } = ctx;
  const outDir = paths.evaluation(name, split);
  const records = plan.data[split];
  const marker = join(outDir, 'predictions.jsonl');
  const inputs = [join(paths.run(name), 'checkpoint', 'config.json'), join(paths.data, `${split}.json`)];
  return {
    id: `eval:${name}:${split}`,
    kind: 'eval',
    title: `evaluate ${RUN_LABELS[name]} on the ${SPLIT_LABELS[split]} split (${records} records, greedy)`,
    estimate: records * demoCosts(plan).evalPerRecord,
    async complete() {
      if ((await finishedEvaluation(outDir, records)) === undefined || (await staleAgainst(marker, inputs)) !== undefined) return undefined;
      return join(outDir, 'metrics.json');
    },
    async run() {
      const stale = await staleAgainst(marker, inputs);
      if (stale !== undefined) {
        ctx.log(`demo: the predictions in ${outDir} are older than ${stale}; evaluating again`);
        await rm(outDir, { recursive: true, force: true });
      }
      const loaded = await readRecords(join(paths.data, `${split}.json`));
      const policy = await createLocalPolicy(paths.run(name), { batchSize: plan.evalBatchSize });
      const progress = createProgress({ label: `eval ${name} ${split}`, total: loaded.length, unit: 'records', silent: ctx.silent });
      let seen = 0;
      try {
        await runEvaluation({
          policy,
          records: loaded.map(toEvalRecord),
          outDir,
          concurrency: 1,
          batchSize: plan.evalBatchSize,
          retries: 0,
          generate: { temperature: 0 },
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          onProgress: (p) => {
            progress.tick(p.done - seen);
            seen = p.done;
          },
          report: { title: `${RUN_LABELS[name]} on the ${SPLIT_LABELS[split]} split`, dataLabel: `${join(paths.data, `${split}.json`)} (${loaded.length} records)` },
        });
      } catch (error: unknown) {
        if (ctx.signal?.aborted === true) return 'stopped';
        throw error;
      } finally {
        progress.done();
        await policy.close();
      }
      return 'done';
    },
  };
}

/**
 * The stages in the order they run: the dataset, the grounding base, then each run's training followed by its two evaluations
 * (so results accumulate early and an interrupted demo keeps them).
 *
 * @example
 * const stages = demoStages(ctx);
 * stages.map((s) => s.id); // ['synth', 'train:base', 'train:sft_nocot', 'eval:sft_nocot:test', …, 'eval:grpo:ood']
 */
export function demoStages(ctx: StageContext): DemoStage[] {
  const stages: DemoStage[] = [synthStage(ctx)];
  if (ctx.plan.baseSteps > 0) stages.push(baseStage(ctx));
  for (const name of ['sft_nocot', 'sft_cot', 'grpo'] as const) {
    stages.push(trainStage(ctx, name), evalStage(ctx, name, 'test'), evalStage(ctx, name, 'ood'));
  }
  return stages;
}
