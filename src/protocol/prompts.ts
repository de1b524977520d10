import type { TaskKind } from './types.js';

/**
 * The official affordance prompt suffix, byte-identical to the VLA-R1 release
 * (it says "define", not "defined").
 */
export const AFFORDANCE_SUFFIX =
  ' Please output the 2D affordance region define by bounding box of the object in the format <output>{"x": value, "y": value, "width": value, "height": value}</output>.';

/** The official trajectory prompt suffix, byte-identical to the VLA-R1 release. */
export const TRAJECTORY_SUFFIX =
  ' Please output the optimal trajectory of the end-effector to the target object in the format <output>[[x1, y1], [x2, y2], ...]</output>.';

/** The image placeholder that ends the human turn of a ShareGPT record. */
export const IMAGE_TOKEN = '<image>';

/**
 * The official suffix for a task kind.
 *
 * @example
 * promptSuffix('trajectory') === TRAJECTORY_SUFFIX;
 */
export function promptSuffix(kind: TaskKind): string {
  return kind === 'affordance' ? AFFORDANCE_SUFFIX : TRAJECTORY_SUFFIX;
}

/**
 * The prompt text a model sees: the instruction followed by the official suffix (the image follows the text).
 *
 * @example
 * buildPrompt('pick up the red mug by its handle.', 'affordance');
 * // 'pick up the red mug by its handle. Please output the 2D affordance region define by …</output>.'
 */
export function buildPrompt(instruction: string, kind: TaskKind): string {
  return instruction + promptSuffix(kind);
}

/**
 * The human turn of a VLA-R1 ShareGPT record: the prompt, then `\n<image>`.
 *
 * @example
 * buildHumanTurn('reach for the ketchup bottle.', 'trajectory').endsWith('</output>.\n<image>'); // true
 */
export function buildHumanTurn(instruction: string, kind: TaskKind): string {
  return `${buildPrompt(instruction, kind)}\n${IMAGE_TOKEN}`;
}

/**
 * Split a human turn back into instruction and task kind, or `undefined` when it does not end with an
 * official suffix followed by `\n<image>` (an `<image>` at the start is also accepted).
 */
export function parseHumanTurn(value: string): { instruction: string; kind: TaskKind } | undefined {
  let text = value;
  if (text.endsWith(`\n${IMAGE_TOKEN}`)) text = text.slice(0, -(IMAGE_TOKEN.length + 1));
  else if (text.startsWith(`${IMAGE_TOKEN}\n`)) text = text.slice(IMAGE_TOKEN.length + 1);
  else return undefined;
  if (text.endsWith(AFFORDANCE_SUFFIX)) return { instruction: text.slice(0, -AFFORDANCE_SUFFIX.length), kind: 'affordance' };
  if (text.endsWith(TRAJECTORY_SUFFIX)) return { instruction: text.slice(0, -TRAJECTORY_SUFFIX.length), kind: 'trajectory' };
  return undefined;
}
