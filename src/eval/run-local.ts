/**
 * Evaluation of a local checkpoint: the local policy ({@link createLocalPolicy}) run over a dataset file by
 * the benchmark runner ({@link runEvaluation}), in large batches on one worker (the model batches
 * internally). Writes `metrics.json` (DESIGN.md section 4) and `predictions.jsonl` (one line per record:
 * index, raw answer, its metrics) into `outDir`, plus the runner's reports.
 */
import { mkdir } from 'node:fs/promises';
import { readRecords } from '../data/records.js';
import type { EvalMetrics } from './metrics.js';
import type { EvalProgress } from './runner.js';
import { runEvaluation, toEvalRecord } from './runner.js';

/** Options of {@link evaluateLocal}. */
export interface LocalEvaluation {
  /** A checkpoint folder, or a training run folder holding `checkpoint/`. */
  readonly checkpoint: string;
  /** The dataset file (VLA-R1 records). */
  readonly dataFile: string;
  readonly outDir: string;
  /** Evaluate the first N records only. */
  readonly limit?: number;
  /** Records per batch (default 64). */
  readonly batchSize?: number;
  /** Sampling temperature (default 0: greedy). */
  readonly temperature?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EvalProgress) => void;
  /** Write `report.md` / `report.html` too (default true). */
  readonly report?: boolean;
}

/**
 * Evaluate a local checkpoint on a dataset file.
 *
 * @example
 * const metrics = await evaluateLocal({ checkpoint: 'runs/demo/cot-sft', dataFile: 'data/test.json', outDir: 'runs/demo/eval-cot-sft' });
 * metrics.affordance.iou;
 */
export async function evaluateLocal(run: LocalEvaluation): Promise<EvalMetrics> {
  const { createLocalPolicy } = await import('../policy/local.js');
  const loaded = await readRecords(run.dataFile);
  const records = (run.limit !== undefined ? loaded.slice(0, run.limit) : loaded).map(toEvalRecord);
  const policy = await createLocalPolicy(run.checkpoint, { batchSize: run.batchSize ?? 64 });
  await mkdir(run.outDir, { recursive: true });
  try {
    const result = await runEvaluation({
      policy,
      records,
      outDir: run.outDir,
      concurrency: 1,
      batchSize: run.batchSize ?? 64,
      retries: 0,
      generate: { temperature: run.temperature ?? 0, ...(run.seed !== undefined ? { seed: run.seed } : {}) },
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
      ...(run.report === false ? { report: false as const } : {}),
    });
    return result.metrics;
  } finally {
    await policy.close();
  }
}
