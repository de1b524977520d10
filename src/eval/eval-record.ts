/**
 * The records a benchmark run evaluates and the lines of `predictions.jsonl` it writes.
 */
import { z } from 'zod';
import type { Action, TaskKind } from '../protocol/types.js';

/** One labelled record to evaluate (a `LoadedRecord` fits; see {@link toEvalRecord}). */
export interface EvalRecord {
  /** Position in the dataset file; the key of `predictions.jsonl`. */
  readonly index: number;
  readonly instruction: string;
  readonly kind: TaskKind;
  /** The ground truth. */
  readonly action: Action;
  /** Absolute path of the image. */
  readonly imagePath: string;
  /** The record's own id, when it has one. */
  readonly id?: string | number;
  /** Breakdown group; the kind when absent. */
  readonly category?: string;
}

/** One line of `predictions.jsonl`. */
export const predictionLineSchema = z.object({
  index: z.number().int().nonnegative(),
  id: z.union([z.string(), z.number()]).optional(),
  kind: z.enum(['affordance', 'trajectory']),
  category: z.string().optional(),
  instruction: z.string(),
  prediction: z.string(),
  normalized_prediction: z.string().optional(),
  ok: z.boolean(),
  error: z.string().optional(),
  latency_ms: z.number().nonnegative(),
  metrics: z.record(z.string(), z.unknown()),
});

/** One line of `predictions.jsonl`. */
export type PredictionLine = z.infer<typeof predictionLineSchema>;

/**
 * An {@link EvalRecord} from a loaded dataset record: `id` and `category` are read from the record's own
 * fields when present: `id`, and the first string of `category`, `meta.category`, `meta_data.category`.
 *
 * @example
 * const records = (await readRecords('data/test.json')).map(toEvalRecord);
 */
export function toEvalRecord(loaded: {
  readonly index: number;
  readonly instruction: string;
  readonly kind: TaskKind;
  readonly action: Action;
  readonly imagePath: string;
  readonly record?: Readonly<Record<string, unknown>>;
}): EvalRecord {
  const raw = loaded.record ?? {};
  const id = typeof raw.id === 'string' || typeof raw.id === 'number' ? raw.id : undefined;
  const nested = (key: 'meta' | 'meta_data'): unknown => {
    const value = raw[key];
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>).category : undefined;
  };
  const category = [raw.category, nested('meta'), nested('meta_data')].find((c): c is string => typeof c === 'string' && c !== '');
  return {
    index: loaded.index,
    instruction: loaded.instruction,
    kind: loaded.kind,
    action: loaded.action,
    imagePath: loaded.imagePath,
    ...(id !== undefined ? { id } : {}),
    ...(category !== undefined ? { category } : {}),
  };
}

/** The breakdown group of a record. */
export function categoryOf(record: Pick<EvalRecord, 'category' | 'kind'>): string {
  return record.category ?? record.kind;
}

/** The text that is scored: the coordinate-normalised prediction when there is one. */
export function scoredText(line: Pick<PredictionLine, 'prediction' | 'normalized_prediction'>): string {
  return line.normalized_prediction ?? line.prediction;
}
