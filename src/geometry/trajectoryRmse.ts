import type { Trajectory } from '../protocol/types.js';
import { requireNonEmpty } from './frechetRecurrence.js';
import { resampleByArcLength } from './resampleByArcLength.js';

/**
 * Root-mean-square distance between two polylines: both are resampled uniformly by arc length to
 * `max(m, n)` points (see {@link resampleByArcLength}), then `sqrt(mean_k |p_k − q_k|²)`.
 * Throws a RangeError on an empty trajectory; NaN coordinates give NaN.
 *
 * @example
 * trajectoryRmse([[0, 0], [1, 0]], [[0, 1], [1, 1]]); // 1
 */
export function trajectoryRmse(p: Trajectory, q: Trajectory): number {
  requireNonEmpty(p, q, 'RMSE');
  const n = Math.max(p.length, q.length);
  const rp = resampleByArcLength(p, n);
  const rq = resampleByArcLength(q, n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const a = rp[k]!;
    const b = rq[k]!;
    const dx = a[0] - b[0];
    const dy = a[1] - b[1];
    sum += dx * dx + dy * dy;
  }
  return Math.sqrt(sum / n);
}
