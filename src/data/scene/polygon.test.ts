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

  it('keeps every input point on or inside its hull, and uses only input points as corners (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 })), { minLength: 3, maxLength: 30 }), (pts) => {
        const hull = convexHull(pts);
        if (!hull.every((h) => pts.some((p) => p[0] === h[0] && p[1] === h[1]))) return false;
        if (hull.length < 3) return true;
        return pts.every((p) =>
          hull.every((a, i) => {
            const b = hull[(i + 1) % hull.length]!;
            return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0;
          }),
        );
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

  it('tells strict insides from the boundary', () => {
    expect(pointInConvexPolygon([0.5, 0.5], square)).toBe(true);
    expect(pointInConvexPolygon([1, 0.5], square)).toBe(false);
    expect(pointInConvexPolygon([1.5, 0.5], square)).toBe(false);
  });

  it('gives polygon distances', () => {
    const shifted = square.map(([x, y]) => [x + 3, y] as Vec2);
    expect(polygonDistance(square, shifted)).toBeCloseTo(2, 12);
    const overlapping = square.map(([x, y]) => [x + 0.5, y + 0.5] as Vec2);
    expect(polygonDistance(square, overlapping)).toBe(0);
  });
});
