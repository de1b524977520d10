/**
 * A visibility-graph path planner on the table plane: the shortest path from a start to a goal that keeps out
 * of convex obstacle polygons (object footprints grown by the gripper's clearance). Pure and deterministic.
 */
import { pointInConvexPolygon, segmentInsideFraction, signedArea } from './polygon.js';
import type { Vec2 } from './vec.js';

/** An obstacle for the planner: the object's id and its grown footprint (convex, world metres). */
export interface PlannerObstacle {
  readonly id: number;
  readonly polygon: readonly Vec2[];
}

/** A planned path: its vertices (start first, goal last) and which obstacles the straight line would cross. */
export interface PlannedPath {
  readonly points: readonly Vec2[];
  /** Ids of obstacles that the straight segment start→goal crosses (so the path bends around them). */
  readonly blocking: readonly number[];
}

/** How far (metres) graph nodes sit outside the obstacle corners, so edges along a polygon are not blocked. */
const NODE_OFFSET = 0.002;
/** A segment crossing less than this fraction of its length through a polygon counts as clear. */
const CLEAR_TOLERANCE = 1e-6;

function grownVertices(poly: readonly Vec2[]): Vec2[] {
  const n = poly.length;
  const orientation = signedArea(poly) >= 0 ? 1 : -1;
  const out: Vec2[] = [];
  for (let i = 0; i < n; i++) {
    const prev = poly[(i + n - 1) % n] as Vec2;
    const cur = poly[i] as Vec2;
    const next = poly[(i + 1) % n] as Vec2;
    // Outward normals of the two edges meeting at `cur`, averaged.
    const e1: Vec2 = [cur[0] - prev[0], cur[1] - prev[1]];
    const e2: Vec2 = [next[0] - cur[0], next[1] - cur[1]];
    const l1 = Math.hypot(e1[0], e1[1]) || 1;
    const l2 = Math.hypot(e2[0], e2[1]) || 1;
    const nx = (e1[1] / l1 + e2[1] / l2) * orientation;
    const ny = (-e1[0] / l1 - e2[0] / l2) * orientation;
    const nl = Math.hypot(nx, ny) || 1;
    out.push([cur[0] + (nx / nl) * NODE_OFFSET, cur[1] + (ny / nl) * NODE_OFFSET]);
  }
  return out;
}

/** True when segment a→b stays out of every obstacle. */
export function segmentClear(a: Vec2, b: Vec2, obstacles: readonly PlannerObstacle[]): boolean {
  for (const o of obstacles) if (segmentInsideFraction(a, b, o.polygon) > CLEAR_TOLERANCE) return false;
  return true;
}

/**
 * The shortest obstacle-free path from `start` to `goal`, or `undefined` when the start or goal lies inside an
 * obstacle or no path exists.
 *
 * @example
 * const square: Vec2[] = [[-0.05, -0.05], [0.05, -0.05], [0.05, 0.05], [-0.05, 0.05]];
 * planPath([-0.2, 0], [0.2, 0], [{ id: 1, polygon: square }]);
 * // { points: [[-0.2, 0], [≈-0.05, ≈-0.05], [≈0.05, ≈-0.05], [0.2, 0]], blocking: [1] } (or around the top)
 */
export function planPath(start: Vec2, goal: Vec2, obstacles: readonly PlannerObstacle[]): PlannedPath | undefined {
  for (const o of obstacles) {
    if (pointInConvexPolygon(start, o.polygon) || pointInConvexPolygon(goal, o.polygon)) return undefined;
  }
  const blocking = obstacles.filter((o) => segmentInsideFraction(start, goal, o.polygon) > CLEAR_TOLERANCE).map((o) => o.id);
  if (blocking.length === 0) return { points: [start, goal], blocking };
  const nodes: Vec2[] = [start, goal];
  for (const o of obstacles) {
    for (const v of grownVertices(o.polygon)) {
      if (!obstacles.some((q) => pointInConvexPolygon(v, q.polygon))) nodes.push(v);
    }
  }
  const n = nodes.length;
  const dist = new Float64Array(n).fill(Infinity);
  const prev = new Int32Array(n).fill(-1);
  const done = new Uint8Array(n);
  dist[0] = 0;
  for (;;) {
    let u = -1;
    let best = Infinity;
    for (let i = 0; i < n; i++) if (!done[i] && (dist[i] as number) < best) [u, best] = [i, dist[i] as number];
    if (u < 0 || u === 1) break;
    done[u] = 1;
    const a = nodes[u] as Vec2;
    for (let v = 0; v < n; v++) {
      if (done[v]) continue;
      const b = nodes[v] as Vec2;
      const d = best + Math.hypot(b[0] - a[0], b[1] - a[1]);
      if (d >= (dist[v] as number)) continue;
      if (!segmentClear(a, b, obstacles)) continue;
      dist[v] = d;
      prev[v] = u;
    }
  }
  if (!Number.isFinite(dist[1] as number)) return undefined;
  const points: Vec2[] = [];
  for (let v = 1; v !== -1; v = prev[v] as number) points.push(nodes[v] as Vec2);
  points.reverse();
  return { points, blocking };
}
