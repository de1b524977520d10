import type { Point, Trajectory } from '../protocol/types.js';

/**
 * Resample a polyline to `n` points spaced uniformly by arc length, the first and last points kept exactly.
 * A polyline of zero length (a single point, or repeated points) resamples to `n` copies of its first point.
 * Throws a RangeError on an empty polyline or when `n` is not a positive integer; NaN coordinates give NaN points.
 *
 * @example
 * resampleByArcLength([[0, 0], [1, 0]], 3); // [[0, 0], [0.5, 0], [1, 0]]
 */
export function resampleByArcLength(points: Trajectory, n: number): Point[] {
  if (points.length === 0) throw new RangeError('cannot resample an empty polyline');
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`resample count must be a positive integer, got ${n}`);
  const first = points[0]!;
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    total += Math.hypot(b[0] - a[0], b[1] - a[1]);
  }
  const out: Point[] = [];
  if (!(total > 0)) {
    if (total !== total) return Array.from({ length: n }, (): Point => [NaN, NaN]);
    for (let k = 0; k < n; k++) out.push([first[0], first[1]]);
    return out;
  }
  out.push([first[0], first[1]]);
  let seg = 1;
  let segStart = 0; // arc length at points[seg - 1]
  let a = first;
  let b = points[1]!;
  let segLen = Math.hypot(b[0] - a[0], b[1] - a[1]);
  for (let k = 1; k < n - 1; k++) {
    const target = (total * k) / (n - 1);
    while (segStart + segLen < target && seg < points.length - 1) {
      segStart += segLen;
      seg++;
      a = b;
      b = points[seg]!;
      segLen = Math.hypot(b[0] - a[0], b[1] - a[1]);
    }
    const t = segLen > 0 ? Math.min(1, Math.max(0, (target - segStart) / segLen)) : 0;
    out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
  }
  if (n > 1) {
    const last = points[points.length - 1]!;
    out.push([last[0], last[1]]);
  }
  return out;
}
