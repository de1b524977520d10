/**
 * The grammar of generated token sequences (see `answer-tokens.ts`), as a small state machine. Sampling can
 * restrict each step to the tokens the grammar allows, and GRPO's log-probabilities apply the same
 * restriction, so the sampled distribution and the trained one are the same distribution:
 *
 * - reasoning: any text or coordinate token (a rationale writes locations as coordinates), or `<answer>`
 *   (with `thinking: false`, only `<answer>`: an empty rationale); after a coordinate, a text token (a
 *   rationale never writes two coordinates in a row: `near x 0.29, y 0.32`, `0.19 wide and 0.14 tall`);
 * - affordance answer: exactly 4 coordinates `x y x y`, then `<eos>`;
 * - trajectory answer: `x y` pairs (at least one, at most `maxPoints`), then `<eos>`;
 * - after `<eos>`: `<pad>`.
 *
 * With a token budget (the generation's length cap), reasoning must end while the longest answer still fits:
 * once only {@link answerReserve} tokens are left, `<answer>` is the one token allowed (and a trajectory ends
 * early when another waypoint would not fit a budget shorter than that). An undertrained model
 * that loops in its rationale then still writes an answer instead of running out of tokens (the "budget
 * forcing" of test-time reasoning work). No training target is affected: the budget is the longest target's
 * length, so every training rationale ends in time.
 */
import type { TaskKind } from '../protocol/types.js';
import type { Tokenizer } from './tokenizer.js';
import { ANSWER, EOS, PAD } from './tokenizer.js';

/** What may come next. */
export const GRAMMAR_CLASSES = ['reasoning', 'x', 'y', 'x-or-eos', 'eos', 'pad', 'answer', 'reasoning-text'] as const;
export type GrammarClass = (typeof GRAMMAR_CLASSES)[number];

/** The classes of the reasoning phase (before and including `<answer>`). */
const REASONING_CLASSES: ReadonlySet<GrammarClass> = new Set(['reasoning', 'reasoning-text', 'answer']);

/**
 * A sampling temperature per grammar class (indexed like {@link GRAMMAR_CLASSES}): `reasoning` for every step of
 * the rationale (words and coordinates alike, and the `<answer>` that ends it), `answer` for the answer's steps.
 * Each step's softmax has one temperature, so no choice within a step (another waypoint or the end) is tilted.
 *
 * @example
 * classTemperatures(1, 0.5)[GRAMMAR_CLASSES.indexOf('reasoning')]; // 0.5
 */
export function classTemperatures(answer: number, reasoning: number): Float32Array {
  return Float32Array.from(GRAMMAR_CLASSES, (cls) => (REASONING_CLASSES.has(cls) ? reasoning : answer));
}

/** Grammar settings stored with a checkpoint. */
export interface GrammarOptions {
  /** Largest number of trajectory waypoints. */
  readonly maxPoints: number;
  /** False for models trained without rationales (`--no-cot`): the rationale is empty. */
  readonly thinking: boolean;
}

/** The incremental state of one sequence. */
export interface GrammarState {
  readonly kind: TaskKind;
  readonly phase: 'reasoning' | 'answer' | 'done';
  /** Coordinates written in the answer. */
  readonly coordinates: number;
  /** While reasoning: the last token was a coordinate. */
  readonly afterCoordinate: boolean;
  /** Tokens generated so far. */
  readonly written: number;
}

/** What the grammar needs to know of the vocabulary. */
export type CoordinateTest = Pick<Tokenizer, 'isCoordinate'>;

/** The start state for a task kind. */
export function startState(kind: TaskKind): GrammarState {
  return { kind, phase: 'reasoning', coordinates: 0, afterCoordinate: false, written: 0 };
}

/**
 * Tokens the longest answer of a kind takes: `<answer>`, its coordinates (4 for a box, 2 per waypoint) and
 * `<eos>`.
 *
 * @example
 * answerReserve('affordance', { maxPoints: 8, thinking: true }); // 6
 * answerReserve('trajectory', { maxPoints: 8, thinking: true }); // 18
 */
export function answerReserve(kind: TaskKind, options: GrammarOptions): number {
  return 2 + (kind === 'affordance' ? 4 : 2 * options.maxPoints);
}

/**
 * The class of tokens allowed in `state`, for a sequence of at most `budget` tokens (reasoning is cut short
 * when only {@link answerReserve} tokens are left).
 *
 * @example
 * allowedClass(startState('affordance'), { maxPoints: 8, thinking: true }); // 'reasoning'
 * allowedClass(startState('affordance'), { maxPoints: 8, thinking: true }, 6); // 'answer'
 */
export function allowedClass(state: GrammarState, options: GrammarOptions, budget = Infinity): GrammarClass {
  if (state.phase === 'done') return 'pad';
  if (state.phase === 'reasoning') {
    if (!options.thinking || budget - state.written <= answerReserve(state.kind, options)) return 'answer';
    return state.afterCoordinate ? 'reasoning-text' : 'reasoning';
  }
  const n = state.coordinates;
  if (state.kind === 'affordance') return n >= 4 ? 'eos' : n % 2 === 0 ? 'x' : 'y';
  if (n % 2 === 1) return 'y';
  if (n === 0) return 'x';
  // Another waypoint takes x, y and then `<eos>`: stop when it would not fit.
  return n >= 2 * options.maxPoints || budget - state.written < 3 ? 'eos' : 'x-or-eos';
}

/** The state after `token`. */
export function advance(state: GrammarState, token: number, tok: CoordinateTest): GrammarState {
  const written = state.written + 1;
  if (state.phase === 'done' || token === EOS) return { ...state, phase: 'done', written };
  if (state.phase === 'reasoning') {
    return token === ANSWER ? { ...state, phase: 'answer', afterCoordinate: false, written } : { ...state, afterCoordinate: tok.isCoordinate(token), written };
  }
  return { ...state, coordinates: state.coordinates + 1, written };
}

/**
 * The grammar class index of every position of target sequences (what was allowed when each token was
 * produced, under the same token `budget` as the generation), for applying the grammar inside a jitted
 * log-probability function.
 */
export function classesOf(kind: TaskKind, tokens: readonly number[], options: GrammarOptions, tok: CoordinateTest, budget = Infinity): number[] {
  let state = startState(kind);
  return tokens.map((t) => {
    const cls = GRAMMAR_CLASSES.indexOf(allowedClass(state, options, budget));
    state = advance(state, t, tok);
    return cls;
  });
}

/** Whether `id` belongs to a class. */
export function allows(tok: Tokenizer, cls: GrammarClass, id: number): boolean {
  switch (cls) {
    case 'reasoning':
      return tok.isText(id) || tok.isCoordinate(id) || id === ANSWER;
    case 'reasoning-text':
      return tok.isText(id);
    case 'answer':
      return id === ANSWER;
    case 'x':
    case 'y':
      return tok.isCoordinate(id) && tok.coordinateAxis(id) === cls;
    case 'x-or-eos':
      return (tok.isCoordinate(id) && tok.coordinateAxis(id) === 'x') || id === EOS;
    case 'eos':
      return id === EOS;
    case 'pad':
      return id === PAD;
  }
}

/**
 * The additive logit masks of every class, `[classes × vocab]` row-major: 0 where allowed, -1e9 elsewhere.
 */
export function maskTable(tok: Tokenizer): Float32Array {
  const V = tok.vocabSize;
  const table = new Float32Array(GRAMMAR_CLASSES.length * V);
  GRAMMAR_CLASSES.forEach((cls, c) => {
    for (let id = 0; id < V; id++) table[c * V + id] = allows(tok, cls, id) ? 0 : -1e9;
  });
  return table;
}
