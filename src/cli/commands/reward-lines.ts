/**
 * The line-level work of `vla-r1 reward`: one JSONL input line in, one JSONL output line out. Pure and
 * synchronous, so the same code runs in the main thread and in the worker threads of `reward-workers.ts`.
 *
 * @module
 */
import { rewardResultJson } from '../../rewards/rewardResultJson.js';
import { REWARD_MODES, REWARD_SLOTS, RewardSlot, scoreInto } from '../../rewards/scoreInto.js';

export { rewardResultJson };

/** The reward parameters a line is scored with. */
export interface RewardLineOptions {
  /** λθ, the weight of the direction term of ALAF (official 0.25). */
  readonly lambdaAngle: number;
  /** λr, the weight of the length-ratio term of ALAF (official 0.10). */
  readonly lambdaLength: number;
}

/** The result of one input line: the output JSON text, or the reason it is not valid input. */
export type RewardLineResult = { ok: true; json: string } | { ok: false; message: string };

/** The result of a batch of lines ({@link scoreRewardBatch}). */
export interface RewardBatchResult {
  /** The output lines, each ending with `\n`, in input order. */
  readonly output: string;
  /** Number of input lines in the batch. */
  readonly lines: number;
  /** One `line N: ...` message per bad line, in order. */
  readonly errors: readonly string[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Why `parsed` is not a valid input object (slow path, only for bad lines): `field: what is wrong`.
 *
 * Input lines are checked by hand rather than with a zod schema: the check is two `typeof`s, and zod would add
 * tens of milliseconds to the start-up of a command that is often run once per batch of a training step.
 */
function inputProblem(parsed: unknown): string {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return `expected a JSON object {"response": str, "ground_truth": str}, got ${describe(parsed)}`;
  }
  const record = parsed as Record<string, unknown>;
  const responseField = record.response === undefined && record.solution_str !== undefined ? 'solution_str' : 'response';
  const response = record[responseField];
  if (typeof response !== 'string') {
    return response === undefined
      ? 'response: missing (expected "response" or "solution_str", a string)'
      : `${responseField}: expected a string, got ${describe(response)}`;
  }
  const groundTruth = record.ground_truth;
  return groundTruth === undefined
    ? 'ground_truth: missing (expected a string)'
    : `ground_truth: expected a string, got ${describe(groundTruth)}`;
}

/** Where each line's reward is written (one reusable array: the batch allocates nothing per reward). */
const slots = new Float64Array(REWARD_SLOTS);

/** A number as the output writes it: `null` when not finite (NaN is the official "not defined"). */
function jsonNumber(value: number): string {
  return value - value === 0 ? String(value) : 'null';
}

/** The `"mode":…` part of an output line, by mode code (format score 0 or 1 is written literally too). */
const MODE_JSON = REWARD_MODES.map((mode) => `,"mode":"${mode}","iou":`);

/**
 * The output line of the reward in `slots` (the same text as `rewardResultJson` of the equivalent result).
 *
 * @example
 * // after scoreInto(response, groundTruth, slots):
 * slotsJson(slots); // '{"score":0.1,"format_score":1,"task_score":0,"mode":"none","iou":null,...}'
 */
function slotsJson(out: Float64Array): string {
  return (
    `{"score":${jsonNumber(out[RewardSlot.score]!)},"format_score":${out[RewardSlot.formatScore] === 1 ? '1' : '0'}` +
    `,"task_score":${jsonNumber(out[RewardSlot.taskScore]!)}${MODE_JSON[out[RewardSlot.mode]!]!}${jsonNumber(out[RewardSlot.iou]!)}` +
    `,"giou":${jsonNumber(out[RewardSlot.giou]!)},"alaf":${jsonNumber(out[RewardSlot.alaf]!)},"dfd":${jsonNumber(out[RewardSlot.dfd]!)}}`
  );
}

/** Why the last {@link scoreLineJson} call returned undefined. */
let lineProblem = '';

/**
 * The output JSON of one input line (without its newline; a trailing `\r` is ignored), or `undefined` with
 * the reason in `lineProblem` when the line is not valid input. `response` is read from `response`, or from
 * verl's `solution_str` when `response` is absent; other keys are ignored.
 */
function scoreLineJson(line: string, lineNumber: number, options: RewardLineOptions): string | undefined {
  const text = line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    if (text.trim() === '') lineProblem = `line ${lineNumber}: empty line (expected a JSON object)`;
    else lineProblem = `line ${lineNumber}: not valid JSON (${error instanceof Error ? error.message : String(error)})`;
    return undefined;
  }
  // Fast path: the check of inputProblem written out, so a valid line costs nothing beyond the parse.
  if (typeof parsed === 'object' && parsed !== null) {
    const record = parsed as { response?: unknown; solution_str?: unknown; ground_truth?: unknown };
    const response = record.response === undefined ? record.solution_str : record.response;
    const groundTruth = record.ground_truth;
    if (typeof response === 'string' && typeof groundTruth === 'string' && !Array.isArray(parsed)) {
      return slotsJson(scoreInto(response, groundTruth, slots, options.lambdaAngle, options.lambdaLength));
    }
  }
  lineProblem = `line ${lineNumber}: ${inputProblem(parsed)}`;
  return undefined;
}

/**
 * Score one input line (without its newline; a trailing `\r` is ignored). `response` is read from `response`,
 * or from verl's `solution_str` when `response` is absent; other keys are ignored.
 *
 * @example
 * scoreRewardLine('{"response": "<output>[[0, 0]]</output>", "ground_truth": "<output>[[0, 0]]</output>"}', 1, { lambdaAngle: 0.25, lambdaLength: 0.1 });
 * // { ok: true, json: '{"score":0.9,"format_score":0,"task_score":1,"mode":"trajectory",...}' }
 */
export function scoreRewardLine(line: string, lineNumber: number, options: RewardLineOptions): RewardLineResult {
  const json = scoreLineJson(line, lineNumber, options);
  return json === undefined ? { ok: false, message: lineProblem } : { ok: true, json };
}

/**
 * Score a batch of complete lines: `text` holds lines each ending with `\n`, the first being line
 * `firstLineNumber` of the input. A bad line gets `{"error": "line N: ..."}` in its place.
 *
 * @example
 * const r = scoreRewardBatch('{"response": "x", "ground_truth": "y"}\n\n', 7, { lambdaAngle: 0.25, lambdaLength: 0.1 });
 * // r.lines === 2, r.errors = ['line 8: empty line (expected a JSON object)']
 */
export function scoreRewardBatch(text: string, firstLineNumber: number, options: RewardLineOptions): RewardBatchResult {
  let output = '';
  let errors: string[] | undefined;
  let lineNumber = firstLineNumber;
  let start = 0;
  let newline = text.indexOf('\n');
  while (newline !== -1) {
    const json = scoreLineJson(text.slice(start, newline), lineNumber, options);
    if (json !== undefined) {
      output += `${json}\n`;
    } else {
      (errors ??= []).push(lineProblem);
      output += `${JSON.stringify({ error: lineProblem })}\n`;
    }
    lineNumber += 1;
    start = newline + 1;
    newline = text.indexOf('\n', start);
  }
  return { output, lines: lineNumber - firstLineNumber, errors: errors ?? [] };
}

/**
 * Number of `\n` in `text`.
 *
 * @example
 * countNewlines('a\nb\n'); // 2
 */
export function countNewlines(text: string): number {
  let n = 0;
  let i = text.indexOf('\n');
  while (i !== -1) {
    n += 1;
    i = text.indexOf('\n', i + 1);
  }
  return n;
}
