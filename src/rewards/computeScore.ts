import { hasThinkBlock } from '../protocol/answer.js';
import { boxGiou } from '../geometry/boxGiou.js';
import { boxIou } from '../geometry/boxIou.js';
import { alafDistanceFlat, ALAF_DEFAULTS, lastDiscreteFrechet } from '../geometry/alafDistance.js';
import { pyMin } from '../geometry/pythonMath.js';
import { OutputPayload } from './payloadShape.js';
import { ALL_STRICT_CHECKS, strictFormatViolations, type StrictFormatOptions } from './strictFormat.js';

/** Options of {@link computeScore}; the defaults are the official ones. */
export interface RewardOptions {
  /** λθ of the ALAF distance. Default 0.25. */
  readonly lambdaAngle?: number;
  /** λr of the ALAF distance. Default 0.10. */
  readonly lambdaLength?: number;
  /** Weight of the task score. Default 0.9. */
  readonly taskWeight?: number;
  /** Weight of the format score. Default 0.1. */
  readonly formatWeight?: number;
  /**
   * Stricter checks against known reward hacks (off by default; `true` = all of them), see
   * {@link StrictFormatOptions}: a response failing a format check (exactly one think and one output block, a
   * non-empty think, think before output) gets format 0; with `finiteNumbers`, a NaN or infinite number in
   * either payload gives task 0 (the official reward scores a box with a NaN coordinate as a perfect match).
   */
  readonly strict?: boolean | StrictFormatOptions;
}

/** The reward of one response, with diagnostics. Diagnostics are `null` where the official code has NaN. */
export interface RewardResult {
  /** `taskWeight·task + formatWeight·format`, in [0, 1] with the default weights. */
  readonly score: number;
  /** 1 when the response has a `<think>…</think>` block and a parseable `<output>` payload, else 0. */
  readonly formatScore: number;
  /** Box: (GIoU + 1)/2. Trajectory: 1 − min(1, ALAF/normaliser). 0 when the shapes do not match or on any error. */
  readonly taskScore: number;
  /** Which branch scored the pair ('none' when the payload shapes match neither). */
  readonly mode: 'box' | 'trajectory' | 'none';
  /** IoU of the clipped boxes (box mode). */
  readonly iou: number | null;
  /** GIoU of the clipped boxes, in [−1, 1] (box mode). */
  readonly giou: number | null;
  /** ALAF distance over its normaliser, capped at 1 (trajectory mode; the official `os_frechet_norm`). */
  readonly alaf: number | null;
  /** Plain discrete Fréchet distance over √2 (trajectory mode). */
  readonly dfd: number | null;
  /** Why the task score is 0 despite matching shapes (what the official code catches), or strict-format failures. */
  readonly error?: string;
}

/**
 * The ALAF normaliser `√2 + λθ·π + λr·ln 10` (2.429870… with the defaults): the official bound assuming a
 * Euclidean term ≤ √2, an angle ≤ π and a log length ratio ≤ ln 10.
 *
 * @example
 * alafNormaliser(0.25, 0.1); // 2.4298706...
 */
export function alafNormaliser(lambdaAngle: number, lambdaLength: number): number {
  return Math.SQRT2 + lambdaAngle * Math.PI + lambdaLength * Math.log(10);
}

function nullIfNaN(v: number): number | null {
  return v === v ? v : null;
}

interface TaskOutcome {
  mode: RewardResult['mode'];
  task: number;
  iou: number | null;
  giou: number | null;
  alaf: number | null;
  dfd: number | null;
  error?: string;
}

const predPayload = new OutputPayload();
const truthPayload = new OutputPayload();

function scoreTask(
  pred: OutputPayload,
  gt: OutputPayload,
  lambdaAngle: number,
  lambdaLength: number,
  requireFinite: boolean,
): TaskOutcome {
  const outcome: TaskOutcome = { mode: 'none', task: 0, iou: null, giou: null, alaf: null, dfd: null };
  if (pred.isBox && gt.isBox) {
    outcome.mode = 'box';
    const a = pred.corners(requireFinite);
    const b = gt.corners(requireFinite);
    if (a === undefined || b === undefined) {
      outcome.error = requireFinite
        ? 'a box value is not a finite number'
        : 'a box value is not a number Python float() can read';
      return outcome;
    }
    const giou = boxGiou(a, b);
    outcome.giou = giou;
    outcome.iou = nullIfNaN(boxIou(a, b));
    outcome.task = (giou + 1) / 2;
  } else if (pred.isTrajectory && gt.isTrajectory) {
    outcome.mode = 'trajectory';
    const m = gt.clippedTrajectory(requireFinite);
    const n = pred.clippedTrajectory(requireFinite);
    if (m < 0 || n < 0) {
      outcome.error = requireFinite
        ? 'a trajectory coordinate is not a finite number'
        : 'a trajectory coordinate is not a number Python float() can read';
      return outcome;
    }
    if (m === 0 || n === 0) {
      outcome.error = 'empty trajectory';
      return outcome;
    }
    const denominator = alafNormaliser(lambdaAngle, lambdaLength);
    if (denominator === 0) {
      outcome.error = 'float division by zero'; // the normaliser is 0 only for contrived weights; Python raises
      return outcome;
    }
    const raw = alafDistanceFlat(gt.buffer.data, m, pred.buffer.data, n, { lambdaAngle, lambdaLength }, true);
    const normalised = pyMin(1, raw / denominator);
    outcome.alaf = normalised;
    outcome.dfd = nullIfNaN(lastDiscreteFrechet() / Math.SQRT2);
    outcome.task = 1 - normalised;
  }
  return outcome;
}

function strictChecks(strict: RewardOptions['strict']): StrictFormatOptions | undefined {
  if (strict === undefined || strict === false) return undefined;
  return strict === true ? ALL_STRICT_CHECKS : strict;
}

/**
 * The VLA-R1 verifiable reward, with the exact semantics of the official `compute_score`
 * (`RFT_training/train_utils/robot_bbox_traj_norm.py`; DESIGN.md section 3): `score = 0.9·task + 0.1·format`.
 *
 * - Payloads: the first `<output>` block of each text, parsed like Python's `json.loads`; the ground truth is
 *   the full gpt answer. Format is 1 iff the response has a `<think>…</think>` block and a payload.
 * - Box mode (both payloads objects with x, y, width, height): numbers read like Python `float()` (numeric
 *   strings, booleans), centre form to clipped corners, task = (GIoU + 1)/2.
 * - Trajectory mode (both arrays of pairs): coordinates clipped to [0, 1], P = ground truth, Q = prediction,
 *   task = 1 − min(1, ALAF(P, Q)/(√2 + λθπ + λr ln 10)).
 * - Anything the official code would raise on (an unreadable number, an empty trajectory) gives task 0;
 *   other shapes (including a box against a trajectory) give task 0 with mode 'none'.
 *
 * Known difference: the official code recurses, so trajectories with m + n beyond ~1000 points raise
 * RecursionError there (task 0); here they are scored.
 *
 * Never throws for any pair of strings.
 *
 * @example
 * computeScore(
 *   '<think>…</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>',
 *   '<think>…</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>',
 * ).score; // 1
 */
export function computeScore(response: string, groundTruth: string, options: RewardOptions = {}): RewardResult {
  const lambdaAngle = options.lambdaAngle ?? ALAF_DEFAULTS.lambdaAngle;
  const lambdaLength = options.lambdaLength ?? ALAF_DEFAULTS.lambdaLength;
  const taskWeight = options.taskWeight ?? 0.9;
  const formatWeight = options.formatWeight ?? 0.1;
  const pred = predPayload.read(response);
  const gt = truthPayload.read(groundTruth);
  let formatScore = pred.present && hasThinkBlock(response) ? 1 : 0;
  const checks = strictChecks(options.strict);
  const violations = checks === undefined ? [] : strictFormatViolations(response, checks);
  if (violations.length > 0) formatScore = 0;
  let t: TaskOutcome;
  try {
    t = scoreTask(pred, gt, lambdaAngle, lambdaLength, checks?.finiteNumbers === true);
  } catch (error) {
    // Not expected (every failure the official code catches is handled above): a safety net so that a reward
    // never throws inside a training loop.
    t = { mode: 'none', task: 0, iou: null, giou: null, alaf: null, dfd: null, error: String(error) };
  }
  const result: RewardResult = {
    score: taskWeight * t.task + formatWeight * formatScore,
    formatScore,
    taskScore: t.task,
    mode: t.mode,
    iou: t.iou,
    giou: t.giou,
    alaf: t.alaf,
    dfd: t.dfd,
  };
  if (t.error === undefined && violations.length === 0) return result;
  const error = [t.error, ...violations.map((v) => `strict: ${v}`)].filter((e) => e !== undefined).join('; ');
  return { ...result, error };
}
