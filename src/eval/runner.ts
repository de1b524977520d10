/**
 * The benchmark runner: any {@link Policy} over a set of labelled records, resumable, then metrics and reports.
 *
 * Files in `outDir`:
 * - `predictions.jsonl`: one line per record, written as each record finishes (completion order):
 *   `{index, id?, kind, category?, instruction, prediction, normalized_prediction?, ok, error?, latency_ms, metrics}`.
 *   `ok: false` means the request still failed after its retries; the record then scores as a parse failure.
 *   A rerun into the same folder skips the records already there (see {@link openResumableJsonl}: a torn last line
 *   from `kill -9` is cut off, duplicates are dropped); `retryFailed` asks the failed ones again.
 * - `run.json`: the policy, coordinate convention and counts (a resume with another convention is refused).
 * - `metrics.json`: {@link aggregateMetrics} over all records (DESIGN.md section 4), recomputed from the stored
 *   predictions, so it never depends on which run produced which line.
 * - `metrics-by-category.json`: the same per category (the record's `category` field when present, else its kind).
 * - `report.md`, `report.html` (and `examples/*.png`): see `report.ts`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../data/atomic-write.js';
import { UserError } from '../errors.js';
import { requestEach, type PoolResult } from '../policy/request-pool.js';
import type { GenerateOptions, Policy } from '../policy/types.js';
import { NORMALIZED, normalizeAnswerText, type CoordinateScale } from './coordinates.js';
import { aggregateMetrics, sampleMetrics, type EvalMetrics, type SampleMetrics } from './metrics.js';
import { writeReports, type ReportOptions } from './report.js';
import { categoryOf, predictionLineSchema, scoredText, type EvalRecord, type PredictionLine } from './eval-record.js';
import { openResumableJsonl } from './resumable-jsonl.js';

export { categoryOf, predictionLineSchema, scoredText, toEvalRecord, type EvalRecord, type PredictionLine } from './eval-record.js';

/** Progress of a run. */
export interface EvalProgress {
  readonly total: number;
  /** Records finished, resumed ones included. */
  readonly done: number;
  /** Records found finished in `predictions.jsonl` at the start. */
  readonly resumed: number;
  /** Requests that failed after retries (so far, this run and resumed). */
  readonly failed: number;
}

/** Options of {@link runEvaluation}. */
export interface RunEvaluationOptions {
  readonly policy: Policy;
  readonly records: readonly EvalRecord[];
  readonly outDir: string;
  /** Requests in flight (default 4). */
  readonly concurrency?: number;
  /** Records per `generate` call (default 1; the local model prefers larger batches). */
  readonly batchSize?: number;
  /** Re-asks of a record after an error that is not final (default 1); HTTP retries are the policy's. */
  readonly retries?: number;
  /** The convention of the policy's coordinates (default normalised [0, 1]). */
  readonly coordinateScale?: CoordinateScale;
  /** Sampling options; `seed` is offset by the record index. */
  readonly generate?: Omit<GenerateOptions, 'signal'>;
  /** Ask records whose request failed in an earlier run again. */
  readonly retryFailed?: boolean;
  readonly onProgress?: (progress: EvalProgress) => void;
  /** Stops the run after the requests in flight; what was written stays. */
  readonly signal?: AbortSignal;
  /** Report options, or false to skip `report.md` / `report.html`. */
  readonly report?: ReportOptions | false;
}

/** What a run produced. */
export interface EvalResult {
  readonly metrics: EvalMetrics;
  readonly byCategory: Readonly<Record<string, EvalMetrics>>;
  readonly counts: {
    readonly total: number;
    readonly resumed: number;
    readonly evaluated: number;
    readonly failed: number;
    readonly truncatedBytes: number;
    readonly duplicates: number;
  };
  readonly files: {
    readonly predictions: string;
    readonly metrics: string;
    readonly byCategory: string;
    readonly run: string;
    readonly reportMarkdown?: string;
    readonly reportHtml?: string;
  };
  /** The prediction lines of `records`, by index order. */
  readonly lines: readonly PredictionLine[];
}

const runFileSchema = z.looseObject({ coordinates: z.string().optional() });

async function checkRunFile(file: string, coordinates: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return; // unreadable (it is rewritten below): nothing to compare with
  }
  const parsed = runFileSchema.safeParse(json);
  const previous = parsed.success ? parsed.data.coordinates : undefined;
  if (previous !== undefined && previous !== coordinates) {
    throw new UserError(`${file}: this run used --coordinates ${previous}; resuming it with --coordinates ${coordinates} would mix conventions (use another --out)`);
  }
}

function predictionLine(record: EvalRecord, result: PoolResult, scale: CoordinateScale): PredictionLine {
  let normalized: string | undefined;
  let conversionError: string | undefined;
  try {
    normalized = scale.convention === 'normalized' ? undefined : normalizeAnswerText(result.text, scale, result.imageSize);
  } catch (error: unknown) {
    conversionError = `coordinate conversion: ${(error as Error).message}`;
  }
  const metrics = sampleMetrics(normalized ?? result.text, record.action);
  const error = result.error ?? conversionError;
  return {
    index: record.index,
    ...(record.id !== undefined ? { id: record.id } : {}),
    kind: record.kind,
    ...(record.category !== undefined ? { category: record.category } : {}),
    instruction: record.instruction,
    prediction: result.text,
    ...(normalized !== undefined ? { normalized_prediction: normalized } : {}),
    ok: result.ok,
    ...(error !== undefined ? { error } : {}),
    latency_ms: Math.round(result.latencyMs * 10) / 10,
    metrics: { ...metrics },
  };
}

/**
 * Evaluate `policy` on `records` into `outDir` (see the module documentation). Resumes a previous run in the
 * same folder. On cancellation or a dataset error the lines written so far stay, and a rerun continues.
 *
 * @example
 * const policy = await createPolicy({ kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1' });
 * const result = await runEvaluation({ policy, records: (await readRecords('test.json')).map(toEvalRecord), outDir: 'runs/eval-qwen', concurrency: 16 });
 * console.log(result.metrics.affordance.iou);
 */
export async function runEvaluation(options: RunEvaluationOptions): Promise<EvalResult> {
  const { policy, records, outDir } = options;
  const scale = options.coordinateScale ?? NORMALIZED;
  const byIndex = new Map<number, EvalRecord>();
  for (const record of records) {
    if (byIndex.has(record.index)) throw new Error(`runEvaluation: record index ${record.index} appears twice`);
    byIndex.set(record.index, record);
  }
  const files = {
    predictions: join(outDir, 'predictions.jsonl'),
    metrics: join(outDir, 'metrics.json'),
    byCategory: join(outDir, 'metrics-by-category.json'),
    run: join(outDir, 'run.json'),
  };
  await checkRunFile(files.run, scale.convention);

  const log = await openResumableJsonl(files.predictions, {
    schema: predictionLineSchema,
    keyOf: (line) => line.index,
    redo: options.retryFailed ? (line) => !line.ok : undefined,
    check: (line) => {
      const record = byIndex.get(line.index);
      if (record === undefined) return undefined; // a record outside this selection (e.g. an earlier --limit)
      if (record.instruction !== line.instruction || record.kind !== line.kind) {
        return `record ${line.index} has instruction ${JSON.stringify(line.instruction)} here but ${JSON.stringify(record.instruction)} in the dataset: these predictions belong to another dataset (use another --out)`;
      }
      return undefined;
    },
  });
  const lines = new Map<number, PredictionLine>();
  for (const [index, line] of log.entries) if (byIndex.has(index)) lines.set(index, line);
  const resumed = lines.size;
  let failed = [...lines.values()].filter((line) => !line.ok).length;
  const pending = records.filter((record) => !lines.has(record.index));
  const progress = (): void => options.onProgress?.({ total: records.length, done: lines.size, resumed, failed });

  const startedAt = new Date().toISOString();
  const writeRunFile = (finishedAt?: string): Promise<void> =>
    writeFileAtomic(
      files.run,
      `${JSON.stringify(
        {
          policy: policy.name,
          coordinates: scale.convention,
          ...(scale.resize ? { resize: scale.resize } : {}),
          records: records.length,
          concurrency: options.concurrency ?? 4,
          batch_size: options.batchSize ?? 1,
          generate: options.generate ?? {},
          started_at: startedAt,
          ...(finishedAt ? { finished_at: finishedAt } : {}),
          resumed,
          failed,
        },
        null,
        2,
      )}\n`,
    );
  await writeRunFile();
  progress();

  try {
    await requestEach(pending, {
      policy,
      concurrency: options.concurrency,
      batchSize: options.batchSize,
      retries: options.retries,
      generate: options.generate,
      signal: options.signal,
      onResult: async (record, result) => {
        const line = predictionLine(record, result, scale);
        await log.append(line);
        lines.set(record.index, line);
        if (!line.ok) failed++;
        progress();
      },
    });
  } finally {
    await log.close();
  }

  const ordered = records.map((record) => lines.get(record.index)).filter((line): line is PredictionLine => line !== undefined);
  const samples = new Map<number, SampleMetrics>();
  for (const line of ordered) samples.set(line.index, sampleMetrics(scoredText(line), (byIndex.get(line.index) as EvalRecord).action));
  const metrics = aggregateMetrics(ordered.map((line) => samples.get(line.index) as SampleMetrics));
  const groups = new Map<string, SampleMetrics[]>();
  for (const line of ordered) {
    const key = categoryOf(byIndex.get(line.index) as EvalRecord);
    const group = groups.get(key) ?? [];
    group.push(samples.get(line.index) as SampleMetrics);
    groups.set(key, group);
  }
  const byCategory = Object.fromEntries([...groups.keys()].sort().map((key) => [key, aggregateMetrics(groups.get(key) ?? [])]));
  await writeFileAtomic(files.metrics, `${JSON.stringify(metrics, null, 2)}\n`);
  await writeFileAtomic(files.byCategory, `${JSON.stringify(byCategory, null, 2)}\n`);
  await writeRunFile(new Date().toISOString());

  let reportFiles: { markdown: string; html: string } | undefined;
  if (options.report !== false) {
    reportFiles = await writeReports({
      outDir,
      policyName: policy.name,
      coordinates: scale.convention,
      metrics,
      byCategory,
      lines: ordered,
      samples,
      records: byIndex,
      options: options.report ?? {},
    });
  }

  return {
    metrics,
    byCategory,
    counts: {
      total: records.length,
      resumed,
      evaluated: ordered.length - resumed,
      failed,
      truncatedBytes: log.resume.truncatedBytes,
      duplicates: log.resume.duplicates,
    },
    files: { ...files, ...(reportFiles ? { reportMarkdown: reportFiles.markdown, reportHtml: reportFiles.html } : {}) },
    lines: ordered,
  };
}
