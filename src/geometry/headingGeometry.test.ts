import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alafDistanceFlat, lastDiscreteFrechet } from './alafDistance.js';
import { HeadingGeometry } from './headingGeometry.js';
import { EPS } from './localGeometry.js';
import { pythonHypot } from './pythonMath.js';
import type { Point } from '../protocol/types.js';

/**
 * The official `_os_discrete_frechet` transcribed operation by operation (Python's hypot, the per-pair angle
 * and log ratio), as an independent reference for the fast kernel. Returns [ALAF, plain DFD].
 */
function officialAlaf(p: readonly Point[], q: readonly Point[], lambdaAngle = 0.25, lambdaLength = 0.1): [number, number] {
  const unit = (dx: number, dy: number): Point => {
    const n = pythonHypot(dx, dy);
    return n < EPS ? [0, 0] : [dx / n, dy / n];
  };
  const directions = (pts: readonly Point[]): Point[] => {
    const n = pts.length;
    if (n === 1) return [[0, 0]];
    const step = (i: number): Point => unit(pts[i + 1]![0] - pts[i]![0], pts[i + 1]![1] - pts[i]![1]);
    return pts.map((_, i) => {
      if (i === 0) return step(0);
      if (i === n - 1) return step(n - 2);
      const a = step(i - 1);
      const b = step(i);
      const sx = a[0] + b[0];
      const sy = a[1] + b[1];
      const s = pythonHypot(sx, sy);
      return s < EPS ? a : [sx / s, sy / s];
    });
  };
  const lengths = (pts: readonly Point[]): number[] => {
    const n = pts.length;
    if (n === 1) return [0];
    const seg = (i: number): number => pythonHypot(pts[i + 1]![0] - pts[i]![0], pts[i + 1]![1] - pts[i]![1]);
    return pts.map((_, i) => seg(i === n - 1 ? n - 2 : i));
  };
  const angle = (a: Point, b: Point): number => {
    const na = pythonHypot(a[0], a[1]);
    const nb = pythonHypot(b[0], b[1]);
    if (na < EPS || nb < EPS) return 0;
    const c = (a[0] * b[0] + a[1] * b[1]) / (na * nb);
    return Math.acos(Math.max(-1, Math.min(1, c)));
  };
  const tp = directions(p);
  const tq = directions(q);
  const lp = lengths(p);
  const lq = lengths(q);
  const frechet = (cost: (i: number, j: number) => number): number => {
    let prev: number[] = [];
    for (let i = 0; i < p.length; i++) {
      const row: number[] = [];
      for (let j = 0; j < q.length; j++) {
        const c = cost(i, j);
        if (i === 0 && j === 0) row.push(c);
        else if (i === 0) row.push(Math.max(row[j - 1]!, c));
        else if (j === 0) row.push(Math.max(prev[0]!, c));
        else row.push(Math.max(Math.min(prev[j]!, prev[j - 1]!, row[j - 1]!), c));
      }
      prev = row;
    }
    return prev[q.length - 1]!;
  };
  const distance = (i: number, j: number): number => pythonHypot(p[i]![0] - q[j]![0], p[i]![1] - q[j]![1]);
  const alaf = frechet((i, j) => {
    const a = lp[i]!;
    const b = lq[j]!;
    const ratio = a > EPS && b > EPS ? Math.abs(Math.log(a / b)) : Math.abs(Math.log((a + EPS) / (b + EPS)));
    return distance(i, j) + lambdaAngle * angle(tp[i]!, tq[j]!) + lambdaLength * ratio;
  });
  return [alaf, frechet(distance)];
}

const flat = (t: readonly Point[]): Float64Array => Float64Array.from(t.flat());

/** Coordinates that make the cases the fast kernel must get right: repeats, boundary runs, axis-aligned steps. */
const coordinate = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom(0, 1, 0.25, 0.5, 0.75),
  fc.integer({ min: 0, max: 4 }).map((k) => k / 4 + 1e-10), // a hair away from a grid point: tiny segments
);
const point = fc.tuple(coordinate, coordinate);
const path = fc.array(point, { minLength: 1, maxLength: 9 });

describe('HeadingGeometry', () => {
  it('gives headings, zero directions at repeated endpoints, and lengths', () => {
    const g = new HeadingGeometry();
    expect(g.compute(Float64Array.of(0, 0, 1, 0, 1, 1), 3)).toBe(true);
    expect(Array.from(g.heading.subarray(0, 3))).toEqual([0, Math.PI / 4, Math.PI / 2]);
    expect(Array.from(g.length.subarray(0, 3))).toEqual([1, 1, 1]);
    expect(g.compute(Float64Array.of(0.5, 0.5, 0.5, 0.5, 0.5, 1), 3)).toBe(true);
    expect(Array.from(g.angleWeight.subarray(0, 3))).toEqual([0, 1, 1]); // the first point's direction is (0, 0)
    expect(g.heading[1]).toBe(Math.PI / 2); // next to the repeat: the other segment's direction
    expect(g.hasShort).toBe(true);
    expect(g.compute(Float64Array.of(0.5, NaN), 1)).toBe(false);
    expect(g.compute(Float64Array.of(0, 0, Infinity, 0), 2)).toBe(false);
  });

  it('fills the EPS-shifted log lengths the kernel reads: at short points, and everywhere when the other side has one', () => {
    const g = new HeadingGeometry();
    g.compute(Float64Array.of(0, 0, 0, 0, 1, 0, 1, 1e-13), 4); // a repeated point, then a step of 1, then of 1e-13
    expect(g.hasShort).toBe(true);
    g.logLengthEps.fill(NaN);
    g.withEpsLogs(false);
    expect(g.logLengthEps[0]).toBe(Math.log(0 + EPS)); // ℓ = 0: the constant ln EPS
    expect(g.logLengthEps[1]).toBeNaN(); // long, and the other side has no short point: not read
    expect(g.logLengthEps[2]).toBe(Math.log(1e-13 + EPS));
    expect(g.logLengthEps[3]).toBe(Math.log(1e-13 + EPS));
    g.withEpsLogs(true);
    expect(g.logLengthEps[1]).toBe(Math.log(1 + EPS));
  });

  it('makes the fast kernel agree with the official arithmetic (1e-12), DFD included', () => {
    fc.assert(
      fc.property(path, path, fc.boolean(), (p, q, same) => {
        const other = same ? p : q; // identical trajectories: every diagonal pair is near-parallel
        const [alaf, dfd] = officialAlaf(p, other);
        const ours = alafDistanceFlat(flat(p), p.length, flat(other), other.length, {}, true);
        expect(Math.abs(ours - alaf)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(lastDiscreteFrechet() - dfd)).toBeLessThanOrEqual(1e-15);
      }),
      { numRuns: 2000 },
    );
  });

  it('handles exact and near U-turns and collinear runs as the official code does', () => {
    const cases: [Point[], Point[]][] = [
      [[[0.2, 0.5], [0.6, 0.5], [0.2, 0.5]], [[0.2, 0.5], [0.6, 0.5], [0.2, 0.500001]]],
      [[[0, 0], [0, 0.5], [0, 1], [0, 0.5]], [[0, 0], [0, 1], [0, 1], [0, 0]]],
      [[[1, 0.2], [1, 0.4], [1, 0.4], [1, 0.9]], [[1, 0.1], [1, 0.3], [0.9, 0.3], [1, 0.9]]],
    ];
    for (const [p, q] of cases) {
      expect(Math.abs(alafDistanceFlat(flat(p), p.length, flat(q), q.length) - officialAlaf(p, q)[0])).toBeLessThanOrEqual(1e-12);
    }
  });
});
