/**
 * Evaluation metrics of the VLA-R1 paper (Table III), per sample and aggregated into `metrics.json`.
 *
 * - Affordance: IoU of the corner boxes made from the centre form (clipped to the image), reported ×100, and
 *   success@0.5 (IoU ≥ 0.5) as a fraction.
 * - Trajectory: coordinates clipped to [0, 1] and scaled by 1000, then DFD (discrete Fréchet), HD (symmetric
 *   Hausdorff over the waypoints), RMSE (both polylines resampled uniformly by arc length to max(m, n) points)
 *   and Avg, the mean of the three. Lower is better.
 * - A prediction that does not parse as the ground truth's kind (see `parseAnswer`) is a failure: IoU 0, and
 *   {@link FAILED_TRAJECTORY_DISTANCE} for each of DFD, HD and RMSE in the headline means. `parse_failure_rate`
 *   is reported beside them and `parsed_only` repeats the trajectory means over the parsed answers alone.
 *
 * @module
 */
import { z } from 'zod';
import { boxIou, discreteFrechet, hausdorff, trajectoryRmse } from '../geometry/index.js';
import { extractOutputPayload, parseAnswer } from '../protocol/answer.js';
import { centreToCorners, clip01 } from '../protocol/boxes.js';
import type { Action, Box, Point, TaskKind, Trajectory } from '../protocol/types.js';

export { referenceNumbers } from './metrics-reference.js';
export type { ReferenceKey, ReferenceRow } from './metrics-reference.js';

/** The trajectory scale of the paper: normalised coordinates × 1000. */
export const TRAJECTORY_SCALE = 1000;

/** DFD, HD and RMSE charged to a trajectory answer that does not parse. */
export const FAILED_TRAJECTORY_DISTANCE = 1000;

/** IoU at or above which an affordance answer is a success. */
export const SUCCESS_IOU = 0.5;

/** Why a prediction was not scored: a `parseAnswer` error code, or a trajectory with no points. */
export type SampleFailure = 'no-output' | 'bad-json' | 'wrong-shape' | 'out-of-range' | 'empty-trajectory';

/** Metrics of one affordance sample. */
export interface AffordanceSampleMetrics {
  readonly kind: 'affordance';
  /** True when the prediction parsed as a box. */
  readonly parsed: boolean;
  /** Why not, when `parsed` is false. */
  readonly failure?: SampleFailure;
  /** IoU in [0, 1] (not ×100); 0 for a failure. */
  readonly iou: number;
}

/** Metrics of one trajectory sample, on the [0, 1000) scale. */
export interface TrajectorySampleMetrics {
  readonly kind: 'trajectory';
  /** True when the prediction parsed as a non-empty trajectory. */
  readonly parsed: boolean;
  /** Why not, when `parsed` is false. */
  readonly failure?: SampleFailure;
  /** Discrete Fréchet distance; {@link FAILED_TRAJECTORY_DISTANCE} for a failure. */
  readonly dfd: number;
  /** Symmetric Hausdorff distance over the waypoints; 1000 for a failure. */
  readonly hd: number;
  /** RMSE after arc-length resampling of both to max(m, n) points; 1000 for a failure. */
  readonly rmse: number;
  /** Mean of dfd, hd and rmse. */
  readonly avg: number;
}

/** Metrics of one sample; `kind` is the ground truth's. */
export type SampleMetrics = AffordanceSampleMetrics | TrajectorySampleMetrics;

const nullableNumber = z.number().nullable();

/** Schema of the trajectory means. */
export const trajectoryMeansSchema = z.object({
  dfd: nullableNumber,
  hd: nullableNumber,
  rmse: nullableNumber,
  avg: nullableNumber,
});

/** Schema of `metrics.json` (DESIGN.md section 4); means are null when there is nothing to average. */
export const evalMetricsSchema = z.object({
  affordance: z.object({
    n: z.number().int().nonnegative(),
    /** Mean IoU × 100. */
    iou: nullableNumber,
    /** Fraction of samples with IoU ≥ 0.5. */
    success_at_0_5: nullableNumber,
    parse_failure_rate: nullableNumber,
  }),
  trajectory: trajectoryMeansSchema.extend({
    n: z.number().int().nonnegative(),
    parse_failure_rate: nullableNumber,
    parsed_only: trajectoryMeansSchema,
  }),
});

/** The `metrics.json` of one evaluation. */
export type EvalMetrics = z.infer<typeof evalMetricsSchema>;

/** Trajectory means ({@link EvalMetrics}`.trajectory` without n and rates). */
export type TrajectoryMeans = z.infer<typeof trajectoryMeansSchema>;

function toMetricScale(points: Trajectory): Point[] {
  return points.map(([x, y]) => [clip01(x) * TRAJECTORY_SCALE, clip01(y) * TRAJECTORY_SCALE] as const);
}

/**
 * The action of an answer that `parseAnswer` rejected as `out-of-range` (right shape, JSON numbers, some value
 * outside [0, 1]): the metrics clip such coordinates instead of failing the answer. Non-finite values
 * (NaN, ±Infinity) cannot be clipped meaningfully and stay failures (`undefined`).
 */
function outOfRangeAction(text: string, kind: TaskKind): Action | undefined {
  const payload = extractOutputPayload(text);
  if (typeof payload !== 'object' || payload === null) return undefined;
  if (kind === 'affordance') {
    const b = payload as Record<keyof Box, number>;
    const box: Box = { x: b.x, y: b.y, width: b.width, height: b.height };
    return Object.values(box).every(Number.isFinite) ? { kind, box } : undefined;
  }
  const points = payload as [number, number][];
  return points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) ? { kind, points } : undefined;
}

/** The prediction as an action of `kind`, or why it is a failure. */
function readPrediction(text: string, kind: TaskKind): Action | SampleFailure {
  const parsed = parseAnswer(text, kind);
  if (parsed.ok) return parsed.action.kind === kind ? parsed.action : 'wrong-shape';
  if (parsed.error.code !== 'out-of-range') return parsed.error.code;
  return outOfRangeAction(text, kind) ?? 'out-of-range';
}

function affordanceFailure(failure: SampleFailure): AffordanceSampleMetrics {
  return { kind: 'affordance', parsed: false, failure, iou: 0 };
}

function trajectoryFailure(failure: SampleFailure): TrajectorySampleMetrics {
  const d = FAILED_TRAJECTORY_DISTANCE;
  return { kind: 'trajectory', parsed: false, failure, dfd: d, hd: d, rmse: d, avg: d };
}

/**
 * IoU of two centre-form boxes, as corner boxes clipped to the image.
 *
 * @example
 * affordanceIou({ x: 0.6, y: 0.5, width: 0.4, height: 0.4 }, { x: 0.5, y: 0.5, width: 0.4, height: 0.4 }); // 0.6
 */
export function affordanceIou(prediction: Box, groundTruth: Box): number {
  return boxIou(centreToCorners(prediction), centreToCorners(groundTruth));
}

/**
 * DFD, HD, RMSE and Avg of a predicted trajectory against the ground truth, after clipping to [0, 1] and
 * scaling to [0, 1000). Both must have at least one point.
 *
 * @example
 * trajectoryDistances([[0, 0.1], [0.3, 0.5]], [[0, 0], [0.3, 0.4]]);
 * // { dfd: 100, hd: 100, rmse: 100, avg: 100 } (up to rounding)
 */
export function trajectoryDistances(
  prediction: Trajectory,
  groundTruth: Trajectory,
): { dfd: number; hd: number; rmse: number; avg: number } {
  if (prediction.length === 0 || groundTruth.length === 0) {
    throw new RangeError('trajectoryDistances: both trajectories need at least one point');
  }
  const p = toMetricScale(prediction);
  const g = toMetricScale(groundTruth);
  const dfd = discreteFrechet(p, g);
  const hd = hausdorff(p, g);
  const rmse = trajectoryRmse(p, g);
  return { dfd, hd, rmse, avg: (dfd + hd + rmse) / 3 };
}

/**
 * Score one predicted answer text against the ground-truth action.
 *
 * The prediction is parsed with `parseAnswer(text, groundTruth.kind)`: an answer of the other kind, without a
 * parseable `<output>`, or (trajectory) with no points is a failure (IoU 0, or 1000 for each distance).
 * Finite coordinates outside [0, 1] are not failures: they are clipped, as the paper's metrics do
 * (`parseAnswer` calls them `out-of-range`; NaN and ±Infinity stay failures).
 * Throws a `RangeError` when the ground truth is a trajectory with no points.
 *
 * @example
 * const gt = { kind: 'affordance', box: { x: 0.5, y: 0.5, width: 0.4, height: 0.4 } } as const;
 * sampleMetrics('<think>…</think> so, the answer is <output>{"x": 0.6, "y": 0.5, "width": 0.4, "height": 0.4}</output>', gt);
 * // { kind: 'affordance', parsed: true, iou: 0.6 } (up to rounding)
 */
export function sampleMetrics(prediction: string, groundTruth: Action): SampleMetrics {
  if (groundTruth.kind === 'trajectory' && groundTruth.points.length === 0) {
    throw new RangeError('sampleMetrics: the ground-truth trajectory has no points');
  }
  const action = readPrediction(prediction, groundTruth.kind);
  if (groundTruth.kind === 'affordance') {
    if (typeof action === 'string') return affordanceFailure(action);
    if (action.kind !== 'affordance') return affordanceFailure('wrong-shape');
    return { kind: 'affordance', parsed: true, iou: affordanceIou(action.box, groundTruth.box) };
  }
  if (typeof action === 'string') return trajectoryFailure(action);
  if (action.kind !== 'trajectory') return trajectoryFailure('wrong-shape');
  if (action.points.length === 0) return trajectoryFailure('empty-trajectory');
  return { kind: 'trajectory', parsed: true, ...trajectoryDistances(action.points, groundTruth.points) };
}

function mean(sum: number, n: number): number | null {
  return n > 0 ? sum / n : null;
}

function avgOf(dfd: number | null, hd: number | null, rmse: number | null): number | null {
  return dfd === null || hd === null || rmse === null ? null : (dfd + hd + rmse) / 3;
}

/**
 * Aggregate per-sample metrics into the `metrics.json` shape (DESIGN.md section 4).
 *
 * Affordance: mean IoU ×100, success@0.5 as a fraction, parse-failure rate. Trajectory: mean DFD, HD, RMSE
 * (failures count 1000), Avg = their mean, parse-failure rate, and the same means over parsed answers only.
 * Means over no samples are null.
 *
 * @example
 * aggregateMetrics([{ kind: 'affordance', parsed: true, iou: 0.6 }, { kind: 'affordance', parsed: false, failure: 'no-output', iou: 0 }]);
 * // { affordance: { n: 2, iou: 30, success_at_0_5: 0.5, parse_failure_rate: 0.5 }, trajectory: { n: 0, dfd: null, ... } }
 */
export function aggregateMetrics(samples: Iterable<SampleMetrics>): EvalMetrics {
  let affN = 0;
  let affFailed = 0;
  let affSuccess = 0;
  let iouSum = 0;
  let trajN = 0;
  let trajFailed = 0;
  const all = { dfd: 0, hd: 0, rmse: 0 };
  const parsedOnly = { dfd: 0, hd: 0, rmse: 0 };
  for (const s of samples) {
    if (s.kind === 'affordance') {
      affN += 1;
      if (!s.parsed) affFailed += 1;
      iouSum += s.iou;
      if (s.iou >= SUCCESS_IOU) affSuccess += 1;
    } else {
      trajN += 1;
      all.dfd += s.dfd;
      all.hd += s.hd;
      all.rmse += s.rmse;
      if (s.parsed) {
        parsedOnly.dfd += s.dfd;
        parsedOnly.hd += s.hd;
        parsedOnly.rmse += s.rmse;
      } else {
        trajFailed += 1;
      }
    }
  }
  const iouMean = mean(iouSum, affN);
  const dfd = mean(all.dfd, trajN);
  const hd = mean(all.hd, trajN);
  const rmse = mean(all.rmse, trajN);
  const parsedN = trajN - trajFailed;
  const pDfd = mean(parsedOnly.dfd, parsedN);
  const pHd = mean(parsedOnly.hd, parsedN);
  const pRmse = mean(parsedOnly.rmse, parsedN);
  return {
    affordance: {
      n: affN,
      iou: iouMean === null ? null : iouMean * 100,
      success_at_0_5: mean(affSuccess, affN),
      parse_failure_rate: mean(affFailed, affN),
    },
    trajectory: {
      n: trajN,
      dfd,
      hd,
      rmse,
      avg: avgOf(dfd, hd, rmse),
      parse_failure_rate: mean(trajFailed, trajN),
      parsed_only: { dfd: pDfd, hd: pHd, rmse: pRmse, avg: avgOf(pDfd, pHd, pRmse) },
    },
  };
}
