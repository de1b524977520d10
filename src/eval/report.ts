/**
 * Writing the evaluation reports (`report.md`, `report.html`, `examples/*.png`) from a finished run.
 *
 * Failure examples: request failures first, then answers that do not parse, then the worst scored answers —
 * affordance boxes with IoU below 0.5 (lowest first), trajectories with DFD above 100 on the 1000 scale (about
 * the paper's VLA-R1 mean; highest first) — split evenly between the two kinds. Each is drawn with
 * `renderExample` (ground truth green, prediction red) when the image can be read.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../data/atomic-write.js';
import type { CoordinateConvention } from './coordinates.js';
import type { EvalMetrics, SampleMetrics } from './metrics.js';
import { renderHtmlReport } from './report-html.js';
import { renderMarkdownReport } from './report-markdown.js';
import { tableRows, type ReportExample, type ReportModel } from './report-model.js';
import { categoryOf, scoredText, type EvalRecord, type PredictionLine } from './eval-record.js';

/** Report options. */
export interface ReportOptions {
  /** Heading (default `Evaluation of POLICY`). */
  readonly title?: string;
  /** What the test set is, shown under the title. */
  readonly dataLabel?: string;
  /** How many failure examples to show (default 8). */
  readonly failureExamples?: number;
  /** Draw the examples as PNG (default true). */
  readonly renderImages?: boolean;
  /** Timestamp to print (default now); fixed in tests. */
  readonly createdAt?: string;
}

/** Trajectory answers with a DFD above this (1000 scale) are failure-example candidates. */
export const TRAJECTORY_FAILURE_DFD = 100;

interface Candidate {
  readonly line: PredictionLine;
  readonly badness: number;
  readonly reason: string;
}

function candidateOf(line: PredictionLine, sample: SampleMetrics): Candidate | undefined {
  if (!line.ok) return { line, badness: 3, reason: `request failed: ${line.error ?? 'unknown error'}` };
  if (!sample.parsed) return { line, badness: 2, reason: `answer does not parse (${sample.failure ?? 'unknown'})` };
  if (sample.kind === 'affordance') {
    return sample.iou < 0.5 ? { line, badness: 1 - sample.iou, reason: `IoU ${sample.iou.toFixed(3)}` } : undefined;
  }
  return sample.dfd > TRAJECTORY_FAILURE_DFD ? { line, badness: Math.min(1, sample.dfd / 1000), reason: `DFD ${sample.dfd.toFixed(1)}` } : undefined;
}

/**
 * Pick up to `count` failure examples, half per kind (the rest to the other kind when one has fewer).
 *
 * @example
 * pickFailures(lines, samples, 8).map((c) => c.line.index);
 */
export function pickFailures(lines: readonly PredictionLine[], samples: ReadonlyMap<number, SampleMetrics>, count: number): Candidate[] {
  const byKind = { affordance: [] as Candidate[], trajectory: [] as Candidate[] };
  for (const line of lines) {
    const sample = samples.get(line.index);
    const candidate = sample ? candidateOf(line, sample) : undefined;
    if (candidate) byKind[line.kind].push(candidate);
  }
  const order = (a: Candidate, b: Candidate): number => b.badness - a.badness || a.line.index - b.line.index;
  byKind.affordance.sort(order);
  byKind.trajectory.sort(order);
  let affordance = Math.min(byKind.affordance.length, Math.ceil(count / 2));
  const trajectory = Math.min(byKind.trajectory.length, count - affordance);
  affordance = Math.min(byKind.affordance.length, count - trajectory);
  return [...byKind.affordance.slice(0, affordance), ...byKind.trajectory.slice(0, trajectory)];
}

type Renderer = (input: {
  image: string;
  kind: 'affordance' | 'trajectory';
  instruction: string;
  groundTruth?: EvalRecord['action'];
  prediction?: string;
  title?: string;
  notes?: readonly string[];
}) => Promise<Uint8Array>;

async function loadRenderer(): Promise<Renderer | undefined> {
  try {
    const module = (await import('../data/render-example.js')) as { renderExample?: Renderer };
    return module.renderExample;
  } catch {
    return undefined;
  }
}

/** Inputs of {@link writeReports}. */
export interface WriteReportsInput {
  readonly outDir: string;
  readonly policyName: string;
  readonly coordinates: CoordinateConvention;
  readonly metrics: EvalMetrics;
  readonly byCategory: Readonly<Record<string, EvalMetrics>>;
  /** Prediction lines in index order. */
  readonly lines: readonly PredictionLine[];
  readonly samples: ReadonlyMap<number, SampleMetrics>;
  readonly records: ReadonlyMap<number, EvalRecord>;
  readonly options: ReportOptions;
}

/**
 * Build the report model, draw the examples and write `report.md` and `report.html` into `outDir`.
 *
 * @example
 * const { markdown, html } = await writeReports({ outDir, policyName: policy.name, coordinates: 'normalized', metrics, byCategory, lines, samples, records, options: {} });
 */
export async function writeReports(input: WriteReportsInput): Promise<{ markdown: string; html: string }> {
  const { options } = input;
  const picked = pickFailures(input.lines, input.samples, options.failureExamples ?? 8);
  const render = options.renderImages === false || picked.length === 0 ? undefined : await loadRenderer();
  if (render) await mkdir(join(input.outDir, 'examples'), { recursive: true });
  const examples: ReportExample[] = [];
  for (const candidate of picked) {
    const { line } = candidate;
    const record = input.records.get(line.index);
    let png: Uint8Array | undefined;
    let pngFile: string | undefined;
    if (render && record) {
      try {
        png = await render({
          image: record.imagePath,
          kind: record.kind,
          instruction: record.instruction,
          groundTruth: record.action,
          prediction: scoredText(line),
          title: `#${line.index}${line.id !== undefined ? ` (id ${String(line.id)})` : ''}`,
          notes: [candidate.reason],
        });
        pngFile = `examples/${String(line.index).padStart(6, '0')}.png`;
        await writeFile(join(input.outDir, pngFile), png);
      } catch {
        png = undefined;
        pngFile = undefined;
      }
    }
    examples.push({
      index: line.index,
      ...(line.id !== undefined ? { id: line.id } : {}),
      kind: line.kind,
      category: record ? categoryOf(record) : line.kind,
      instruction: line.instruction,
      prediction: line.prediction,
      reason: candidate.reason,
      ...(png ? { png } : {}),
      ...(pngFile ? { pngFile } : {}),
    });
  }

  const samples = input.lines.map((line) => input.samples.get(line.index)).filter((s): s is SampleMetrics => s !== undefined);
  const model: ReportModel = {
    title: options.title ?? `Evaluation of ${input.policyName}`,
    policyName: input.policyName,
    coordinates: input.coordinates,
    createdAt: options.createdAt ?? new Date().toISOString(),
    ...(options.dataLabel !== undefined ? { dataLabel: options.dataLabel } : {}),
    metrics: input.metrics,
    byCategory: input.byCategory,
    counts: { records: input.lines.length, requestFailures: input.lines.filter((line) => !line.ok).length },
    table: tableRows(input.policyName, input.metrics),
    ious: samples.flatMap((s) => (s.kind === 'affordance' ? [s.iou] : [])),
    dfds: samples.flatMap((s) => (s.kind === 'trajectory' && s.parsed ? [s.dfd] : [])),
    examples,
  };
  const markdown = join(input.outDir, 'report.md');
  const html = join(input.outDir, 'report.html');
  await writeFileAtomic(markdown, renderMarkdownReport(model));
  await writeFileAtomic(html, renderHtmlReport(model));
  return { markdown, html };
}
