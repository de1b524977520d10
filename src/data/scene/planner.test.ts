import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planPath, segmentClear, type PlannerObstacle } from './planner.js';
import { pointInConvexPolygon } from './polygon.js';
import type { Vec2 } from './vec.js';

function square(cx: number, cy: number, r: number): Vec2[] {
  return [
    [cx - r, cy - r],
    [cx + r, cy - r],
    [cx + r, cy + r],
    [cx - r, cy + r],
  ];
}

describe('planPath', () => {
  it('goes straight when nothing is in the way', () => {
    const path = planPath([0, 0], [1, 0], [{ id: 3, polygon: square(0.5, 1, 0.1) }]);
    expect(path).toEqual({ points: [[0, 0], [1, 0]], blocking: [] });
  });

  it('bends around an obstacle on the straight line and reports it', () => {
    const path = planPath([0, 0], [1, 0], [{ id: 7, polygon: square(0.5, 0.02, 0.1) }])!;
    expect(path.blocking).toEqual([7]);
    // The short way round is below (the obstacle sits slightly above the line): two corners.
    expect(path.points).toHaveLength(4);
    expect(path.points[1]![1]).toBeCloseTo(-0.08, 2);
    expect(path.points[1]![1]).toBeLessThan(0);
  });

  it('refuses a start inside an obstacle', () => {
    expect(planPath([0.5, 0], [1, 0], [{ id: 1, polygon: square(0.5, 0, 0.1) }])).toBeUndefined();
  });

  it('always returns a path whose segments stay clear of every obstacle (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0.15, max: 0.85, noNaN: true }), fc.double({ min: -0.3, max: 0.3, noNaN: true }), fc.double({ min: 0.02, max: 0.08, noNaN: true })), { maxLength: 5 }),
        (specs) => {
          const obstacles: PlannerObstacle[] = specs.map(([x, y, r], id) => ({ id, polygon: square(x, y, r) }));
          const start: Vec2 = [0, 0];
          const goal: Vec2 = [1, 0];
          const path = planPath(start, goal, obstacles);
          if (!path) return true;
          for (let i = 0; i + 1 < path.points.length; i++) if (!segmentClear(path.points[i]!, path.points[i + 1]!, obstacles)) return false;
          return path.points[0] === start && path.points[path.points.length - 1] === goal && path.points.every((p) => !obstacles.some((o) => pointInConvexPolygon(p, o.polygon)));
        },
      ),
    );
  });
});
