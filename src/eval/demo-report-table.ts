/**
 * The demo's headline: our three runs beside the paper's rows in the layout of its Tables III and V (IoU, then
 * DFD, HD, RMSE and Avg, in-domain and out-of-domain), and the relative gains of GRPO over CoT-SFT and of CoT-SFT
 * over plain SFT beside the paper's (+29 % IoU and −26 % Avg for GRPO over CoT-SFT).
 */
import { z } from 'zod';
import { referenceNumbers, type ReferenceRow } from './metrics-reference.js';
import { evalMetricsSchema, type EvalMetrics } from './metrics.js';
import { DEMO_RUNS, DEMO_SPLITS, RUN_LABELS, type DemoRunName, type DemoSplit } from './demo-plan.js';
import { formatMetric } from './report-model.js';

/** Schema of the demo's `metrics.json`: `{runs: {RUN: {test, ood}}}`, each one evaluation's metrics. */
export const demoMetricsSchema = z.object({
  runs: z.object({
    sft_nocot: z.object({ test: evalMetricsSchema, ood: evalMetricsSchema }),
    sft_cot: z.object({ test: evalMetricsSchema, ood: evalMetricsSchema }),
    grpo: z.object({ test: evalMetricsSchema, ood: evalMetricsSchema }),
  }),
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

/** A row of the headline table. */
export interface HeadlineRow {
  readonly label: string;
  /** `ours`, or where the paper prints it (e.g. `paper, Table V`). */
  readonly source: string;
  readonly ours: boolean;
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

/**
 * The headline rows: for each run, ours then the paper's.
 *
 * @example
 * headlineRows(metrics)[1]; // { label: 'plain SFT, Qwen2.5-VL-3B', source: 'paper, Table V', test: { iou: 23.74, … }, ood: null, ours: false }
 */
export function headlineRows(metrics: DemoMetrics): HeadlineRow[] {
  return DEMO_RUNS.flatMap((name) => {
    const paper = PAPER_ROWS[name];
    return [
      { label: RUN_LABELS[name], source: 'ours', ours: true, test: cellsOf(metrics.runs[name].test), ood: cellsOf(metrics.runs[name].ood) },
      { label: paper.label, source: paper.source, ours: false, test: paperCells(paper.test), ood: paper.ood ? paperCells(paper.ood) : null },
    ];
  });
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

/** One comparison of the gains table. */
export interface GainRow {
  readonly label: string;
  readonly from: DemoRunName;
  readonly to: DemoRunName;
  /** Our relative change of IoU (higher is better) and Avg (lower is better), per split. */
  readonly ours: Readonly<Record<DemoSplit, { readonly iou: number | null; readonly avg: number | null }>>;
  /** The paper's, in-domain. */
  readonly paper: { readonly iou: number; readonly avg: number };
}

/**
 * The relative gains: GRPO over CoT-SFT (paper: IoU +28.7 %, Avg −26.4 %) and CoT-SFT over plain SFT
 * (paper: IoU +19.5 %, Avg −2.9 %).
 *
 * @example
 * relativeGains(metrics)[0].paper.iou; // 0.2869…
 */
export function relativeGains(metrics: DemoMetrics): GainRow[] {
  const pairs: [DemoRunName, DemoRunName, ReferenceRow, ReferenceRow][] = [
    ['sft_cot', 'grpo', referenceNumbers.cotSftOnly, referenceNumbers.vlaR1InDomain],
    ['sft_nocot', 'sft_cot', referenceNumbers.plainSft, referenceNumbers.cotSftOnly],
  ];
  return pairs.map(([from, to, paperFrom, paperTo]) => {
    const ours = Object.fromEntries(
      DEMO_SPLITS.map((split) => {
        const a = metrics.runs[from][split];
        const b = metrics.runs[to][split];
        return [split, { iou: relativeChange(a.affordance.iou, b.affordance.iou), avg: relativeChange(a.trajectory.avg, b.trajectory.avg) }];
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
 * The headline table and the gains as plain text (what `demo` prints at the end).
 *
 * @example
 * process.stdout.write(`${renderHeadlineText(metrics)}\n`);
 */
export function renderHeadlineText(metrics: DemoMetrics): string {
  const header = ['method', 'source', 'IoU↑', 'DFD↓', 'HD↓', 'RMSE↓', 'Avg↓', '│', 'IoU↑', 'DFD↓', 'HD↓', 'RMSE↓', 'Avg↓'];
  const rows = headlineRows(metrics).map((row) => [row.label, row.source, ...cellTexts(row.test), '│', ...cellTexts(row.ood)]);
  const gains = relativeGains(metrics).map((g) => [
    g.label,
    formatGain(g.ours.test.iou),
    formatGain(g.paper.iou),
    formatGain(g.ours.test.avg),
    formatGain(g.paper.avg),
    '│',
    formatGain(g.ours.ood.iou),
    formatGain(g.ours.ood.avg),
  ]);
  return [
    'Results (layout of the paper\'s Tables III and V): in-domain test │ out-of-domain',
    'IoU ×100, higher is better; DFD, HD, RMSE and Avg on the [0, 1000) scale, lower is better.',
    '',
    textTable(header, rows, 2),
    '',
    'Relative change (IoU up and Avg down are improvements)',
    '',
    textTable(['comparison', 'IoU test', 'IoU paper', 'Avg test', 'Avg paper', '│', 'IoU OOD', 'Avg OOD'], gains, 1),
    '',
    'The paper\'s rows are Qwen2.5-VL-3B on ShareRobot (in-domain) and UMD / VAIT (out-of-domain): a yardstick, not the same test set.',
  ].join('\n');
}
