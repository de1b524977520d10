/**
 * Reference predictors that ignore the image and the instruction: the mean box and the mean trajectory of
 * the training split. A model that grounds must beat them; the targets are stated against them.
 */
import { resampleByArcLength } from '../geometry/index.js';
import { formatAnswer } from '../protocol/answer.js';
import type { Action, Box, Point } from '../protocol/types.js';
import type { EvalMetrics, SampleMetrics } from './metrics.js';
import { aggregateMetrics, sampleMetrics } from './metrics.js';

/** The image-blind predictions: one box and one trajectory. */
export interface MeanPredictor {
  readonly box: Box | undefined;
  readonly trajectory: Point[] | undefined;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

/**
 * The mean predictor of a set of training actions: the component-wise mean box (centre form), and the
 * point-wise mean of the trajectories after arc-length resampling to their median point count.
 *
 * @example
 * meanPredictor([{ kind: 'affordance', box: { x: 0.2, y: 0.4, width: 0.1, height: 0.1 } },
 *                { kind: 'affordance', box: { x: 0.4, y: 0.6, width: 0.3, height: 0.1 } }]).box;
 * // { x: 0.3, y: 0.5, width: 0.2, height: 0.1 } (up to rounding)
 */
export function meanPredictor(actions: readonly Action[]): MeanPredictor {
  const boxes: Box[] = [];
  const trajectories: (readonly Point[])[] = [];
  for (const a of actions) {
    if (a.kind === 'affordance') boxes.push(a.box);
    else if (a.points.length > 0) trajectories.push(a.points);
  }
  let box: Box | undefined;
  if (boxes.length > 0) {
    const sum = { x: 0, y: 0, width: 0, height: 0 };
    for (const b of boxes) {
      sum.x += b.x;
      sum.y += b.y;
      sum.width += b.width;
      sum.height += b.height;
    }
    const n = boxes.length;
    box = { x: sum.x / n, y: sum.y / n, width: sum.width / n, height: sum.height / n };
  }
  let trajectory: Point[] | undefined;
  if (trajectories.length > 0) {
    const count = Math.max(2, medianOf(trajectories.map((t) => t.length)));
    const sums = Array.from({ length: count }, () => [0, 0]);
    for (const t of trajectories) {
      const resampled = t.length === 1 ? Array.from({ length: count }, () => t[0] as Point) : resampleByArcLength(t, count);
      resampled.forEach(([x, y], i) => {
        const s = sums[i] as number[];
        s[0] = (s[0] as number) + x;
        s[1] = (s[1] as number) + y;
      });
    }
    trajectory = sums.map(([x, y]) => [(x as number) / trajectories.length, (y as number) / trajectories.length] as const);
  }
  return { box, trajectory };
}

/**
 * The metrics (`metrics.json` shape) of answering every evaluation record with the mean predictor of the
 * training actions; a kind the training split lacks counts as a parse failure.
 *
 * @example
 * meanPredictorMetrics(trainRecords.map((r) => r.action), testRecords.map((r) => r.action)).affordance.iou;
 */
export function meanPredictorMetrics(train: readonly Action[], evaluation: readonly Action[]): EvalMetrics {
  const predictor = meanPredictor(train);
  const samples: SampleMetrics[] = evaluation.map((truth) => {
    const action: Action | undefined =
      truth.kind === 'affordance'
        ? predictor.box && { kind: 'affordance', box: predictor.box }
        : predictor.trajectory && { kind: 'trajectory', points: predictor.trajectory };
    return sampleMetrics(action === undefined ? '' : formatAnswer('', action), truth);
  });
  return aggregateMetrics(samples);
}
