/**
 * Writing the demo report (`report.md`, `report.html`, and the pictures under `report-assets/`) from a finished
 * demo folder: the metrics of the six evaluations, the training logs, the predictions and the dataset.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../data/atomic-write.js';
import { readRecords, type LoadedRecord } from '../data/records.js';
import { ModelConfigSchema, sequenceLength } from '../model/config.js';
import { countParams } from '../model/params.js';
import { DEMO_RUNS, DEMO_SPLITS, RUN_LABELS, type DemoPaths, type DemoPlan, type DemoRunName, type DemoSplit } from './demo-plan.js';
import { readDemoCurves, type CurvePoint } from './demo-report-curves.js';
import { buildDemoExamples, readPredictions } from './demo-report-examples.js';
import { renderDemoHtml } from './demo-report-html.js';
import { renderDemoMarkdown } from './demo-report-markdown.js';
import type { DemoReportModel, ReportPlot, StageTiming } from './demo-report-model.js';
import { lineChartPng, type PlotSeries } from './demo-report-plots.js';
import type { DemoMetrics, DemoSamples } from './demo-report-table.js';
import { scoredText, type PredictionLine } from './eval-record.js';
import { sampleMetrics, type SampleMetrics } from './metrics.js';

/** Colours of the runs in charts. */
export const RUN_COLOURS: Readonly<Record<DemoRunName, string>> = { sft_nocot: '#7f7f7f', sft_cot: '#1f77b4', grpo: '#d62728' };
/** Colour of the grounding base's loss curve. */
const BASE_COLOUR = '#2ca02c';

/** Inputs of {@link writeDemoReport}. */
export interface DemoReportInput {
  readonly plan: DemoPlan;
  readonly paths: DemoPaths;
  readonly metrics: DemoMetrics;
  readonly stages: readonly StageTiming[];
  /** Timestamp to print (default now). */
  readonly createdAt?: string;
}

function toPoints(curve: readonly CurvePoint[]): [number, number][] {
  return curve.map(([x, y]) => [x, y ?? Number.NaN]);
}

const configSchema = z.looseObject({ model: z.looseObject({ vocabSize: z.number() }) });

async function modelFacts(paths: DemoPaths): Promise<DemoReportModel['model']> {
  try {
    const raw = JSON.parse(await readFile(join(paths.run('sft_cot'), 'checkpoint', 'config.json'), 'utf8')) as unknown;
    const parsed = configSchema.parse(raw);
    const config = ModelConfigSchema.parse(parsed.model);
    return { parameters: countParams(config), vocabulary: config.vocabSize, sequence: sequenceLength(config) };
  } catch {
    return undefined;
  }
}

async function drawPlots(plan: DemoPlan, paths: DemoPaths): Promise<ReportPlot[]> {
  const curves = await readDemoCurves(
    {
      base: join(paths.base, 'metrics.jsonl'),
      sft_nocot: join(paths.run('sft_nocot'), 'metrics.jsonl'),
      sft_cot: join(paths.run('sft_cot'), 'metrics.jsonl'),
      grpo: join(paths.run('grpo'), 'metrics.jsonl'),
    },
    plan.baseSteps,
  );
  const charts: { name: string; caption: string; title: string; yLabel: string; series: PlotSeries[]; emptyNote?: string }[] = [
    {
      name: 'sft-loss',
      title: 'SFT training loss',
      yLabel: 'cross-entropy (mean over logged steps)',
      caption:
        'Token cross-entropy of the grounding base and of the two SFT runs that continue it, over their steps from scratch (plain SFT and the base learn the answer alone, so their loss is over fewer, harder tokens).',
      series: [
        ...(curves.sftLoss.base.length > 0 ? [{ name: 'grounding base', colour: BASE_COLOUR, points: toPoints(curves.sftLoss.base) }] : []),
        { name: RUN_LABELS.sft_nocot, colour: RUN_COLOURS.sft_nocot, points: toPoints(curves.sftLoss.sft_nocot) },
        { name: RUN_LABELS.sft_cot, colour: RUN_COLOURS.sft_cot, points: toPoints(curves.sftLoss.sft_cot) },
      ],
    },
    {
      name: 'grpo-reward',
      title: 'GRPO reward',
      yLabel: 'mean over the sampled answers',
      caption: 'Mean VLA-R1 reward of the sampled answers per GRPO step (score = 0.9 task + 0.1 format), and its format and task parts.',
      series: [
        { name: 'reward', colour: RUN_COLOURS.grpo, points: toPoints(curves.grpo.reward) },
        { name: 'task', colour: '#ff7f0e', points: toPoints(curves.grpo.task), dashed: true },
        { name: 'format', colour: '#2ca02c', points: toPoints(curves.grpo.format), dashed: true },
      ],
    },
    {
      name: 'grpo-kl',
      title: 'GRPO KL to the reference (CoT-SFT)',
      yLabel: 'KL (k3 estimator, per token)',
      caption: 'KL divergence of the policy from the frozen CoT-SFT reference per GRPO step (the loss adds it with a small coefficient).',
      series: [{ name: 'KL', colour: '#9467bd', points: toPoints(curves.grpo.kl) }],
      emptyNote: 'no KL logged (KL coefficient 0)',
    },
    {
      name: 'grpo-agreement',
      title: 'GRPO: does the reward rank answers as the evaluation does?',
      yLabel: 'within-group correlation',
      caption:
        'Per GRPO step, the correlation of the reward with the evaluation metric among the answers sampled for one prompt (IoU for boxes, −Avg for trajectories), averaged over the prompts: GRPO moves the policy toward the answers its reward ranks higher, so this says how far that is toward a better evaluation (a gap: no group of that kind varied in that step).',
      series: [
        { name: 'boxes (IoU)', colour: RUN_COLOURS.grpo, points: toPoints(curves.grpo.agreementAffordance) },
        { name: 'trajectories (−Avg)', colour: '#ff7f0e', points: toPoints(curves.grpo.agreementTrajectory) },
      ],
      emptyNote: 'no agreement logged (a log from before it was recorded)',
    },
  ];
  await mkdir(paths.assets, { recursive: true });
  const plots: ReportPlot[] = [];
  for (const chart of charts) {
    const png = await lineChartPng({ title: chart.title, xLabel: 'step', yLabel: chart.yLabel, series: chart.series, ...(chart.emptyNote ? { emptyNote: chart.emptyNote } : {}) });
    const file = join(paths.assets, `${chart.name}.png`);
    await writeFile(file, png);
    plots.push({ file: relative(paths.out, file).split(sep).join('/'), png, caption: chart.caption });
  }
  return plots;
}

/**
 * Each evaluation's per-record metrics, recomputed from its predictions as its `metrics.json` is (a prediction
 * whose record is not in the dataset is left out).
 */
function demoSamples(
  records: Readonly<Record<DemoSplit, readonly LoadedRecord[]>>,
  predictions: Readonly<Record<DemoRunName, Readonly<Record<DemoSplit, ReadonlyMap<number, PredictionLine>>>>>,
): DemoSamples {
  const perSplit = (run: DemoRunName, split: DemoSplit): Map<number, SampleMetrics> => {
    const samples = new Map<number, SampleMetrics>();
    for (const [index, line] of predictions[run][split]) {
      const record = records[split][index];
      if (record !== undefined) samples.set(index, sampleMetrics(scoredText(line), record.action));
    }
    return samples;
  };
  const samples = {} as Record<DemoRunName, Record<DemoSplit, ReadonlyMap<number, SampleMetrics>>>;
  for (const run of DEMO_RUNS) samples[run] = { test: perSplit(run, 'test'), ood: perSplit(run, 'ood') };
  return samples;
}

/**
 * Build the report of a finished demo and write `report.md` and `report.html`; also returns the per-record
 * metrics the report's intervals come from.
 *
 * @example
 * const { markdown, html } = await writeDemoReport({ plan, paths: demoPaths('runs/demo'), metrics, stages });
 */
export async function writeDemoReport(input: DemoReportInput): Promise<{ markdown: string; html: string; samples: DemoSamples }> {
  const { paths, plan } = input;
  const records = {
    test: await readRecords(join(paths.data, 'test.json')),
    ood: await readRecords(join(paths.data, 'ood.json')),
  };
  const predictions = {} as Record<DemoRunName, Record<DemoSplit, Map<number, PredictionLine>>>;
  for (const run of DEMO_RUNS) {
    predictions[run] = {
      test: await readPredictions(join(paths.evaluation(run, 'test'), 'predictions.jsonl')),
      ood: await readPredictions(join(paths.evaluation(run, 'ood'), 'predictions.jsonl')),
    };
  }
  const samples = demoSamples(records, predictions);
  const plots = await drawPlots(plan, paths);
  const examples = await buildDemoExamples({ outDir: paths.out, assetsDir: paths.assets, records, predictions, perKind: plan.examplesPerKind });
  const model = await modelFacts(paths);
  const evaluationReports = DEMO_RUNS.flatMap((run) =>
    DEMO_SPLITS.map((split) => ({ run, split, file: relative(paths.out, join(paths.evaluation(run, split), 'report.html')).split(sep).join('/') })),
  );
  const report: DemoReportModel = {
    title: plan.quick ? 'VLA-R1 demo (--quick smoke test)' : 'VLA-R1 demo: plain SFT, CoT-SFT and CoT-SFT + GRPO on the tabletop dataset',
    createdAt: input.createdAt ?? new Date().toISOString(),
    plan,
    metrics: input.metrics,
    samples,
    ...(model ? { model } : {}),
    stages: input.stages,
    plots,
    examples,
    evaluationReports,
  };
  await writeFileAtomic(paths.reportMarkdown, renderDemoMarkdown(report));
  await writeFileAtomic(paths.reportHtml, renderDemoHtml(report));
  return { markdown: paths.reportMarkdown, html: paths.reportHtml, samples };
}
