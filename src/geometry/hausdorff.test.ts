import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hausdorff } from './hausdorff.js';
import { trajectory } from './testArbitraries.js';

describe('hausdorff', () => {
  it('is the larger directed distance over the waypoints', () => {
    expect(hausdorff([[0, 0], [1, 0]], [[0, 0]])).toBe(1);
    expect(hausdorff([[0, 0]], [[0, 0], [1, 0]])).toBe(1);
    expect(hausdorff([[0, 0], [0, 3]], [[4, 0], [0, 3]])).toBe(4);
    expect(hausdorff([[0.1, 0.1], [0.5, 0.2], [0.9, 0.8]], [[0.1, 0.2], [0.6, 0.3], [0.8, 0.9], [0.85, 0.95]])).toBeCloseTo(
      Math.hypot(0.05, 0.15),
      15,
    );
  });

  it('gives NaN for NaN coordinates and throws on empty input', () => {
    expect(hausdorff([[NaN, 0]], [[0, 0]])).toBeNaN();
    expect(() => hausdorff([], [[0, 0]])).toThrow(RangeError);
  });

  it('is symmetric, ≥ 0, 0 against itself, and ignores order', () => {
    fc.assert(
      fc.property(trajectory(), trajectory(), (p, q) => {
        const d = hausdorff(p, q);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(hausdorff(q, p)).toBe(d);
        expect(hausdorff(p, p)).toBe(0);
        expect(hausdorff([...p].reverse(), q)).toBe(d);
      }),
    );
  });
});
