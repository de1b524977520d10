/**
 * The CoT data engine (the paper's Fig. 2, whose prompts and scripts were not released): ask a served VLM,
 * with the paper's four-step reasoning templates, for a rationale per labelled record, and keep the rationale
 * only when the answer the VLM reached is consistent with the label.
 *
 * - Prompt: the record's instruction, then the four-step template of its kind ({@link cotTemplate}), then the
 *   official suffix (added by the policy), so the VLM reasons inside `<think>` and answers in `<output>`.
 *   With `withLabel` the label is given as the answer to explain (a rationalisation, as the released VLA-CoT
 *   rationales read); without it the VLM must find the answer itself and the check is a real filter.
 * - Consistency: the VLM's answer (converted to [0, 1] with the coordinate convention) must parse as the
 *   record's kind and be within tolerance of the label: IoU ≥ `minIou` (default 0.5) for boxes, discrete
 *   Fréchet distance ≤ `maxDfd` (default 0.1, in normalised image units: 100 on the paper's 1000 scale) for
 *   trajectories. The `<think>` text must be non-empty (≥ `minRationaleChars`) and contain no tags.
 * - Output: the kept records, each with its gpt turn replaced by `<think>RATIONALE</think> so, the answer is
 *   <output>LABEL</output>` (the label, not the VLM's approximation); all other fields kept.
 * - Resumable like evaluation: every record's outcome is appended to `OUT.progress.jsonl` as it finishes; a
 *   rerun skips the records there (a torn last line is cut off). The dataset file is written at the end.
 */
import { z } from 'zod';
import { NORMALIZED, actionInFrame, answerFrame, normalizeAnswerText, type CoordinateScale } from '../eval/coordinates.js';
import { affordanceIou, trajectoryDistances } from '../eval/metrics.js';
import { openResumableJsonl } from '../eval/resumable-jsonl.js';
import { requestEach, type PoolResult } from '../policy/request-pool.js';
import type { GenerateOptions, Policy } from '../policy/types.js';
import { formatAnswer, parseAnswer } from '../protocol/answer.js';
import { blockContent, findThinkBlock } from '../protocol/tagBlocks.js';
import type { Action, TaskKind } from '../protocol/types.js';
import type { LoadedRecord, VlaR1Record } from './records.js';
import { writeRecords } from './records.js';

/** The paper's four reasoning steps per task kind (Fig. 2, "CoT Data Engine"). */
export const COT_STEPS: Readonly<Record<TaskKind, readonly string[]>> = {
  affordance: [
    'Task parsing: what physical interaction does the instruction imply?',
    'Scene understanding: which object is involved, and which visual cues (handles, folds, corners, graspable edges) matter?',
    'Affordance region localization: where exactly is the actionable region, and is it consistent with the instruction?',
    "Feasibility check: can the robot's gripper reach and interact with that region?",
  ],
  trajectory: [
    'Task parsing: what manipulation is intended?',
    'Object and gripper localization: where are the target object and the end-effector, and how are they placed relative to each other?',
    'Scene analysis: which obstacles and constraints shape the motion?',
    'Trajectory logic: why this path, straight or curved, how many waypoints, and how are they spaced?',
  ],
};

/**
 * The reasoning template appended to the instruction (the official suffix follows it).
 *
 * @param label the answer to explain, already written in the model's coordinate convention (with `withLabel`)
 * @example
 * cotTemplate('affordance').startsWith('\n\nBefore answering, reason step by step inside <think></think>'); // true
 */
export function cotTemplate(kind: TaskKind, label?: string): string {
  const steps = COT_STEPS[kind].map((step, k) => `${k + 1}. ${step}`).join('\n');
  const given =
    label === undefined
      ? ''
      : `\nThe correct answer is <output>${label}</output>. Reason towards it from what you see in the image, as if you had found it yourself; do not mention that it was given.`;
  return `\n\nBefore answering, reason step by step inside <think></think>, in four steps:\n${steps}${given}\nThen write "so, the answer is" followed by the answer.`;
}

/** Why a rationale was kept or not. */
export type CotOutcome = 'kept' | 'request-failed' | 'no-think' | 'short-think' | 'tags-in-think' | 'no-answer' | 'inconsistent';

/** All outcomes, in report order. */
export const COT_OUTCOMES: readonly CotOutcome[] = ['kept', 'request-failed', 'no-think', 'short-think', 'tags-in-think', 'no-answer', 'inconsistent'];

/** The verdict on one response. */
export interface CotVerdict {
  readonly outcome: CotOutcome;
  readonly rationale?: string;
  /** IoU of the VLM's box with the label (affordance). */
  readonly iou?: number;
  /** DFD of the VLM's trajectory to the label, normalised image units (trajectory). */
  readonly dfd?: number;
  readonly detail?: string;
}

/** Tolerances of the consistency check. */
export interface CotTolerance {
  /** Minimum IoU of a box (default 0.5). */
  readonly minIou?: number;
  /** Maximum discrete Fréchet distance of a trajectory, normalised units (default 0.1). */
  readonly maxDfd?: number;
  /** Shortest rationale kept, in characters (default 20). */
  readonly minRationaleChars?: number;
}

/**
 * Judge one response (already converted to normalised coordinates) against the label.
 *
 * @example
 * judgeRationale('<think>The mug handle … on the right.</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>',
 *   { kind: 'affordance', box: { x: 0.5, y: 0.5, width: 0.2, height: 0.2 } });
 * // { outcome: 'kept', rationale: 'The mug handle … on the right.', iou: 1 }
 */
export function judgeRationale(response: string, label: Action, tolerance: CotTolerance = {}): CotVerdict {
  const think = findThinkBlock(response);
  if (think === undefined) return { outcome: 'no-think' };
  const rationale = blockContent(response, think);
  if (rationale.length < (tolerance.minRationaleChars ?? 20)) return { outcome: 'short-think', rationale };
  if (/<\/?(think|output)>/i.test(rationale)) return { outcome: 'tags-in-think', rationale };
  const parsed = parseAnswer(response, label.kind);
  if (!parsed.ok) return { outcome: 'no-answer', rationale, detail: parsed.error.message };
  if (label.kind === 'affordance' && parsed.action.kind === 'affordance') {
    const iou = affordanceIou(parsed.action.box, label.box);
    return { outcome: iou >= (tolerance.minIou ?? 0.5) ? 'kept' : 'inconsistent', rationale, iou };
  }
  if (label.kind === 'trajectory' && parsed.action.kind === 'trajectory') {
    if (parsed.action.points.length === 0) return { outcome: 'no-answer', rationale, detail: 'empty trajectory' };
    const dfd = trajectoryDistances(parsed.action.points, label.points).dfd / 1000;
    return { outcome: dfd <= (tolerance.maxDfd ?? 0.1) ? 'kept' : 'inconsistent', rationale, dfd };
  }
  return { outcome: 'no-answer', rationale, detail: `answer is not a ${label.kind}` };
}

/** One line of the progress file. */
export const cotProgressSchema = z.object({
  index: z.number().int().nonnegative(),
  instruction: z.string(),
  kind: z.enum(['affordance', 'trajectory']),
  outcome: z.enum(COT_OUTCOMES as [CotOutcome, ...CotOutcome[]]),
  response: z.string(),
  normalized_response: z.string().optional(),
  rationale: z.string().optional(),
  iou: z.number().optional(),
  dfd: z.number().optional(),
  error: z.string().optional(),
});

/** One line of the progress file. */
export type CotProgressLine = z.infer<typeof cotProgressSchema>;

/** Options of {@link runCotEngine}. */
export interface CotEngineOptions extends CotTolerance {
  readonly policy: Policy;
  readonly records: readonly LoadedRecord[];
  /** The dataset file to write (JSON Lines for `.jsonl`, else a JSON array). */
  readonly outFile: string;
  /** Default `OUT.progress.jsonl`. */
  readonly progressFile?: string;
  readonly concurrency?: number;
  readonly batchSize?: number;
  readonly retries?: number;
  readonly coordinateScale?: CoordinateScale;
  readonly generate?: Omit<GenerateOptions, 'signal'>;
  /** Give the label as the answer to explain (see the module documentation). */
  readonly withLabel?: boolean;
  /** Ask again the records whose request failed in an earlier run. */
  readonly retryFailed?: boolean;
  readonly onProgress?: (progress: { total: number; done: number; kept: number }) => void;
  readonly signal?: AbortSignal;
}

/** What the engine did. */
export interface CotSummary {
  readonly total: number;
  readonly kept: number;
  readonly rejected: number;
  /** Records per outcome. */
  readonly outcomes: Readonly<Record<CotOutcome, number>>;
  readonly resumed: number;
  readonly outFile: string;
  readonly progressFile: string;
}

/** The record with its gpt turn replaced by the rationale and the label. */
export function withRationale(record: VlaR1Record, rationale: string, label: Action): VlaR1Record {
  const [human, gpt] = record.conversations;
  return { ...record, conversations: [human, { ...gpt, value: formatAnswer(rationale, label) }] };
}

function progressLine(loaded: LoadedRecord, result: PoolResult, scale: CoordinateScale, tolerance: CotTolerance): CotProgressLine {
  const base = { index: loaded.index, instruction: loaded.instruction, kind: loaded.kind, response: result.text };
  if (!result.ok) return { ...base, outcome: 'request-failed', ...(result.error !== undefined ? { error: result.error } : {}) };
  const normalized = scale.convention === 'normalized' ? undefined : normalizeAnswerText(result.text, scale, result.imageSize);
  const verdict = judgeRationale(normalized ?? result.text, loaded.action, tolerance);
  return {
    ...base,
    ...(normalized !== undefined ? { normalized_response: normalized } : {}),
    outcome: verdict.outcome,
    ...(verdict.rationale !== undefined ? { rationale: verdict.rationale } : {}),
    ...(verdict.iou !== undefined ? { iou: verdict.iou } : {}),
    ...(verdict.dfd !== undefined ? { dfd: verdict.dfd } : {}),
    ...(verdict.detail !== undefined ? { error: verdict.detail } : {}),
  };
}

/**
 * Run the engine (see the module documentation).
 *
 * @example
 * const policy = await createPolicy({ kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1' });
 * const summary = await runCotEngine({ policy, records: await readRecords('train.json'), outFile: 'train-cot.json' });
 * console.log(`${summary.kept} kept, ${summary.rejected} rejected`);
 */
export async function runCotEngine(options: CotEngineOptions): Promise<CotSummary> {
  const scale = options.coordinateScale ?? NORMALIZED;
  const progressFile = options.progressFile ?? `${options.outFile}.progress.jsonl`;
  const byIndex = new Map(options.records.map((r) => [r.index, r]));
  const log = await openResumableJsonl(progressFile, {
    schema: cotProgressSchema,
    keyOf: (line) => line.index,
    redo: options.retryFailed ? (line) => line.outcome === 'request-failed' : undefined,
    check: (line) => {
      const record = byIndex.get(line.index);
      if (record !== undefined && (record.instruction !== line.instruction || record.kind !== line.kind)) {
        return `record ${line.index} does not match the dataset (${JSON.stringify(line.instruction)} vs ${JSON.stringify(record.instruction)}): this progress file belongs to another dataset`;
      }
      return undefined;
    },
  });
  const lines = new Map<number, CotProgressLine>();
  for (const [index, line] of log.entries) if (byIndex.has(index)) lines.set(index, line);
  const resumed = lines.size;
  const countKept = (): number => [...lines.values()].filter((l) => l.outcome === 'kept').length;
  let kept = countKept();
  const pending = options.records.filter((r) => !lines.has(r.index));
  options.onProgress?.({ total: options.records.length, done: lines.size, kept });

  try {
    await requestEach(pending, {
      policy: options.policy,
      concurrency: options.concurrency,
      batchSize: options.batchSize,
      retries: options.retries,
      generate: options.generate,
      signal: options.signal,
      instructionOf: (record, imageSize) =>
        `${record.instruction}${cotTemplate(record.kind, options.withLabel ? actionInFrame(record.action, answerFrame(scale, imageSize)) : undefined)}`,
      onResult: async (record, result) => {
        const line = progressLine(record, result, scale, options);
        await log.append(line);
        lines.set(record.index, line);
        if (line.outcome === 'kept') kept++;
        options.onProgress?.({ total: options.records.length, done: lines.size, kept });
      },
    });
  } finally {
    await log.close();
  }

  const outcomes = Object.fromEntries(COT_OUTCOMES.map((o) => [o, 0])) as Record<CotOutcome, number>;
  const out: VlaR1Record[] = [];
  for (const record of options.records) {
    const line = lines.get(record.index);
    if (line === undefined) continue;
    outcomes[line.outcome]++;
    if (line.outcome === 'kept' && line.rationale !== undefined) out.push(withRationale(record.record, line.rationale, record.action));
  }
  await writeRecords(options.outFile, out);
  return {
    total: options.records.length,
    kept: out.length,
    rejected: lines.size - out.length,
    outcomes,
    resumed,
    outFile: options.outFile,
    progressFile,
  };
}
