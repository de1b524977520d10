import { describe, expect, it } from 'vitest';
import { learningRate } from './schedule.js';

describe('learningRate', () => {
  const o = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, minRatio: 0.1 };
  it('warms up linearly, then decays along a cosine to the floor', () => {
    expect(learningRate(o, 1)).toBeCloseTo(1e-4, 12);
    expect(learningRate(o, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRate(o, 60)).toBeCloseTo(1e-4 + 0.9e-3 * 0.5, 12);
    expect(learningRate(o, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRate(o, 500)).toBeCloseTo(1e-4, 12);
  });
  it('is monotone after the warm-up', () => {
    for (let t = 11; t < 110; t++) expect(learningRate(o, t + 1)).toBeLessThanOrEqual(learningRate(o, t));
  });
});
