/**
 * `vla-r1 demo` as a library function: synthesise the tabletop dataset, train plain SFT, CoT-SFT and CoT-SFT +
 * GRPO, evaluate each on the in-domain test and the out-of-domain split, score the image-blind mean predictor of
 * the training split on both, and write `metrics.json`, `report.md` and `report.html`. Finished stages are
 * reused (see `demo-stages.ts`); `fresh` starts over.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../data/atomic-write.js';
import { readRecords } from '../data/records.js';
import { UserError } from '../errors.js';
import type { Action } from '../protocol/types.js';
import { meanPredictorMetrics } from './baselines.js';
import { DEMO_OUTPUTS, DEMO_RUNS, DEMO_SPLITS, demoCosts, demoPaths, demoPlan, type DemoPaths, type DemoPlan, type DemoSplit } from './demo-plan.js';
import { writeDemoReport } from './demo-report.js';
import { formatSeconds, type StageTiming } from './demo-report-model.js';
import { demoMetricsSchema, renderHeadlineText, type DemoMetrics } from './demo-report-table.js';
import { demoStages, finishedEvaluation, type DemoStage } from './demo-stages.js';
import type { EvalMetrics } from './metrics.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  readonly out: string;
  /** The tiny plan (well under 3 minutes). */
  readonly quick?: boolean;
  /** Remove the demo's earlier outputs in `out` and redo every stage. */
  readonly fresh?: boolean;
  readonly seed?: number;
  /** Stops after the current step of the current stage; a rerun continues. */
  readonly signal?: AbortSignal;
  /** No progress output from the stages (the demo's own lines still go to `log`). */
  readonly silent?: boolean;
  /** Where the demo's progress lines go (default stderr). */
  readonly log?: (line: string) => void;
}

/** What {@link runDemo} did. */
export interface DemoResult {
  /** False when stopped by the signal before the end. */
  readonly completed: boolean;
  readonly paths: DemoPaths;
  readonly plan: DemoPlan;
  readonly stages: readonly StageTiming[];
  /** Set when completed. */
  readonly metrics?: DemoMetrics;
  /** The headline table as text (when completed). */
  readonly headline?: string;
}

/** Weight (in estimated seconds) of the plan's own estimate when scaling the ETA of kinds not yet run. */
const PRIOR_SECONDS = 120;

const stageFileSchema = z.object({ seconds: z.record(z.string(), z.number()) });

async function readJsonFile(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${file}: not valid JSON (${(error as Error).message}); pass --fresh to start the demo over`);
  }
}

/** Refuse to mix two plans in one folder; write the plan otherwise. */
async function claimFolder(paths: DemoPaths, plan: DemoPlan): Promise<void> {
  const previous = await readJsonFile(paths.plan);
  if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(plan)) {
    const what = (previous as { quick?: unknown }).quick === true ? 'the --quick plan' : 'other settings';
    throw new UserError(`${paths.plan}: ${paths.out} holds a demo made with ${what}; pass --fresh to redo it there, or choose another --out`);
  }
  await mkdir(paths.out, { recursive: true });
  if (previous === undefined) await writeFileAtomic(paths.plan, `${JSON.stringify(plan, null, 2)}\n`);
}

/**
 * The image-blind mean predictor of the demo's training split (`data/train.json`), scored on the test and
 * out-of-domain splits. Cheap (no model), so computed afresh every time `metrics.json` is written.
 */
async function baselineMetrics(paths: DemoPaths): Promise<Record<DemoSplit, EvalMetrics>> {
  const actions = async (split: string): Promise<Action[]> => (await readRecords(join(paths.data, `${split}.json`))).map((r) => r.action);
  const train = await actions('train');
  return { test: meanPredictorMetrics(train, await actions('test')), ood: meanPredictorMetrics(train, await actions('ood')) };
}

async function collectMetrics(paths: DemoPaths, plan: DemoPlan): Promise<DemoMetrics> {
  const runs: Record<string, Record<string, unknown>> = {};
  for (const run of DEMO_RUNS) {
    runs[run] = {};
    for (const split of DEMO_SPLITS) {
      const metrics = await finishedEvaluation(paths.evaluation(run, split), plan.data[split]);
      if (metrics === undefined) throw new Error(`demo: ${join(paths.evaluation(run, split), 'metrics.json')} is missing or incomplete after its stage`);
      runs[run][split] = metrics;
    }
  }
  return demoMetricsSchema.parse({ runs, baseline: await baselineMetrics(paths) });
}

/**
 * Run the demo (or continue it) into `options.out`.
 *
 * @example
 * const result = await runDemo({ out: 'runs/demo', quick: true });
 * console.log(result.headline);
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const plan = demoPlan({ quick: options.quick === true, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  const paths = demoPaths(options.out);
  if (options.fresh === true) {
    for (const name of DEMO_OUTPUTS) await rm(join(paths.out, name), { recursive: true, force: true });
  }
  await claimFolder(paths, plan);
  const savedSeconds = stageFileSchema.safeParse(await readJsonFile(paths.stages));
  const seconds: Record<string, number> = savedSeconds.success ? { ...savedSeconds.data.seconds } : {};
  const saveSeconds = (): Promise<void> => writeFileAtomic(paths.stages, `${JSON.stringify({ seconds }, null, 2)}\n`);

  const stages: DemoStage[] = demoStages({ plan, paths, silent: options.silent === true, log, ...(options.signal ? { signal: options.signal } : {}) });
  const total = stages.length + 1;
  const reportEstimate = demoCosts(plan).report;
  const pending = await Promise.all(stages.map(async (s) => (await s.complete()) === undefined));
  const started = performance.now();
  const ran = new Map<string, { estimate: number; seconds: number }>();
  const eta = (from: number): string => {
    const all = [...ran.values()].reduce((a, b) => ({ estimate: a.estimate + b.estimate, seconds: a.seconds + b.seconds }), { estimate: 0, seconds: 0 });
    // Until a kind of stage has run, assume it is as much slower (or faster) than planned as the others were, damped.
    const fallback = (all.seconds + PRIOR_SECONDS) / (all.estimate + PRIOR_SECONDS);
    const scale = (kind: string): number => {
      const measured = ran.get(kind);
      return Math.min(8, Math.max(0.125, measured ? measured.seconds / measured.estimate : fallback));
    };
    const remaining = stages.slice(from).reduce((sum, s, k) => sum + (pending[from + k] === true ? s.estimate * scale(s.kind) : 0), reportEstimate * fallback);
    return formatSeconds(remaining);
  };
  const timings: StageTiming[] = [];
  log(`demo: ${total} stages into ${paths.out}${plan.quick ? ' (--quick)' : ''}; finished stages are reused (--fresh redoes them)`);

  for (const [i, stage] of stages.entries()) {
    const head = `demo: stage ${i + 1}/${total}`;
    const reused = await stage.complete();
    if (reused !== undefined) {
      log(`${head} ${stage.title}: done already, reusing ${reused}`);
      timings.push({ id: stage.id, title: stage.title, status: 'reused', seconds: seconds[stage.id] ?? null });
      continue;
    }
    log(`${head} ${stage.title} | elapsed ${formatSeconds((performance.now() - started) / 1000)}, eta ${eta(i)}`);
    const t0 = performance.now();
    const outcome = await stage.run();
    const took = (performance.now() - t0) / 1000;
    if (outcome === 'stopped') {
      log(`demo: stopped during stage ${i + 1}/${total} (${stage.id}); what was written is kept: rerun the same command to continue`);
      timings.push({ id: stage.id, title: stage.title, status: 'ran', seconds: null });
      return { completed: false, paths, plan, stages: timings };
    }
    seconds[stage.id] = took;
    const sofar = ran.get(stage.kind) ?? { estimate: 0, seconds: 0 };
    ran.set(stage.kind, { estimate: sofar.estimate + stage.estimate, seconds: sofar.seconds + took });
    pending[i] = false;
    await saveSeconds();
    timings.push({ id: stage.id, title: stage.title, status: 'ran', seconds: took });
    log(`${head} done in ${formatSeconds(took)}`);
  }

  log(`demo: stage ${total}/${total} write metrics.json and the report | elapsed ${formatSeconds((performance.now() - started) / 1000)}, eta ${eta(stages.length)}`);
  const t0 = performance.now();
  const metrics = await collectMetrics(paths, plan);
  await writeFileAtomic(paths.metrics, `${JSON.stringify(metrics, null, 2)}\n`);
  const reportTiming: StageTiming = { id: 'report', title: 'write metrics.json, report.md and report.html', status: 'ran', seconds: null };
  const { samples } = await writeDemoReport({ plan, paths, metrics, stages: [...timings, reportTiming] });
  const took = (performance.now() - t0) / 1000;
  seconds.report = took;
  await saveSeconds();
  timings.push({ ...reportTiming, seconds: took });
  log(`demo: finished in ${formatSeconds((performance.now() - started) / 1000)}`);
  return { completed: true, paths, plan, stages: timings, metrics, headline: renderHeadlineText(metrics, samples) };
}
