import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resampleByArcLength } from './resampleByArcLength.js';
import { trajectory } from './testArbitraries.js';

describe('resampleByArcLength', () => {
  it('spaces points uniformly along the polyline', () => {
    expect(resampleByArcLength([[0, 0], [1, 0]], 3)).toEqual([[0, 0], [0.5, 0], [1, 0]]);
    expect(resampleByArcLength([[0, 0], [1, 0], [1, 1]], 5)).toEqual([[0, 0], [0.5, 0], [1, 0], [1, 0.5], [1, 1]]);
    // Repeated points are zero-length segments and are skipped.
    expect(resampleByArcLength([[0, 0], [0, 0], [2, 0]], 3)).toEqual([[0, 0], [1, 0], [2, 0]]);
  });

  it('keeps the first point for n = 1 and both ends otherwise', () => {
    expect(resampleByArcLength([[0.2, 0.3], [0.9, 0.9]], 1)).toEqual([[0.2, 0.3]]);
    expect(resampleByArcLength([[0.2, 0.3], [0.9, 0.9]], 2)).toEqual([[0.2, 0.3], [0.9, 0.9]]);
  });

  it('resamples a zero-length polyline to copies of its first point', () => {
    expect(resampleByArcLength([[0.4, 0.4]], 3)).toEqual([[0.4, 0.4], [0.4, 0.4], [0.4, 0.4]]);
    expect(resampleByArcLength([[0.4, 0.4], [0.4, 0.4]], 2)).toEqual([[0.4, 0.4], [0.4, 0.4]]);
  });

  it('rejects an empty polyline and a bad count; NaN gives NaN points', () => {
    expect(() => resampleByArcLength([], 3)).toThrow(RangeError);
    expect(() => resampleByArcLength([[0, 0]], 0)).toThrow(RangeError);
    expect(() => resampleByArcLength([[0, 0]], 2.5)).toThrow(RangeError);
    expect(resampleByArcLength([[0, 0], [NaN, 1]], 2)[1]![0]).toBeNaN();
  });

  it('gives equal steps whose total is the polyline length', () => {
    fc.assert(
      fc.property(trajectory(8), fc.integer({ min: 2, max: 20 }), (points, n) => {
        const out = resampleByArcLength(points, n);
        expect(out).toHaveLength(n);
        expect(out[0]).toEqual(points[0]);
        expect(out[n - 1]).toEqual(points.at(-1));
        let length = 0;
        for (let i = 1; i < points.length; i++) length += Math.hypot(points[i]![0] - points[i - 1]![0], points[i]![1] - points[i - 1]![1]);
        // Consecutive samples are never further apart (straight line) than the arc step.
        for (let k = 1; k < n; k++) {
          const step = Math.hypot(out[k]![0] - out[k - 1]![0], out[k]![1] - out[k - 1]![1]);
          expect(step).toBeLessThanOrEqual(length / (n - 1) + 1e-9);
        }
      }),
    );
  });
});
