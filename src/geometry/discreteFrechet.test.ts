import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discreteFrechet } from './discreteFrechet.js';
import { hausdorff } from './hausdorff.js';
import { trajectory } from './testArbitraries.js';

describe('discreteFrechet', () => {
  // Expected values from the official _discrete_frechet (CPython 3.11).
  const cases: readonly (readonly [[number, number][], [number, number][], number])[] = [
    [[[0, 0], [1, 0]], [[0, 1], [1, 1]], 1],
    [[[0.1, 0.1], [0.5, 0.2], [0.9, 0.8]], [[0.1, 0.2], [0.6, 0.3], [0.8, 0.9], [0.85, 0.95]], 0.1581138830084189],
    [[[0.5, 0.5]], [[0.2, 0.2], [0.8, 0.2]], 0.42426406871192857],
    [[[0.3, 0.3], [0.3, 0.3], [0.6, 0.7]], [[0.3, 0.35], [0.6, 0.7], [0.6, 0.7]], 0.04999999999999999],
  ];
  it.each(cases)('DFD(%j, %j) = %d', (p, q, expected) => {
    // Pairwise distances use sqrt(dx² + dy²), within an ulp of Python's math.hypot.
    expect(Math.abs(discreteFrechet(p, q) - expected)).toBeLessThanOrEqual(1e-16);
  });

  it('respects order, unlike Hausdorff', () => {
    const p: [number, number][] = [[0, 0], [1, 0]];
    const q: [number, number][] = [[1, 0], [0, 0]];
    expect(discreteFrechet(p, q)).toBe(1);
    expect(hausdorff(p, q)).toBe(0);
  });

  it('propagates NaN the way the official max/min do', () => {
    // Official: a NaN in the middle of P is skipped by max(prev, nan), so the distance is 0 here.
    expect(discreteFrechet([[0.2, 0.5], [NaN, 0.5], [0.4, 0.6]], [[0.2, 0.5], [0.3, 0.5], [0.4, 0.6]])).toBe(0);
    expect(discreteFrechet([[NaN, 0.5], [0.4, 0.6]], [[0.2, 0.5], [0.4, 0.6]])).toBeNaN();
  });

  it('throws on an empty trajectory', () => {
    expect(() => discreteFrechet([], [[0, 0]])).toThrow(RangeError);
    expect(() => discreteFrechet([[0, 0]], [])).toThrow(RangeError);
  });

  it('handles a 10,000-point trajectory (no recursion limit; the official code raises RecursionError)', () => {
    // Groups of 20 repeated points, each group 0.25 below one point of q: the best coupling matches them up.
    const p = Array.from({ length: 10_000 }, (_, i): [number, number] => [Math.floor(i / 20) / 500, 0]);
    const q = Array.from({ length: 500 }, (_, j): [number, number] => [j / 500, 0.25]);
    expect(discreteFrechet(p, q)).toBe(0.25);
    expect(discreteFrechet(q, p)).toBe(0.25);
  });

  it('is symmetric, ≥ Hausdorff, ≥ 0, and 0 against itself', () => {
    fc.assert(
      fc.property(trajectory(), trajectory(), (p, q) => {
        const d = discreteFrechet(p, q);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(discreteFrechet(q, p)).toBe(d);
        expect(d).toBeGreaterThanOrEqual(hausdorff(p, q) - 1e-15);
        expect(discreteFrechet(p, p)).toBe(0);
        // The endpoints must be matched, so DFD is at least the larger endpoint distance.
        const end = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
        expect(d).toBeGreaterThanOrEqual(Math.max(end(p[0]!, q[0]!), end(p.at(-1)!, q.at(-1)!)) - 1e-15);
      }),
    );
  });
});
