/**
 * What `vla-r1 demo` runs: the dataset size, the model shape and the training and evaluation budgets of its
 * three runs (plain SFT, CoT-SFT, CoT-SFT + GRPO) and of the grounding base both SFT runs start from, and where
 * each stage writes inside the output folder.
 *
 * The plan is saved as `DIR/demo-plan.json`; a later `demo` into the same folder reuses finished stages only
 * when its plan is the same (otherwise it asks for `--fresh` or another `--out`).
 */
import { join } from 'node:path';
import { DEFAULT_MODEL_SHAPE } from '../model/config.js';
import type { GrpoOptionsInput } from '../train/grpo-options.js';
import type { SftOptionsInput } from '../train/sft-options.js';

/** The three runs of the demo, in the order of the paper's ablation (Table V). */
export const DEMO_RUNS = ['sft_nocot', 'sft_cot', 'grpo'] as const;
/** One run of the demo. */
export type DemoRunName = (typeof DEMO_RUNS)[number];

/** The evaluation splits: in-domain test and out-of-domain. */
export const DEMO_SPLITS = ['test', 'ood'] as const;
/** One evaluation split. */
export type DemoSplit = (typeof DEMO_SPLITS)[number];

/** Human names of the runs (tables, plots, progress). */
export const RUN_LABELS: Readonly<Record<DemoRunName, string>> = {
  sft_nocot: 'plain SFT (no CoT)',
  sft_cot: 'CoT-SFT',
  grpo: 'CoT-SFT + GRPO',
};

/** Human names of the splits. */
export const SPLIT_LABELS: Readonly<Record<DemoSplit, string>> = {
  test: 'in-domain test',
  ood: 'out-of-domain',
};

/** Everything that decides the demo's results (saved as `demo-plan.json`). */
export interface DemoPlan {
  readonly format: 'vla-r1-demo-plan/1';
  readonly quick: boolean;
  readonly seed: number;
  /** `synthesizeDataset` counts and image size. */
  readonly data: { readonly train: number; readonly test: number; readonly ood: number; readonly size: number };
  /** SFT options shared by both SFT runs (`cot` is set per run), and by the base (its steps are `baseSteps`). */
  readonly sft: SftOptionsInput;
  /**
   * Steps of the grounding base: plain SFT with room for rationales (`rationaleVocabulary`), from which both SFT
   * runs start, as the paper's two SFT runs start from one pretrained VLM. 0 = no base (both start from scratch).
   */
  readonly baseSteps: number;
  /** GRPO options (started from the CoT-SFT checkpoint). */
  readonly grpo: GrpoOptionsInput;
  /** Records per batch of the evaluations. */
  readonly evalBatchSize: number;
  /** Examples drawn in the report per split and kind. */
  readonly examplesPerKind: number;
}

/** Rough costs used for the overall ETA before any stage has been timed (seconds on 2 idle cores). */
export interface DemoCostModel {
  readonly synthPerSample: number;
  /** A CoT-SFT step (long targets: rationale + answer). */
  readonly sftStep: number;
  /** A plain SFT step (short targets: the answer alone). */
  readonly sftStepNoCot: number;
  readonly grpoStep: number;
  readonly evalPerRecord: number;
  readonly report: number;
}

/** The model shape of the full demo: the default one (docs/MODEL.md has the measurements behind it). */
const FULL_MODEL = DEFAULT_MODEL_SHAPE;

/** The model shape of `--quick`: tiny, so the whole pipeline runs in well under a minute. */
const QUICK_MODEL = { imageSize: 32, patchSize: 8, patchHidden: 16, patchContext: 2, pointerPrior: true, answerPositions: true, dModel: 32, nLayers: 1, nHeads: 2, mlpRatio: 2, coordinateBins: 32 } as const;

/**
 * The demo plan: the full one (about 12 minutes on 2 cores; the budget is 15) or the `--quick` one (well under 3 minutes).
 *
 * @example
 * demoPlan({ quick: true }).data.train; // 48
 */
export function demoPlan(options: { quick?: boolean; seed?: number } = {}): DemoPlan {
  const seed = options.seed ?? 1;
  if (options.quick === true) {
    return {
      format: 'vla-r1-demo-plan/1',
      quick: true,
      seed,
      data: { train: 48, test: 8, ood: 8, size: 64 },
      baseSteps: 3,
      sft: { ...QUICK_MODEL, seed, steps: 4, batchSize: 4, warmupSteps: 1, learningRate: 5e-3, evalEvery: 0, evalSamples: 0, saveEvery: 0, minPieceCount: 1 },
      grpo: { seed, steps: 2, promptsPerStep: 2, groupSize: 2, warmupSteps: 0, evalSamples: 0, saveEvery: 0 },
      evalBatchSize: 16,
      examplesPerKind: 1,
    };
  }
  return {
    format: 'vla-r1-demo-plan/1',
    quick: false,
    seed,
    data: { train: 4000, test: 300, ood: 300, size: 128 },
    baseSteps: 400,
    sft: { ...FULL_MODEL, seed, steps: 400, batchSize: 16, warmupSteps: 20, learningRate: 2e-3, evalEvery: 0, evalSamples: 0, saveEvery: 100 },
    grpo: { seed, steps: 40, promptsPerStep: 8, groupSize: 5, warmupSteps: 2, learningRate: 3e-5, evalSamples: 0, saveEvery: 10 },
    evalBatchSize: 64,
    examplesPerKind: 2,
  };
}

/**
 * The cost model of a plan (quick runs have a fixed start-up cost per stage that dominates). Measured as CPU
 * seconds on 2 idle cores with the engine's 2 threads (model of d 64, 2 layers, with the pointer head).
 */
export function demoCosts(plan: DemoPlan): DemoCostModel {
  return plan.quick
    ? { synthPerSample: 0.05, sftStep: 0.5, sftStepNoCot: 0.3, grpoStep: 2, evalPerRecord: 0.2, report: 3 }
    : { synthPerSample: 0.004, sftStep: 0.5, sftStepNoCot: 0.33, grpoStep: 4, evalPerRecord: 0.04, report: 1 };
}

/** Where everything goes inside the output folder. */
export interface DemoPaths {
  readonly out: string;
  readonly plan: string;
  /** The synthetic dataset (`synthesizeDataset` output). */
  readonly data: string;
  /** The grounding base's run folder (`checkpoint/`, `metrics.jsonl`). */
  readonly base: string;
  /** `metrics.json` of the demo: `{runs: {RUN: {SPLIT: metrics}}}`. */
  readonly metrics: string;
  readonly reportMarkdown: string;
  readonly reportHtml: string;
  /** Plots and example pictures of the report. */
  readonly assets: string;
  /** Timings of the stages (`demo-stages.json`). */
  readonly stages: string;
  /** A run's folder (`checkpoint/`, `metrics.jsonl`, `eval/`). */
  run(name: DemoRunName): string;
  /** The evaluation folder of a run on a split (`runEvaluation` output). */
  evaluation(name: DemoRunName, split: DemoSplit): string;
}

/**
 * The layout of a demo folder.
 *
 * @example
 * demoPaths('runs/demo').evaluation('grpo', 'ood'); // 'runs/demo/grpo/eval/ood'
 */
export function demoPaths(out: string): DemoPaths {
  return {
    out,
    plan: join(out, 'demo-plan.json'),
    data: join(out, 'data'),
    base: join(out, 'base'),
    metrics: join(out, 'metrics.json'),
    reportMarkdown: join(out, 'report.md'),
    reportHtml: join(out, 'report.html'),
    assets: join(out, 'report-assets'),
    stages: join(out, 'demo-stages.json'),
    run: (name) => join(out, name),
    evaluation: (name, split) => join(out, name, 'eval', split),
  };
}

/** The names directly inside the output folder that the demo writes (what `--fresh` removes). */
export const DEMO_OUTPUTS: readonly string[] = [
  'demo-plan.json',
  'demo-stages.json',
  'data',
  'base',
  ...DEMO_RUNS,
  'metrics.json',
  'report.md',
  'report.html',
  'report-assets',
];
