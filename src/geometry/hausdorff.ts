import type { Trajectory } from '../protocol/types.js';
import { requireNonEmpty } from './frechetRecurrence.js';

function hasNaN(p: Trajectory): boolean {
  for (const [x, y] of p) if (x !== x || y !== y) return true;
  return false;
}

/** max over a of min over b of |a − b|² (NaN-free input). */
function directedSquared(a: Trajectory, b: Trajectory): number {
  let worst = 0;
  for (const [ax, ay] of a) {
    let best = Infinity;
    for (const [bx, by] of b) {
      const dx = ax - bx;
      const dy = ay - by;
      const d = dx * dx + dy * dy;
      if (d < best) best = d;
    }
    if (best > worst) worst = best;
  }
  return worst;
}

/**
 * Symmetric Hausdorff distance between two sets of waypoints (the polylines' vertices, as in the paper's HD
 * metric): the larger of the two directed distances `max_a min_b |a − b|`. NaN if any coordinate is NaN;
 * throws a RangeError on an empty trajectory.
 *
 * @example
 * hausdorff([[0, 0], [1, 0]], [[0, 0]]); // 1
 */
export function hausdorff(p: Trajectory, q: Trajectory): number {
  requireNonEmpty(p, q, 'Hausdorff distance');
  if (hasNaN(p) || hasNaN(q)) return NaN;
  return Math.sqrt(Math.max(directedSquared(p, q), directedSquared(q, p)));
}
