/**
 * What an evaluation report shows, independent of its format: the paper's Table III layout with our row
 * beside the paper's, the details behind the headline (n, success@0.5, parse failures, parsed-only means),
 * per-category breakdowns, distributions for the plots, and failure examples.
 */
import type { CoordinateConvention } from './coordinates.js';
import { referenceNumbers, type EvalMetrics, type ReferenceRow } from './metrics.js';

/** A row of the Table III layout; null cells print as a dash. */
export interface TableRow {
  readonly label: string;
  readonly source: string;
  readonly iou: number | null;
  readonly dfd: number | null;
  readonly hd: number | null;
  readonly rmse: number | null;
  readonly avg: number | null;
  /** True for our own row (bold). */
  readonly ours: boolean;
}

/** One failure example of the report. */
export interface ReportExample {
  readonly index: number;
  readonly id?: string | number;
  readonly kind: 'affordance' | 'trajectory';
  readonly category: string;
  readonly instruction: string;
  /** The answer text as the model wrote it. */
  readonly prediction: string;
  /** Why it is shown, e.g. `request failed: HTTP 500…`, `no-output`, `IoU 0.03`. */
  readonly reason: string;
  /** The picture (PNG), when it could be rendered. */
  readonly png?: Uint8Array;
  /** Its file, relative to the report folder. */
  readonly pngFile?: string;
}

/** Everything a report shows. */
export interface ReportModel {
  readonly title: string;
  readonly policyName: string;
  readonly coordinates: CoordinateConvention;
  /** When the report was written (ISO 8601). */
  readonly createdAt: string;
  /** A label for the test set, e.g. `tabletop test split`. */
  readonly dataLabel?: string;
  readonly metrics: EvalMetrics;
  readonly byCategory: Readonly<Record<string, EvalMetrics>>;
  readonly counts: { readonly records: number; readonly requestFailures: number };
  readonly table: readonly TableRow[];
  /** Per-sample IoU (0–1) of affordance records, for the histogram. */
  readonly ious: readonly number[];
  /** Per-sample DFD of parsed trajectory answers (0–1000 scale), for the histogram. */
  readonly dfds: readonly number[];
  readonly examples: readonly ReportExample[];
}

function referenceRow(row: ReferenceRow): TableRow {
  return { label: `${row.label} (paper)`, source: `VLA-R1 paper, ${row.source}`, iou: row.iou, dfd: row.dfd, hd: row.hd, rmse: row.rmse, avg: row.avg, ours: false };
}

/**
 * The Table III rows: ours first, then the paper's VLA-R1-3B (in-domain, out-of-domain) and its two ablations.
 *
 * @example
 * tableRows('openai:Qwen2.5-VL-3B', metrics)[1].iou; // 36.51
 */
export function tableRows(label: string, metrics: EvalMetrics, source = 'this evaluation'): TableRow[] {
  const t = metrics.trajectory;
  return [
    { label, source, iou: metrics.affordance.iou, dfd: t.dfd, hd: t.hd, rmse: t.rmse, avg: t.avg, ours: true },
    referenceRow(referenceNumbers.vlaR1InDomain),
    referenceRow(referenceNumbers.vlaR1OutOfDomain),
    referenceRow(referenceNumbers.cotSftOnly),
    referenceRow(referenceNumbers.plainSft),
  ];
}

/**
 * A number for a table: 2 decimals, a dash for null.
 *
 * @example
 * formatMetric(36.5123); // '36.51'
 * formatMetric(null); // '—'
 */
export function formatMetric(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/**
 * A fraction as a percentage with one decimal, a dash for null.
 *
 * @example
 * formatRate(0.125); // '12.5%'
 */
export function formatRate(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** Counts of values in `bins` equal-width bins over [min, max] (values outside are clamped into the end bins). */
export function histogram(values: readonly number[], bins: number, min: number, max: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    const k = Math.min(bins - 1, Math.max(0, Math.floor(((v - min) / (max - min)) * bins)));
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
