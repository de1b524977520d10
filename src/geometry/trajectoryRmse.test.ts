import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trajectoryRmse } from './trajectoryRmse.js';
import { trajectory } from './testArbitraries.js';

describe('trajectoryRmse', () => {
  it('is the RMS of pointwise distances after resampling both to max(m, n)', () => {
    expect(trajectoryRmse([[0, 0], [1, 0]], [[0, 1], [1, 1]])).toBe(1);
    // [[0,0],[1,0]] resampled to 3 points is [[0,0],[0.5,0],[1,0]]: distances 0, 0.5, 0 to the second.
    expect(trajectoryRmse([[0, 0], [1, 0]], [[0, 0], [0.5, 0.5], [1, 0]])).toBeCloseTo(Math.sqrt(0.25 / 3), 15);
    expect(trajectoryRmse([[0.3, 0.3]], [[0.3, 0.7]])).toBeCloseTo(0.4, 15);
  });

  it('throws on empty input and gives NaN for NaN coordinates', () => {
    expect(() => trajectoryRmse([], [[0, 0]])).toThrow(RangeError);
    expect(trajectoryRmse([[NaN, 0], [1, 1]], [[0, 0], [1, 1]])).toBeNaN();
  });

  it('is symmetric, ≥ 0, and 0 against itself', () => {
    fc.assert(
      fc.property(trajectory(), trajectory(), (p, q) => {
        const d = trajectoryRmse(p, q);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(trajectoryRmse(q, p)).toBeCloseTo(d, 12);
        expect(trajectoryRmse(p, p)).toBe(0);
      }),
    );
  });
});
