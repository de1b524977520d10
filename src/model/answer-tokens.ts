/**
 * The answer as tokens: the rationale as text tokens, then `<answer>` (standing for
 * `</think> so, the answer is <output>`), then the action structurally, then `<eos>`:
 *
 * - affordance box: 4 coordinate tokens in the answer's own centre form, `x y width height` (x-axis tokens
 *   for x and width, y-axis tokens for y and height), so every box the model can write is a valid box;
 * - trajectory: one coordinate-token pair `x y` per waypoint.
 *
 * x and y values use separate token sets, so the structure is visible in the tokens themselves.
 *
 * Decoding rebuilds the exact VLA-R1 answer text with `formatAnswer` (6-decimal numbers), so rewards and
 * metrics apply unchanged. Token sequences that break this structure decode to text that does not parse.
 */
import { formatAnswer } from '../protocol/answer.js';
import type { Action, TaskKind } from '../protocol/types.js';
import type { Axis, Tokenizer } from './tokenizer.js';
import { ANSWER, EOS, PAD, TASK_AFFORDANCE, TASK_TRAJECTORY, splitPieces } from './tokenizer.js';

/**
 * The prompt tokens: the task token, then the instruction as word pieces. Phrase merges are not applied to
 * instructions: a merged phrase ("pick up the red") would hide the words the model has to ground (the
 * colour, the object), and each merged variant would have to be learned separately.
 */
export function encodePrompt(tok: Tokenizer, instruction: string, kind: TaskKind): number[] {
  return [kind === 'affordance' ? TASK_AFFORDANCE : TASK_TRAJECTORY, ...tok.encodeText(instruction, { merges: false })];
}

/** The coordinate tokens of an action (no `<answer>`, no `<eos>`). */
export function encodeAction(tok: Tokenizer, action: Action): number[] {
  if (action.kind === 'affordance') {
    const { x, y, width, height } = action.box;
    return [tok.coordinateToken(x, 'x'), tok.coordinateToken(y, 'y'), tok.coordinateToken(width, 'x'), tok.coordinateToken(height, 'y')];
  }
  return action.points.flatMap(([x, y]) => [tok.coordinateToken(x, 'x'), tok.coordinateToken(y, 'y')]);
}

/** A number of a rationale that names a location or a size (`0.29`). */
const RATIONALE_NUMBER = /^ [01]\.[0-9]{2}$/;

/** The axis of the number at `pieces[i]` from its neighbours (`x 0.29`, `y 0.32`, `0.19 wide`, `0.14 tall`). */
function rationaleAxis(pieces: readonly string[], i: number): Axis | undefined {
  if (!RATIONALE_NUMBER.test(pieces[i] as string)) return undefined;
  const before = pieces[i - 1];
  const after = pieces[i + 1];
  if (before === ' x' || after === ' wide') return 'x';
  if (before === ' y' || after === ' tall') return 'y';
  return undefined;
}

/**
 * The rationale as tokens: text pieces, except that the locations and sizes it writes (`near x 0.29, y 0.32`,
 * `about 0.19 wide and 0.14 tall`) become coordinate tokens, so the model places them with the same tokens
 * (and the same pointer head) as the answer, and the answer can copy them. Decodes back to the same text
 * when the numbers have 2 decimals and the tokenizer has 100 bins.
 *
 * @example
 * tok.decodeText(encodeRationale(tok, 'the mug is near x 0.29, y 0.32.')); // 'the mug is near x 0.29, y 0.32.'
 */
export function encodeRationale(tok: Tokenizer, think: string): number[] {
  const pieces = splitPieces(think);
  const out: number[] = [];
  let text = '';
  pieces.forEach((piece, i) => {
    const axis = rationaleAxis(pieces, i);
    if (axis === undefined) {
      text += piece;
      return;
    }
    out.push(...tok.encodeText(text), tok.rationaleCoordinateToken(Number(piece), axis));
    text = '';
  });
  out.push(...tok.encodeText(text));
  return out;
}

/**
 * The target tokens of an answer: rationale, `<answer>`, action, `<eos>`.
 *
 * @example
 * encodeTarget(tok, 'the mug is left.', { kind: 'affordance', box }); // [...text, ANSWER, c, c, c, c, EOS]
 */
export function encodeTarget(tok: Tokenizer, think: string, action: Action): number[] {
  return [...encodeRationale(tok, think), ANSWER, ...encodeAction(tok, action), EOS];
}

/** The action the coordinate tokens after `<answer>` describe, or undefined when they do not fit `kind`. */
export function decodeAction(tok: Tokenizer, coords: readonly number[], kind: TaskKind): Action | undefined {
  if (coords.some((id, i) => !tok.isCoordinate(id) || tok.coordinateAxis(id) !== (i % 2 === 0 ? 'x' : 'y'))) return undefined;
  const v = coords.map((id) => tok.coordinateValue(id));
  if (kind === 'affordance') {
    if (v.length !== 4) return undefined;
    const [x, y, width, height] = v as [number, number, number, number];
    return { kind, box: { x, y, width, height } };
  }
  if (v.length < 2 || v.length % 2 !== 0) return undefined;
  const points: [number, number][] = [];
  for (let i = 0; i < v.length; i += 2) points.push([v[i] as number, v[i + 1] as number]);
  return { kind, points };
}

/**
 * The answer text of generated tokens (stopping at `<eos>`; `<pad>` is ignored).
 *
 * - well formed: exactly `formatAnswer(rationale, action)`;
 * - no `<answer>` (ran out of tokens while reasoning): `<think>` + the rationale so far;
 * - `<answer>` but no `<eos>`, or an action that does not fit the kind: the answer with an empty `<output>`.
 *
 * @example
 * decodeAnswer(tok, encodeTarget(tok, 'ok', action), action.kind); // formatAnswer('ok', quantised action)
 */
export function decodeAnswer(tok: Tokenizer, tokens: readonly number[], kind: TaskKind): string {
  const ids = tokens.filter((t) => t !== PAD);
  const answerAt = ids.indexOf(ANSWER);
  if (answerAt < 0) return `<think>${tok.decodeText(ids.filter((t) => t !== EOS))}`;
  const think = tok.decodeText(ids.slice(0, answerAt));
  const rest = ids.slice(answerAt + 1);
  const eosAt = rest.indexOf(EOS);
  const action = eosAt < 0 ? undefined : decodeAction(tok, rest.slice(0, eosAt), kind);
  if (action === undefined) return `<think>${think}</think> so, the answer is <output></output>`;
  return formatAnswer(think, action);
}
