import { alafDistancesInto, ALAF_DEFAULTS } from '../geometry/alafDistance.js';
import { cornerBoxScoresInto } from '../geometry/boxScores.js';
import { pyMin } from '../geometry/pythonMath.js';
import { hasThinkPair } from './answerTags.js';
import { nativeScoreInto } from './nativeReward.js';
import { OutputPayload } from './payloadShape.js';

/**
 * The allocation-free core of the reward: {@link scoreInto} writes one reward into a Float64Array at these
 * indices (a diagnostic the mode does not define, the official NaN, is NaN), so a batch scorer (the
 * `vla-r1 reward` command) allocates nothing per line; `computeScore` wraps it into a `RewardResult`.
 */
export const RewardSlot = {
  score: 0,
  formatScore: 1,
  taskScore: 2,
  iou: 3,
  giou: 4,
  alaf: 5,
  dfd: 6,
  /** 0 none, 1 box, 2 trajectory (see {@link REWARD_MODES}). */
  mode: 7,
  /** A {@link TaskError} code. */
  error: 8,
} as const;

/** Length of the array {@link scoreInto} writes. */
export const REWARD_SLOTS = 9;

/** Mode names by the code in `out[RewardSlot.mode]`. */
export const REWARD_MODES = ['none', 'box', 'trajectory'] as const;

/** Why the task score is 0 despite matching shapes (what the official code catches), by the code in `out[RewardSlot.error]`. */
export const TASK_ERRORS = [
  '',
  'a box value is not a number Python float() can read',
  'a box value is not a finite number',
  'a trajectory coordinate is not a number Python float() can read',
  'a trajectory coordinate is not a finite number',
  'empty trajectory',
  'float division by zero', // the normaliser is 0 only for contrived weights; Python raises
  'unexpected error',
] as const;

const MODE_BOX = 1;
const MODE_TRAJECTORY = 2;
const UNEXPECTED = 7;

/**
 * The ALAF normaliser `√2 + λθ·π + λr·ln 10` (2.429870… with the defaults): the official bound assuming a
 * Euclidean term ≤ √2, an angle ≤ π and a log length ratio ≤ ln 10.
 *
 * @example
 * alafNormaliser(0.25, 0.1); // 2.4298706...
 */
export function alafNormaliser(lambdaAngle: number, lambdaLength: number): number {
  return Math.SQRT2 + lambdaAngle * Math.PI + lambdaLength * Math.LN10; // Math.LN10 === Math.log(10), as Python's math.log(10)
}

const predPayload = new OutputPayload();
const truthPayload = new OutputPayload();
/** The clipped corners of the predicted box (0..4) and of the ground-truth box (4..8). */
const corners = new Float64Array(8);
/** The message of the last unexpected exception caught by {@link scoreInto} (its error code 7). */
let unexpected = '';

/**
 * The message behind error code 7 (an unexpected exception) of the last {@link scoreInto} call that had one.
 *
 * @example
 * if (out[RewardSlot.error] === 7) console.warn(lastUnexpectedError());
 */
export function lastUnexpectedError(): string {
  return unexpected;
}

/**
 * Task score and diagnostics into `out` (everything through typed arrays: a number returned from a call that is
 * not inlined would be boxed, a heap allocation).
 */
function scoreTask(
  pred: OutputPayload,
  gt: OutputPayload,
  lambdaAngle: number,
  lambdaLength: number,
  requireFinite: boolean,
  out: Float64Array,
): void {
  out[RewardSlot.taskScore] = 0;
  if (pred.isBox && gt.isBox) {
    out[RewardSlot.mode] = MODE_BOX;
    if (!pred.cornersInto(corners, 0, requireFinite) || !gt.cornersInto(corners, 4, requireFinite)) {
      out[RewardSlot.error] = requireFinite ? 2 : 1;
      return;
    }
    cornerBoxScoresInto(corners, out, RewardSlot.iou, RewardSlot.giou);
    out[RewardSlot.taskScore] = (out[RewardSlot.giou]! + 1) / 2;
    return;
  }
  if (pred.isTrajectory && gt.isTrajectory) {
    out[RewardSlot.mode] = MODE_TRAJECTORY;
    const m = gt.clippedTrajectory(requireFinite);
    const n = pred.clippedTrajectory(requireFinite);
    if (m < 0 || n < 0) {
      out[RewardSlot.error] = requireFinite ? 4 : 3;
      return;
    }
    if (m === 0 || n === 0) {
      out[RewardSlot.error] = 5;
      return;
    }
    const denominator = alafNormaliser(lambdaAngle, lambdaLength);
    if (denominator === 0) {
      out[RewardSlot.error] = 6;
      return;
    }
    alafDistancesInto(gt.buffer.data, m, pred.buffer.data, n, lambdaAngle, lambdaLength, out, RewardSlot.alaf);
    const normalised = pyMin(1, out[RewardSlot.alaf]! / denominator);
    out[RewardSlot.alaf] = normalised;
    out[RewardSlot.dfd] = out[RewardSlot.dfd]! / Math.SQRT2;
    out[RewardSlot.taskScore] = 1 - normalised;
  }
}

/**
 * The VLA-R1 reward of one response (the official semantics; see `computeScore`, which wraps this), written into
 * `out` at the {@link RewardSlot} indices with the official weights: `score = 0.9·task + 0.1·format`. Plain
 * box and trajectory payloads are scored in C where the addon is built (`nativeReward.ts`), everything else by
 * {@link scoreIntoTypeScript}; the two agree to ~1e-16. Allocates nothing once warm (beyond what reading an
 * unusual payload needs). Never throws for any pair of strings.
 *
 * @example
 * const out = new Float64Array(REWARD_SLOTS);
 * const gt = '<think>…</think> so, the answer is <output>[[0.1, 0.2], [0.3, 0.4]]</output>';
 * scoreInto(gt, gt, out);
 * out[RewardSlot.score]; // 1 (to ~1e-8: acos rounding)
 * REWARD_MODES[out[RewardSlot.mode]]; // 'trajectory'
 */
export function scoreInto(
  response: string,
  groundTruth: string,
  out: Float64Array,
  lambdaAngle: number = ALAF_DEFAULTS.lambdaAngle,
  lambdaLength: number = ALAF_DEFAULTS.lambdaLength,
  requireFinite = false,
): Float64Array {
  // The C reader takes only finite numbers, so `requireFinite` changes nothing on the pairs it scores.
  if (nativeScoreInto(response, groundTruth, out, lambdaAngle, lambdaLength)) return out;
  return scoreIntoTypeScript(response, groundTruth, out, lambdaAngle, lambdaLength, requireFinite);
}

/**
 * {@link scoreInto} in TypeScript alone: the reference the C reward is tested against, and what scores every
 * pair the C reward declines (or all of them, without the addon).
 *
 * @example
 * const out = new Float64Array(REWARD_SLOTS);
 * const answer = '<think>…</think> <output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>';
 * scoreIntoTypeScript(answer, answer, out)[RewardSlot.score]; // 1
 */
export function scoreIntoTypeScript(
  response: string,
  groundTruth: string,
  out: Float64Array,
  lambdaAngle: number = ALAF_DEFAULTS.lambdaAngle,
  lambdaLength: number = ALAF_DEFAULTS.lambdaLength,
  requireFinite = false,
): Float64Array {
  const pred = predPayload.read(response);
  const formatScore = pred.present && hasThinkPair(response) ? 1 : 0;
  // The ground truth matters only in the prediction's shape (any other gives mode 'none'): read only that.
  const gt = truthPayload.read(groundTruth, pred.isBox ? 'box' : pred.isTrajectory ? 'trajectory' : 'none');
  out[RewardSlot.mode] = 0;
  out[RewardSlot.error] = 0;
  out[RewardSlot.iou] = NaN;
  out[RewardSlot.giou] = NaN;
  out[RewardSlot.alaf] = NaN;
  out[RewardSlot.dfd] = NaN;
  try {
    scoreTask(pred, gt, lambdaAngle, lambdaLength, requireFinite, out);
  } catch (error) {
    // Not expected (every failure the official code catches is handled above): a safety net so that a reward
    // never throws inside a training loop.
    unexpected = String(error);
    out[RewardSlot.mode] = 0;
    out[RewardSlot.error] = UNEXPECTED;
    out[RewardSlot.iou] = out[RewardSlot.giou] = out[RewardSlot.alaf] = out[RewardSlot.dfd] = NaN;
    out[RewardSlot.taskScore] = 0;
  }
  out[RewardSlot.formatScore] = formatScore;
  out[RewardSlot.score] = 0.9 * out[RewardSlot.taskScore]! + 0.1 * formatScore;
  return out;
}
