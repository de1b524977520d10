/**
 * The demo's headline: the image-blind mean predictor, then our three runs beside the paper's rows in the layout
 * of its Tables III and V (IoU, then DFD, HD, RMSE and Avg, in-domain and out-of-domain); the relative gains of
 * GRPO over CoT-SFT and of CoT-SFT over plain SFT beside the paper's (+29 % IoU and −26 % Avg for GRPO over
 * CoT-SFT); and each run's margin over the mean predictor (IoU points above the mean box, Avg as a ratio to the
 * mean trajectory's), the units the model's targets are stated in.
 */
import { z } from 'zod';
import { referenceNumbers, type ReferenceRow } from './metrics-reference.js';
import { evalMetricsSchema, type EvalMetrics, type SampleMetrics } from './metrics.js';
import { pairedRelativeChangeInterval, type Interval } from './paired-bootstrap.js';
import { DEMO_RUNS, DEMO_SPLITS, RUN_LABELS, type DemoRunName, type DemoSplit } from './demo-plan.js';
import { formatMetric } from './report-model.js';

const splitMetricsSchema = z.object({ test: evalMetricsSchema, ood: evalMetricsSchema });

/**
 * Schema of the demo's `metrics.json`: `{runs: {RUN: {test, ood}}, baseline: {test, ood}}`, each one
 * evaluation's metrics; `baseline` is the mean predictor of the training split (`meanPredictorMetrics`).
 */
export const demoMetricsSchema = z.object({
  runs: z.object({
    sft_nocot: splitMetricsSchema,
    sft_cot: splitMetricsSchema,
    grpo: splitMetricsSchema,
  }),
  baseline: splitMetricsSchema,
});

/** The demo's `metrics.json`. */
export type DemoMetrics = z.infer<typeof demoMetricsSchema>;

/** The five numbers of one test set: IoU ×100, then DFD, HD, RMSE, Avg on the 1000 scale. */
export interface HeadlineCells {
  readonly iou: number | null;
  readonly dfd: number | null;
  readonly hd: number | null;
  readonly rmse: number | null;
  readonly avg: number | null;
}

/** What a headline row is: the mean predictor, one of our runs, or the paper's number beside it. */
export type HeadlineRowKind = 'baseline' | 'ours' | 'paper';

/** A row of the headline table. */
export interface HeadlineRow {
  readonly label: string;
  /** `ours`, `ours, baseline`, or where the paper prints it (e.g. `paper, Table V`). */
  readonly source: string;
  readonly kind: HeadlineRowKind;
  readonly test: HeadlineCells | null;
  readonly ood: HeadlineCells | null;
}

function cellsOf(m: EvalMetrics): HeadlineCells {
  const t = m.trajectory;
  return { iou: m.affordance.iou, dfd: t.dfd, hd: t.hd, rmse: t.rmse, avg: t.avg };
}

function paperCells(row: ReferenceRow): HeadlineCells {
  return { iou: row.iou, dfd: row.dfd, hd: row.hd, rmse: row.rmse, avg: row.avg };
}

/** The paper row beside each of our runs (in-domain only for the ablations: the paper has no OOD numbers there). */
const PAPER_ROWS: Readonly<Record<DemoRunName, { label: string; source: string; test: ReferenceRow; ood?: ReferenceRow }>> = {
  sft_nocot: { label: 'plain SFT, Qwen2.5-VL-3B', source: 'paper, Table V', test: referenceNumbers.plainSft },
  sft_cot: { label: 'CoT-SFT only, Qwen2.5-VL-3B', source: 'paper, Table V', test: referenceNumbers.cotSftOnly },
  grpo: { label: 'VLA-R1-3B (CoT-SFT + GRPO)', source: 'paper, Table III', test: referenceNumbers.vlaR1InDomain, ood: referenceNumbers.vlaR1OutOfDomain },
};

/** Label of the mean predictor's row. */
export const BASELINE_LABEL = 'mean predictor (image-blind)';

/**
 * The headline rows: the mean predictor first, then for each run ours and the paper's.
 *
 * @example
 * headlineRows(metrics)[0]; // { label: 'mean predictor (image-blind)', source: 'ours, baseline', kind: 'baseline', test: { iou: 12.3, … }, ood: { … } }
 * headlineRows(metrics)[2]; // { label: 'plain SFT, Qwen2.5-VL-3B', source: 'paper, Table V', kind: 'paper', test: { iou: 23.74, … }, ood: null }
 */
export function headlineRows(metrics: DemoMetrics): HeadlineRow[] {
  const baseline: HeadlineRow = {
    label: BASELINE_LABEL,
    source: 'ours, baseline',
    kind: 'baseline',
    test: cellsOf(metrics.baseline.test),
    ood: cellsOf(metrics.baseline.ood),
  };
  return [
    baseline,
    ...DEMO_RUNS.flatMap((name): HeadlineRow[] => {
      const paper = PAPER_ROWS[name];
      return [
        { label: RUN_LABELS[name], source: 'ours', kind: 'ours', test: cellsOf(metrics.runs[name].test), ood: cellsOf(metrics.runs[name].ood) },
        { label: paper.label, source: paper.source, kind: 'paper', test: paperCells(paper.test), ood: paper.ood ? paperCells(paper.ood) : null },
      ];
    }),
  ];
}

/**
 * `after / before − 1`, or null when either is missing or `before` is 0.
 *
 * @example
 * relativeChange(28.37, 36.51); // 0.2869…
 */
export function relativeChange(before: number | null, after: number | null): number | null {
  if (before === null || after === null || !Number.isFinite(before) || !Number.isFinite(after) || before === 0) return null;
  return after / before - 1;
}

/**
 * Each evaluation's per-record metrics, by record index: what the intervals of {@link relativeGains} resample.
 */
export type DemoSamples = Readonly<Record<DemoRunName, Readonly<Record<DemoSplit, ReadonlyMap<number, SampleMetrics>>>>>;

/** Our relative change of one metric from one run to another on one split, with its 95 % paired bootstrap interval. */
export interface OurGain {
  /** IoU: higher is better; Avg: lower is better. */
  readonly iou: number | null;
  readonly avg: number | null;
  /** Null without per-record metrics, or when they cannot give one (see `pairedRelativeChangeInterval`). */
  readonly iouInterval: Interval | null;
  readonly avgInterval: Interval | null;
}

/** One comparison of the gains table. */
export interface GainRow {
  readonly label: string;
  readonly from: DemoRunName;
  readonly to: DemoRunName;
  /** Our relative change of IoU and Avg, per split. */
  readonly ours: Readonly<Record<DemoSplit, OurGain>>;
  /** The paper's, in-domain. */
  readonly paper: { readonly iou: number; readonly avg: number };
}

/**
 * The per-record scores of two runs on the records both answered, in index order: IoU ×100 of the affordance
 * records, or Avg of the trajectory records (failures count as in the aggregate: IoU 0, 1000 per distance).
 */
function pairedScores(
  before: ReadonlyMap<number, SampleMetrics>,
  after: ReadonlyMap<number, SampleMetrics>,
  metric: 'iou' | 'avg',
): [number[], number[]] {
  const score = (s: SampleMetrics | undefined): number | undefined =>
    s === undefined ? undefined : metric === 'iou' ? (s.kind === 'affordance' ? s.iou * 100 : undefined) : s.kind === 'trajectory' ? s.avg : undefined;
  const a: number[] = [];
  const b: number[] = [];
  for (const index of [...before.keys()].sort((x, y) => x - y)) {
    const x = score(before.get(index));
    const y = score(after.get(index));
    if (x !== undefined && y !== undefined) {
      a.push(x);
      b.push(y);
    }
  }
  return [a, b];
}

function gainInterval(samples: DemoSamples | undefined, from: DemoRunName, to: DemoRunName, split: DemoSplit, metric: 'iou' | 'avg'): Interval | null {
  if (samples === undefined) return null;
  const [before, after] = pairedScores(samples[from][split], samples[to][split], metric);
  return pairedRelativeChangeInterval(before, after);
}

/**
 * The relative gains: GRPO over CoT-SFT (paper: IoU +28.7 %, Avg −26.4 %) and CoT-SFT over plain SFT
 * (paper: IoU +19.5 %, Avg −2.9 %). With the evaluations' per-record metrics, each of ours comes with its 95 %
 * paired bootstrap interval over the records: an interval that holds 0 is within what another draw of the same
 * number of test records could give.
 *
 * @example
 * relativeGains(metrics)[0].paper.iou; // 0.2869…
 * relativeGains(metrics, samples)[0].ours.test.iouInterval; // { low: -0.079, high: 0.103 }
 */
export function relativeGains(metrics: DemoMetrics, samples?: DemoSamples): GainRow[] {
  const pairs: [DemoRunName, DemoRunName, ReferenceRow, ReferenceRow][] = [
    ['sft_cot', 'grpo', referenceNumbers.cotSftOnly, referenceNumbers.vlaR1InDomain],
    ['sft_nocot', 'sft_cot', referenceNumbers.plainSft, referenceNumbers.cotSftOnly],
  ];
  return pairs.map(([from, to, paperFrom, paperTo]) => {
    const ours = Object.fromEntries(
      DEMO_SPLITS.map((split) => {
        const a = metrics.runs[from][split];
        const b = metrics.runs[to][split];
        const gain: OurGain = {
          iou: relativeChange(a.affordance.iou, b.affordance.iou),
          avg: relativeChange(a.trajectory.avg, b.trajectory.avg),
          iouInterval: gainInterval(samples, from, to, split, 'iou'),
          avgInterval: gainInterval(samples, from, to, split, 'avg'),
        };
        return [split, gain];
      }),
    ) as GainRow['ours'];
    return {
      label: `${RUN_LABELS[to]} vs ${RUN_LABELS[from]}`,
      from,
      to,
      ours,
      paper: { iou: paperTo.iou / paperFrom.iou - 1, avg: paperTo.avg / paperFrom.avg - 1 },
    };
  });
}

/**
 * The model's targets against the mean predictor: IoU at least 10 points above the mean box, trajectory Avg at
 * most 0.8 × the mean trajectory's.
 */
export const BASELINE_TARGETS = { iouPoints: 10, avgRatio: 0.8 } as const;

/** A run's margin over the mean predictor on one split. */
export interface BaselineMargin {
  /** IoU ×100 minus the mean box's (points; higher is better). */
  readonly iouPoints: number | null;
  /** Avg divided by the mean trajectory's (lower is better; below 1 beats it). */
  readonly avgRatio: number | null;
}

/** One row of the margins table. */
export interface MarginRow {
  readonly run: DemoRunName;
  readonly label: string;
  readonly margins: Readonly<Record<DemoSplit, BaselineMargin>>;
}

/**
 * `run − baseline` (IoU points above the mean box), or null when either is missing.
 *
 * @example
 * iouPointsAbove(12.5, 30); // 17.5
 */
export function iouPointsAbove(baseline: number | null, run: number | null): number | null {
  if (baseline === null || run === null || !Number.isFinite(baseline) || !Number.isFinite(run)) return null;
  return run - baseline;
}

/**
 * `run / baseline` (Avg as a ratio to the mean trajectory's), or null when either is missing or `baseline` is 0.
 *
 * @example
 * avgRatioTo(200, 150); // 0.75
 */
export function avgRatioTo(baseline: number | null, run: number | null): number | null {
  if (baseline === null || run === null || !Number.isFinite(baseline) || !Number.isFinite(run) || baseline === 0) return null;
  return run / baseline;
}

/**
 * Each run's margin over the mean predictor, per split, in the ablation order.
 *
 * @example
 * baselineMargins(metrics)[2]; // { run: 'grpo', label: 'CoT-SFT + GRPO', margins: { test: { iouPoints: 17.5, avgRatio: 0.75 }, ood: { … } } }
 */
export function baselineMargins(metrics: DemoMetrics): MarginRow[] {
  return DEMO_RUNS.map((run) => {
    const margins = Object.fromEntries(
      DEMO_SPLITS.map((split) => {
        const base = metrics.baseline[split];
        const ours = metrics.runs[run][split];
        return [split, { iouPoints: iouPointsAbove(base.affordance.iou, ours.affordance.iou), avgRatio: avgRatioTo(base.trajectory.avg, ours.trajectory.avg) }];
      }),
    ) as MarginRow['margins'];
    return { run, label: RUN_LABELS[run], margins };
  });
}

/**
 * Whether a margin meets its target ({@link BASELINE_TARGETS}): true, false, or null when unknown.
 *
 * @example
 * meetsTarget('iouPoints', 12); // true
 * meetsTarget('avgRatio', 0.85); // false
 */
export function meetsTarget(key: keyof BaselineMargin, value: number | null): boolean | null {
  if (value === null || !Number.isFinite(value)) return null;
  return key === 'iouPoints' ? value >= BASELINE_TARGETS.iouPoints : value <= BASELINE_TARGETS.avgRatio;
}

/**
 * IoU points as a signed number with two decimals (a real minus sign), a dash for null.
 *
 * @example
 * formatPoints(17.5); // '+17.50'
 * formatPoints(-2.125); // '−2.13'
 */
export function formatPoints(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const text = Math.abs(value).toFixed(2);
  return value < 0 && text !== '0.00' ? `−${text}` : `+${text}`;
}

/**
 * A ratio with two decimals and a multiplication sign, a dash for null.
 *
 * @example
 * formatRatio(0.75); // '0.75×'
 */
export function formatRatio(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}×`;
}

/** The targets as the margins table prints them: `≥ +10.00` and `≤ 0.80×`. */
export const TARGET_TEXTS = { iouPoints: `≥ ${formatPoints(BASELINE_TARGETS.iouPoints)}`, avgRatio: `≤ ${formatRatio(BASELINE_TARGETS.avgRatio)}` } as const;

/**
 * A relative change as a signed percentage, a dash for null.
 *
 * @example
 * formatGain(0.2869); // '+28.7%'
 * formatGain(-0.264); // '−26.4%'
 */
export function formatGain(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const pct = (value * 100).toFixed(1);
  return value < 0 ? `−${pct.slice(1)}` + '%' : `+${pct}%`;
}

/** What the brackets beside our relative changes are. */
export const INTERVAL_NOTE =
  'In brackets: the 95 % paired bootstrap interval over the records (2,000 resamples of the records, each run scored on the same ones); ' +
  'an interval that holds 0 is within the noise of a test set this size.';

/**
 * An interval of relative changes in brackets, in percent (see {@link formatGain}).
 *
 * @example
 * formatInterval({ low: -0.079, high: 0.103 }); // '[−7.9, +10.3]'
 */
export function formatInterval(interval: Interval): string {
  const bound = (v: number): string => formatGain(v).slice(0, -1);
  return `[${bound(interval.low)}, ${bound(interval.high)}]`;
}

/**
 * A relative change with its interval in brackets (see {@link formatGain}); the change alone without one.
 *
 * @example
 * formatGainWithInterval(0.011, { low: -0.079, high: 0.103 }); // '+1.1% [−7.9, +10.3]'
 */
export function formatGainWithInterval(value: number | null, interval: Interval | null): string {
  if (interval === null || value === null || !Number.isFinite(value)) return formatGain(value);
  return `${formatGain(value)} ${formatInterval(interval)}`;
}

/**
 * Whether a change is an improvement beyond the noise of the records: its whole interval is on the better side
 * of 0 (`'better'`), on the worse side (`'worse'`), or it holds 0 (`'noise'`); without an interval, the sign of
 * the change decides, and `null` means no change or none known.
 *
 * @example
 * gainVerdict(0.2, { low: 0.05, high: 0.4 }, true); // 'better'
 * gainVerdict(0.2, { low: -0.05, high: 0.4 }, true); // 'noise'
 */
export function gainVerdict(value: number | null, interval: Interval | null, higherIsBetter: boolean): 'better' | 'worse' | 'noise' | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (interval === null) return value === 0 ? null : (value > 0) === higherIsBetter ? 'better' : 'worse';
  if (interval.low > 0) return higherIsBetter ? 'better' : 'worse';
  if (interval.high < 0) return higherIsBetter ? 'worse' : 'better';
  return 'noise';
}

function pad(text: string, width: number, right: boolean): string {
  const length = [...text].length;
  return right ? ' '.repeat(Math.max(0, width - length)) + text : text + ' '.repeat(Math.max(0, width - length));
}

function textTable(header: readonly string[], rows: readonly (readonly string[])[], leftColumns: number): string {
  const widths = header.map((h, c) => Math.max([...h].length, ...rows.map((r) => [...(r[c] ?? '')].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => pad(cell, widths[c] ?? 0, c >= leftColumns)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const CELL_KEYS = ['iou', 'dfd', 'hd', 'rmse', 'avg'] as const;

function cellTexts(cells: HeadlineCells | null): string[] {
  return CELL_KEYS.map((k) => formatMetric(cells ? cells[k] : null));
}

/**
 * The headline table, the gains and the margins over the mean predictor as plain text (what `demo` prints at the end).
 *
 * @example
 * process.stdout.write(`${renderHeadlineText(metrics)}\n`);
 */
export function renderHeadlineText(metrics: DemoMetrics, samples?: DemoSamples): string {
  const header = ['method', 'source', 'IoU↑', 'DFD↓', 'HD↓', 'RMSE↓', 'Avg↓', '│', 'IoU↑', 'DFD↓', 'HD↓', 'RMSE↓', 'Avg↓'];
  const rows = headlineRows(metrics).map((row) => [row.label, row.source, ...cellTexts(row.test), '│', ...cellTexts(row.ood)]);
  const gains = relativeGains(metrics, samples).map((g) => [
    g.label,
    formatGainWithInterval(g.ours.test.iou, g.ours.test.iouInterval),
    formatGain(g.paper.iou),
    formatGainWithInterval(g.ours.test.avg, g.ours.test.avgInterval),
    formatGain(g.paper.avg),
    '│',
    formatGainWithInterval(g.ours.ood.iou, g.ours.ood.iouInterval),
    formatGainWithInterval(g.ours.ood.avg, g.ours.ood.avgInterval),
  ]);
  const margins = baselineMargins(metrics).map((m) => [
    m.label,
    formatPoints(m.margins.test.iouPoints),
    formatRatio(m.margins.test.avgRatio),
    '│',
    formatPoints(m.margins.ood.iouPoints),
    formatRatio(m.margins.ood.avgRatio),
  ]);
  margins.push(['target', TARGET_TEXTS.iouPoints, TARGET_TEXTS.avgRatio, '│', TARGET_TEXTS.iouPoints, TARGET_TEXTS.avgRatio]);
  return [
    'Results (layout of the paper\'s Tables III and V): in-domain test │ out-of-domain',
    'IoU ×100, higher is better; DFD, HD, RMSE and Avg on the [0, 1000) scale, lower is better.',
    '',
    textTable(header, rows, 2),
    '',
    `Relative change (IoU up and Avg down are improvements)${samples ? '; in brackets its 95 % paired bootstrap interval over the records' : ''}`,
    '',
    textTable(['comparison', 'IoU test', 'IoU paper', 'Avg test', 'Avg paper', '│', 'IoU OOD', 'Avg OOD'], gains, 1),
    '',
    'Margin over the mean predictor (IoU points above the mean box; Avg as a ratio to the mean trajectory\'s)',
    '',
    textTable(['run', 'IoU test', 'Avg test', '│', 'IoU OOD', 'Avg OOD'], margins, 1),
    '',
    'The mean predictor answers every record with the training split\'s mean box or mean trajectory, ignoring image and instruction.',
    'The paper\'s rows are Qwen2.5-VL-3B on ShareRobot (in-domain) and UMD / VAIT (out-of-domain): a yardstick, not the same test set.',
  ].join('\n');
}
