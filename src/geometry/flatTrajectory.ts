import type { Trajectory } from '../protocol/types.js';
import { scratch } from './scratch.js';

/**
 * A trajectory as interleaved coordinates `[x0, y0, x1, y1, …]` in a reusable scratch buffer (slot `slot`),
 * the form the distance kernels work on.
 *
 * @example
 * const xy = toFlat([[0.1, 0.2], [0.3, 0.4]], Slot.pFlat); // xy[0..4) = 0.1, 0.2, 0.3, 0.4
 */
export function toFlat(points: Trajectory, slot: number): Float64Array {
  const xy = scratch(slot, 2 * points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    xy[2 * i] = p[0];
    xy[2 * i + 1] = p[1];
  }
  return xy;
}
