import { INVALID_JSON, parsePythonJson, tryParsePythonJson } from './pythonJson.js';
import { formatAnswerNumber } from './pythonNumberFormat.js';
import { blockContent, findOutputBlock, findThinkBlock, hasThinkTags, outputContent } from './tagBlocks.js';
import type { Action, Box, Point, TaskKind } from './types.js';

/**
 * The `<output>` payload as the official reward reads it: the first `<output>\s*(.*?)\s*</output>` block
 * (case-insensitive, `.` matching newlines), stripped and parsed with Python's `json.loads` semantics
 * (so `NaN`/`Infinity` are accepted). `undefined` means "no payload": no block, a payload that does not parse,
 * or a JSON `null` (Python's `None`, which the official code cannot tell from a missing payload).
 *
 * @example
 * extractOutputPayload('<think>…</think> so, the answer is <output>[[0.1, 0.2]]</output>'); // [[0.1, 0.2]]
 * extractOutputPayload('<output>{"x": 0.5,}</output>'); // undefined
 */
export function extractOutputPayload(text: string): unknown {
  const content = outputContent(text);
  if (content === undefined) return undefined;
  const value = tryParsePythonJson(content);
  return value === null || value === INVALID_JSON ? undefined : value;
}

/**
 * True when the text has a `<think>…</think>` block (the official `<think>\s*.*?\s*</think>`, case-insensitive;
 * the content may be empty, and neither order nor surrounding text is checked).
 *
 * @example
 * hasThinkBlock('<THINK></think><output>[]</output>'); // true
 * hasThinkBlock('</think><think>'); // false
 */
export function hasThinkBlock(text: string): boolean {
  return hasThinkTags(text);
}

/** Why an answer could not be read as an action. */
export type ParseErrorCode = 'no-output' | 'bad-json' | 'wrong-shape' | 'out-of-range';

/** The result of {@link parseAnswer}. */
export type ParseResult =
  | { readonly ok: true; readonly action: Action; readonly think?: string }
  | { readonly ok: false; readonly error: { readonly code: ParseErrorCode; readonly message: string } };

const BOX_KEYS = ['x', 'y', 'width', 'height'] as const;

function failure(code: ParseErrorCode, message: string): ParseResult {
  return { ok: false, error: { code, message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function inUnitRange(v: number): boolean {
  return v >= 0 && v <= 1;
}

function readBox(value: Record<string, unknown>): ParseResult {
  const numbers: number[] = [];
  for (const key of BOX_KEYS) {
    if (!Object.hasOwn(value, key)) return failure('wrong-shape', `box: missing key "${key}"`);
    const v = value[key];
    if (typeof v !== 'number') return failure('wrong-shape', `box: "${key}" is ${describe(v)}, expected a number`);
    numbers.push(v);
  }
  const [x = 0, y = 0, width = 0, height = 0] = numbers;
  for (let k = 0; k < BOX_KEYS.length; k++) {
    const v = numbers[k] ?? 0;
    if (!inUnitRange(v)) return failure('out-of-range', `box: "${BOX_KEYS[k]}" = ${v} is outside [0, 1]`);
  }
  const box: Box = { x, y, width, height };
  return { ok: true, action: { kind: 'affordance', box } };
}

function readTrajectory(value: readonly unknown[]): ParseResult {
  if (value.length === 0) return failure('wrong-shape', 'trajectory: no waypoints');
  const points: Point[] = [];
  for (let i = 0; i < value.length; i++) {
    const p = value[i];
    if (!Array.isArray(p) || p.length !== 2) return failure('wrong-shape', `trajectory: point ${i} is not an [x, y] pair`);
    const [x, y] = p as unknown[];
    if (typeof x !== 'number' || typeof y !== 'number') {
      return failure('wrong-shape', `trajectory: point ${i} has a non-number coordinate`);
    }
    points.push([x, y]);
  }
  for (let i = 0; i < points.length; i++) {
    const [x, y] = points[i] ?? [0, 0];
    if (!inUnitRange(x) || !inUnitRange(y)) {
      return failure('out-of-range', `trajectory: point ${i} = [${x}, ${y}] is outside [0, 1]`);
    }
  }
  return { ok: true, action: { kind: 'trajectory', points } };
}

/**
 * Read an answer strictly, for evaluation and data checks (the reward is deliberately more lenient, see
 * `computeScore`). The payload is the official first `<output>` block; then:
 *
 * - `no-output`: no `<output>…</output>` block;
 * - `bad-json`: the payload is not JSON (Python's `json.loads` rules);
 * - `wrong-shape`: not a box `{"x","y","width","height"}` of JSON numbers (extra keys are ignored) nor a non-empty
 *   array of `[x, y]` number pairs, or not the `kind` asked for (numeric strings and booleans are rejected here);
 * - `out-of-range`: a number outside [0, 1] (NaN and ±Infinity included).
 *
 * `think` is the stripped content of the first `<think>` block, when there is one.
 *
 * @example
 * const r = parseAnswer('<think>grasp the handle</think> so, the answer is <output>[[0.1, 0.2], [0.3, 0.4]]</output>', 'trajectory');
 * // r.ok === true, r.action = {kind: 'trajectory', points: [[0.1, 0.2], [0.3, 0.4]]}, r.think === 'grasp the handle'
 */
export function parseAnswer(text: string, kind?: TaskKind): ParseResult {
  const block = findOutputBlock(text);
  if (block === undefined) return failure('no-output', 'no <output>…</output> block');
  let value: unknown;
  try {
    value = parsePythonJson(blockContent(text, block));
  } catch (error) {
    return failure('bad-json', `<output> is not valid JSON: ${(error as Error).message}`);
  }
  let result: ParseResult;
  if (isRecord(value)) {
    if (kind === 'trajectory') return failure('wrong-shape', 'expected a trajectory, got a box');
    result = readBox(value);
  } else if (Array.isArray(value)) {
    if (kind === 'affordance') return failure('wrong-shape', 'expected a box, got an array');
    result = readTrajectory(value);
  } else {
    return failure('wrong-shape', `<output> holds ${describe(value)}, expected a box or a trajectory`);
  }
  if (!result.ok) return result;
  const think = findThinkBlock(text);
  return think === undefined ? result : { ...result, think: blockContent(text, think) };
}

/**
 * The `<output>` JSON of an action, formatted the way the official data is (Python's `json.dumps` of values
 * rounded to 6 decimals): `", "` and `": "` separators, box keys in the order x, y, width, height, and floats
 * printed as Python prints them, so an integral value reads `1.0` (not `1`) and 0.00005 reads `5e-05`.
 * Non-finite values print as `NaN`/`Infinity`, as Python's json does.
 *
 * @example
 * formatAction({ kind: 'affordance', box: { x: 0.5, y: 0.25, width: 0.1, height: 0.2 } });
 * // '{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}'
 * formatAction({ kind: 'trajectory', points: [[0.2302634, 0.1332444], [1, 0.2587]] });
 * // '[[0.230263, 0.133244], [1.0, 0.2587]]'
 */
export function formatAction(action: Action): string {
  if (action.kind === 'affordance') {
    const { x, y, width, height } = action.box;
    return (
      `{"x": ${formatAnswerNumber(x)}, "y": ${formatAnswerNumber(y)}, ` +
      `"width": ${formatAnswerNumber(width)}, "height": ${formatAnswerNumber(height)}}`
    );
  }
  let out = '[';
  for (let i = 0; i < action.points.length; i++) {
    const [x, y] = action.points[i] ?? [0, 0];
    out += `${i === 0 ? '' : ', '}[${formatAnswerNumber(x)}, ${formatAnswerNumber(y)}]`;
  }
  return `${out}]`;
}

/**
 * A full answer in the official form: `<think>…</think> so, the answer is <output>JSON</output>`.
 *
 * @example
 * formatAnswer('The handle is on the right.', { kind: 'trajectory', points: [[0.1, 0.2]] });
 * // '<think>The handle is on the right.</think> so, the answer is <output>[[0.1, 0.2]]</output>'
 */
export function formatAnswer(think: string, action: Action): string {
  return `<think>${think}</think> so, the answer is <output>${formatAction(action)}</output>`;
}
