import { describe, expect, it } from 'vitest';
import type { Action } from '../protocol/types.js';
import { meanPredictor, meanPredictorMetrics } from './baselines.js';

const box = (x: number, y: number, width: number, height: number): Action => ({ kind: 'affordance', box: { x, y, width, height } });
const path = (...points: [number, number][]): Action => ({ kind: 'trajectory', points });

describe('meanPredictor', () => {
  it('averages boxes component-wise in centre form', () => {
    const { box: b } = meanPredictor([box(0.2, 0.4, 0.1, 0.1), box(0.4, 0.6, 0.3, 0.1)]);
    expect(b?.x).toBeCloseTo(0.3, 12);
    expect(b?.y).toBeCloseTo(0.5, 12);
    expect(b?.width).toBeCloseTo(0.2, 12);
    expect(b?.height).toBeCloseTo(0.1, 12);
  });

  it('averages trajectories point-wise after resampling to the median point count', () => {
    const { trajectory } = meanPredictor([
      path([0, 0], [1, 0]),
      path([0, 1], [0.5, 1], [1, 1]),
      path([0, 0.5], [0.5, 0.5], [1, 0.5]),
    ]);
    expect(trajectory).toHaveLength(3);
    const [first, middle, last] = trajectory as [[number, number], [number, number], [number, number]];
    expect(first[0]).toBeCloseTo(0, 12);
    expect(middle[0]).toBeCloseTo(0.5, 12);
    expect(last[0]).toBeCloseTo(1, 12);
    expect(middle[1]).toBeCloseTo(0.5, 12);
  });

  it('has nothing to say about a kind it never saw', () => {
    expect(meanPredictor([box(0.5, 0.5, 0.2, 0.2)]).trajectory).toBeUndefined();
    expect(meanPredictor([]).box).toBeUndefined();
  });
});

describe('meanPredictorMetrics', () => {
  it('scores the mean box against each ground truth', () => {
    // Mean box: centre (0.5, 0.5), 0.2 × 0.2. Against itself IoU 1; against a disjoint box IoU 0.
    const m = meanPredictorMetrics([box(0.4, 0.5, 0.2, 0.2), box(0.6, 0.5, 0.2, 0.2)], [box(0.5, 0.5, 0.2, 0.2), box(0.1, 0.1, 0.1, 0.1)]);
    expect(m.affordance.n).toBe(2);
    expect(m.affordance.iou).toBeCloseTo(50, 6);
    expect(m.affordance.success_at_0_5).toBe(0.5);
    expect(m.affordance.parse_failure_rate).toBe(0);
  });

  it('gives distance 0 to a trajectory equal to the mean and counts a missing kind as a failure', () => {
    const train = [path([0, 0], [1, 1])];
    const m = meanPredictorMetrics(train, [path([0, 0], [1, 1]), box(0.5, 0.5, 0.1, 0.1)]);
    expect(m.trajectory.avg).toBeCloseTo(0, 9);
    expect(m.affordance.parse_failure_rate).toBe(1);
  });
});
