import { ALAF_DEFAULTS } from '../geometry/alafDistance.js';
import { lastUnexpectedError, REWARD_MODES, REWARD_SLOTS, RewardSlot, scoreInto, TASK_ERRORS } from './scoreInto.js';
import { ALL_STRICT_CHECKS, strictFormatViolations, type StrictFormatOptions } from './strictFormat.js';

export { alafNormaliser } from './scoreInto.js';

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

const slots = new Float64Array(REWARD_SLOTS);
/** The default options and "no strict violation", shared so that a call with the defaults allocates only its result. */
const DEFAULT_OPTIONS: RewardOptions = {};
const NO_VIOLATIONS: readonly string[] = [];

function nullIfNaN(v: number): number | null {
  return v === v ? v : null;
}

function strictChecks(strict: true | StrictFormatOptions): StrictFormatOptions {
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
export function computeScore(response: string, groundTruth: string, options: RewardOptions = DEFAULT_OPTIONS): RewardResult {
  const lambdaAngle = options.lambdaAngle ?? ALAF_DEFAULTS.lambdaAngle;
  const lambdaLength = options.lambdaLength ?? ALAF_DEFAULTS.lambdaLength;
  const taskWeight = options.taskWeight ?? 0.9;
  const formatWeight = options.formatWeight ?? 0.1;
  const checks = options.strict === undefined || options.strict === false ? undefined : strictChecks(options.strict);
  const out = scoreInto(response, groundTruth, slots, lambdaAngle, lambdaLength, checks?.finiteNumbers === true);
  let formatScore = out[RewardSlot.formatScore]!;
  const taskScore = out[RewardSlot.taskScore]!;
  const violations = checks === undefined ? NO_VIOLATIONS : strictFormatViolations(response, checks);
  if (violations.length > 0) formatScore = 0;
  const result: RewardResult = {
    score: taskWeight * taskScore + formatWeight * formatScore,
    formatScore,
    taskScore,
    mode: REWARD_MODES[out[RewardSlot.mode]!]!,
    iou: nullIfNaN(out[RewardSlot.iou]!),
    giou: nullIfNaN(out[RewardSlot.giou]!),
    alaf: nullIfNaN(out[RewardSlot.alaf]!),
    dfd: nullIfNaN(out[RewardSlot.dfd]!),
  };
  const code = out[RewardSlot.error]!;
  if (code === 0 && violations.length === 0) return result;
  const taskError = code === 0 ? undefined : code === 7 ? lastUnexpectedError() : TASK_ERRORS[code];
  const error = [taskError, ...violations.map((v) => `strict: ${v}`)].filter((e) => e !== undefined).join('; ');
  return { ...result, error };
}
