import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alafDistance, alafDistanceFlat, alafDistancesInto, alafDistanceWeighted, lastDiscreteFrechet } from './alafDistance.js';
import { discreteFrechet } from './discreteFrechet.js';
import { useFrechetSimd } from './frechetSimd.js';
import { LocalGeometry } from './localGeometry.js';
import { trajectory } from './testArbitraries.js';
import type { Point } from '../protocol/types.js';

const P = (...pts: [number, number][]): Point[] => pts;

describe('alafDistance', () => {
  // Expected values from the official _os_discrete_frechet (CPython 3.11), λθ = 0.25, λr = 0.1.
  it.each([
    ['parallel offset', P([0, 0], [1, 0]), P([0, 1], [1, 1]), 1],
    ['general', P([0.1, 0.1], [0.5, 0.2], [0.9, 0.8]), P([0.1, 0.2], [0.6, 0.3], [0.8, 0.9], [0.85, 0.95]), 0.4396823179279578],
    ['single point', P([0.5, 0.5]), P([0.2, 0.2], [0.8, 0.2]), 3.1362836179283513],
    ['repeated points', P([0.3, 0.3], [0.3, 0.3], [0.6, 0.7]), P([0.3, 0.35], [0.6, 0.7], [0.6, 0.7]), 2.7356614470621885],
    ['U-turn', P([0.2, 0.5], [0.6, 0.5], [0.2, 0.5]), P([0.2, 0.5], [0.6, 0.5], [0.2, 0.500001]), 0.39269876920456187],
  ])('%s', (_name, p, q, expected) => {
    expect(Math.abs(alafDistance(p, q) - expected)).toBeLessThanOrEqual(1e-15);
  });

  it('is 0 for a trajectory against itself (the example answer of the paper)', () => {
    const t = P([0.715645, 0.684211], [0.593633, 0.504111], [0.463881, 0.436894], [0.356734, 0.386189]);
    expect(alafDistance(t, t)).toBe(0);
  });

  it('propagates NaN as the official code does', () => {
    expect(alafDistance(P([0.2, 0.5], [NaN, 0.5], [0.4, 0.6]), P([0.2, 0.5], [0.3, 0.5], [0.4, 0.6]))).toBeNaN();
  });

  it('uses the angle and length weights', () => {
    const p = P([0, 0], [1, 0]);
    const q = P([0, 0], [0, 0.5]); // perpendicular, half as long
    const base = Math.hypot(1, -0.5); // worst matched pair: the two ends
    expect(alafDistance(p, q, { lambdaAngle: 0, lambdaLength: 0 })).toBeCloseTo(base, 15);
    expect(alafDistance(p, q, { lambdaAngle: 1, lambdaLength: 0 })).toBeCloseTo(base + Math.PI / 2, 15);
    expect(alafDistance(p, q, { lambdaAngle: 0, lambdaLength: 1 })).toBeCloseTo(base + Math.log(2), 15);
  });

  it('throws on empty trajectories and infinite coordinates', () => {
    expect(() => alafDistance([], P([0, 0]))).toThrow(RangeError);
    expect(() => alafDistance(P([0, 0]), P([Infinity, 0]))).toThrow(RangeError);
  });

  it('handles a 10,000-point trajectory and computes the plain DFD in the same pass', () => {
    const n = 10_000;
    const p = Array.from({ length: n }, (_, i): Point => [i / n, 0.5 + 0.1 * Math.sin(i / 50)]);
    const q = Array.from({ length: 300 }, (_, i): Point => [i / 300, 0.55]);
    const flat = (t: Point[]) => Float64Array.from(t.flat());
    const d = alafDistanceFlat(flat(p), n, flat(q), q.length, {}, true);
    const dfd = lastDiscreteFrechet();
    expect(d).toBeGreaterThan(0.05);
    expect(dfd).toBe(discreteFrechet(p, q));
    expect(d).toBe(alafDistance(p, q));
    expect(d).toBeGreaterThanOrEqual(dfd);
  });

  it('alafDistancesInto writes the ALAF distance and the plain DFD of alafDistanceWeighted', () => {
    fc.assert(
      fc.property(trajectory(), trajectory(), (p, q) => {
        const flat = (t: readonly Point[]) => Float64Array.from(t.flat());
        const out = new Float64Array(3);
        alafDistancesInto(flat(p), p.length, flat(q), q.length, 0.25, 0.1, out, 1);
        expect(Object.is(out[1], alafDistanceWeighted(flat(p), p.length, flat(q), q.length, 0.25, 0.1, true))).toBe(true);
        expect(Object.is(out[2], lastDiscreteFrechet())).toBe(true);
      }),
    );
  });

  it('gives the same values bit for bit with the WebAssembly recurrences and without them', () => {
    const edge = fc.tuple(fc.constantFrom(0, 0.25, 1), fc.constantFrom(0, 0.5, 1)); // repeats, collinear runs
    const path = fc.array(fc.oneof(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), edge), {
      minLength: 1,
      maxLength: 40,
    });
    fc.assert(
      fc.property(path, path, (p, q) => {
        const flat = (t: readonly Point[]) => Float64Array.from(t.flat());
        const simd = alafDistanceFlat(flat(p), p.length, flat(q), q.length, {}, true);
        const simdDfd = lastDiscreteFrechet();
        useFrechetSimd(false);
        try {
          expect(Object.is(alafDistanceFlat(flat(p), p.length, flat(q), q.length, {}, true), simd)).toBe(true);
          expect(Object.is(lastDiscreteFrechet(), simdDfd)).toBe(true);
        } finally {
          useFrechetSimd(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is ≥ 0, ≥ the plain DFD, symmetric, and 0 against itself', () => {
    fc.assert(
      fc.property(trajectory(), trajectory(), (p, q) => {
        const d = alafDistance(p, q);
        expect(d).toBeGreaterThanOrEqual(discreteFrechet(p, q) - 1e-12);
        expect(Math.abs(alafDistance(q, p) - d)).toBeLessThanOrEqual(1e-9);
        expect(alafDistance(p, p)).toBeLessThan(1e-7); // acos of a cosine one ulp below 1 is ~2e-8
      }),
    );
  });
});

describe('LocalGeometry', () => {
  it('computes the official directions and lengths', () => {
    const g = new LocalGeometry();
    g.compute(Float64Array.of(0, 0, 1, 0, 1, 1), 3);
    expect([g.dirX[0], g.dirY[0], g.length[0]]).toEqual([1, 0, 1]);
    expect(g.dirX[1]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(g.dirY[1]).toBeCloseTo(Math.SQRT1_2, 15);
    expect([g.dirX[2], g.dirY[2], g.length[2]]).toEqual([0, 1, 1]); // last point: backward difference and length
    g.compute(Float64Array.of(0.2, 0.2), 1);
    expect([g.dirX[0], g.dirY[0], g.dirNorm[0], g.length[0]]).toEqual([0, 0, 0, 0]);
  });

  it('falls back to the in-direction on an exact U-turn and gives zero directions to repeated points', () => {
    const g = new LocalGeometry();
    g.compute(Float64Array.of(0, 0, 1, 0, 0, 0), 3);
    expect([g.dirX[1], g.dirY[1]]).toEqual([1, 0]);
    g.compute(Float64Array.of(0.5, 0.5, 0.5, 0.5), 2);
    expect([g.dirX[0], g.dirY[0], g.dirX[1], g.dirY[1], g.length[0]]).toEqual([0, 0, 0, 0, 0]);
    expect(g.hasShort).toBe(true);
  });
});
