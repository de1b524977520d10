import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { convexHull, pointInConvexPolygon, polygonDistance, segmentInsideFraction } from './polygon.js';
import type { Vec2 } from './vec.js';

const square: Vec2[] = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];

describe('convex polygons', () => {
  it('hulls a point cloud to its corners', () => {
    expect(convexHull([[0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5], [0.5, 0]])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ]);
  });

  it('contains every input point in its hull (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 })), { minLength: 3, maxLength: 30 }), (pts) => {
        const hull = convexHull(pts);
        if (hull.length < 3) return true;
        const grown = hull.map(([x, y]) => [x * 1.0001 + Math.sign(x) * 1e-6, y * 1.0001 + Math.sign(y) * 1e-6] as Vec2);
        const cx = hull.reduce((s, p) => s + p[0], 0) / hull.length;
        const cy = hull.reduce((s, p) => s + p[1], 0) / hull.length;
        // Push each input point a hair towards the centroid: it must then be strictly inside.
        return pts.every(([x, y]) => pointInConvexPolygon([x + (cx - x) * 1e-6, y + (cy - y) * 1e-6], grown) || hull.some((h) => h[0] === x && h[1] === y));
      }),
    );
  });

  it('measures how much of a segment lies inside', () => {
    expect(segmentInsideFraction([-1, 0.5], [2, 0.5], square)).toBeCloseTo(1 / 3, 12);
    expect(segmentInsideFraction([-1, 2], [2, 2], square)).toBe(0);
    expect(segmentInsideFraction([0.2, 0.2], [0.8, 0.8], square)).toBeCloseTo(1, 12);
    // Along an edge only: touching is not crossing.
    expect(segmentInsideFraction([-1, 0], [2, 0], square)).toBe(0);
  });

  it('gives polygon distances', () => {
    const shifted = square.map(([x, y]) => [x + 3, y] as Vec2);
    expect(polygonDistance(square, shifted)).toBeCloseTo(2, 12);
    const overlapping = square.map(([x, y]) => [x + 0.5, y + 0.5] as Vec2);
    expect(polygonDistance(square, overlapping)).toBe(0);
  });
});
