import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meanGroupCorrelation, pearson } from './group-correlation.js';

describe('pearson', () => {
  it('gives the hand-computed values', () => {
    // x = 1, 2, 3; y = 2, 4, 7: sxy = 5, sxx = 2, syy = 12.667
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(5 / Math.sqrt(2 * (38 / 3)), 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBe(-1);
    expect(pearson([0, 1, 0, 1], [5, 5, 6, 6])).toBe(0);
  });

  it('is NaN when a side does not vary or there are fewer than two values', () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(pearson([1, 2, 3], [0.3, 0.3, 0.3])).toBeNaN();
    expect(pearson([0.1 + 0.2, 0.3, 0.30000000000000004], [1, 2, 3])).toBeNaN(); // rounding is not spread
    expect(pearson([1], [2])).toBeNaN();
    expect(pearson([], [])).toBeNaN();
  });

  it('rejects arrays of different lengths', () => {
    expect(() => pearson([1, 2], [1])).toThrow(/2 x values but 1/);
  });

  it('stays in [-1, 1], is symmetric and ignores positive affine maps (property)', () => {
    // Values on a grid of 1/1000: a spread near the rounding level of the shifted values would make the affine
    // map's result rounding noise, not a correlation.
    const values = fc.array(
      fc.integer({ min: -1e6, max: 1e6 }).map((k) => k / 1000),
      { minLength: 2, maxLength: 12 },
    );
    fc.assert(
      fc.property(values, values, fc.double({ min: 0.01, max: 100, noNaN: true }), (a, b, scale) => {
        const n = Math.min(a.length, b.length);
        const x = a.slice(0, n);
        const y = b.slice(0, n);
        const r = pearson(x, y);
        if (Number.isNaN(r)) return;
        expect(Math.abs(r)).toBeLessThanOrEqual(1);
        expect(pearson(y, x)).toBeCloseTo(r, 9);
        const mapped = pearson(x.map((v) => scale * v + 3), y);
        if (!Number.isNaN(mapped)) expect(mapped).toBeCloseTo(r, 6);
      }),
    );
  });
});

describe('meanGroupCorrelation', () => {
  it('averages the groups in which both sides vary, and only the included ones', () => {
    const xs = [1, 2, 3, 1, 2, 3, 5, 5, 5];
    const ys = [1, 2, 3, 3, 2, 1, 1, 2, 3];
    expect(meanGroupCorrelation(xs, ys, 3)).toBe(0); // (1 + −1) / 2; the flat third group is left out
    expect(meanGroupCorrelation(xs, ys, 3, (g) => g !== 1)).toBe(1);
    expect(meanGroupCorrelation(xs, ys, 3, (g) => g === 2)).toBeNull();
    expect(meanGroupCorrelation([], [], 3)).toBeNull();
  });

  it('rejects values that do not split into groups', () => {
    expect(() => meanGroupCorrelation([1, 2, 3], [1, 2, 3], 2)).toThrow(/groups of 2/);
    expect(() => meanGroupCorrelation([1, 2], [1, 2], 0)).toThrow(/groups of 0/);
    expect(() => meanGroupCorrelation([1, 2], [1], 1)).toThrow(/2 x values but 1/);
  });
});
