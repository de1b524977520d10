import type { Trajectory } from '../protocol/types.js';
import { toFlat } from './flatTrajectory.js';
import { frechetFirstRow, frechetNextRow, requireNonEmpty } from './frechetRecurrence.js';
import { pointDistance } from './pointDistance.js';
import { scratch, Slot } from './scratch.js';

/** Distances from point `i` of `pxy` to each of the `n` points of `qxy` (interleaved coordinates), into `out`. */
export function fillDistanceRow(pxy: Float64Array, i: number, qxy: Float64Array, n: number, out: Float64Array): void {
  const px = pxy[2 * i]!;
  const py = pxy[2 * i + 1]!;
  for (let j = 0; j < n; j++) out[j] = pointDistance(px - qxy[2 * j]!, py - qxy[2 * j + 1]!);
}

/**
 * {@link discreteFrechet} on interleaved coordinates: `m` points in `pxy`, `n` in `qxy` (both ≥ 1).
 *
 * @example
 * discreteFrechetFlat(Float64Array.of(0, 0, 1, 0), 2, Float64Array.of(0, 1, 1, 1), 2); // 1
 */
export function discreteFrechetFlat(pxy: Float64Array, m: number, qxy: Float64Array, n: number): number {
  if (m === 0 || n === 0) throw new RangeError('discrete Fréchet distance of an empty trajectory');
  const cost = scratch(Slot.cost, n);
  let prev = scratch(Slot.rowA, n);
  let cur = scratch(Slot.rowB, n);
  fillDistanceRow(pxy, 0, qxy, n, cost);
  frechetFirstRow(cost, prev, n);
  for (let i = 1; i < m; i++) {
    fillDistanceRow(pxy, i, qxy, n, cost);
    frechetNextRow(prev, cost, cur, n);
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[n - 1]!;
}

/**
 * Discrete Fréchet distance between two polylines' waypoints (Eiter & Mannila), in the units of the points.
 * Iterative (a 10,000-point trajectory is fine), allocation-free once warm. NaN coordinates propagate the way
 * the official Python code's `max`/`min` let them. Throws a RangeError on an empty trajectory.
 *
 * @example
 * discreteFrechet([[0, 0], [1, 0]], [[0, 1], [1, 1]]); // 1
 */
export function discreteFrechet(p: Trajectory, q: Trajectory): number {
  requireNonEmpty(p, q, 'discrete Fréchet distance');
  return discreteFrechetFlat(toFlat(p, Slot.pFlat), p.length, toFlat(q, Slot.qFlat), q.length);
}
