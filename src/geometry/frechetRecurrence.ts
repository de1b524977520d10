import type { Trajectory } from '../protocol/types.js';
import { pyMax, pyMin3 } from './pythonMath.js';

/**
 * The discrete Fréchet recurrence, one row at a time, so callers keep two rolling rows (O(n) memory, no depth
 * limit) and fill each row of costs however they like:
 * `C(i,j) = max(min(C(i−1,j), C(i−1,j−1), C(i,j−1)), cost(i,j))`, the first row and column `max(C(prev), cost)`.
 * `max`/`min` follow Python's argument-order rules, so NaN costs propagate exactly as in the official
 * (recursive, memoised) implementation.
 */

/**
 * Row 0: `row[j] = max(row[j−1], cost[j])`, `row[0] = cost[0]`.
 *
 * @example
 * const row = new Float64Array(2); frechetFirstRow(Float64Array.of(1, 3), row, 2); // row = [1, 3]
 */
export function frechetFirstRow(cost: Float64Array, row: Float64Array, n: number): void {
  let c = cost[0]!;
  row[0] = c;
  for (let j = 1; j < n; j++) {
    c = pyMax(c, cost[j]!);
    row[j] = c;
  }
}

/**
 * Row i > 0 from row i − 1 (`prev`) into `cur`.
 *
 * @example
 * const cur = new Float64Array(2); frechetNextRow(Float64Array.of(1, 3), Float64Array.of(2, 2), cur, 2); // cur = [2, 2]
 */
export function frechetNextRow(prev: Float64Array, cost: Float64Array, cur: Float64Array, n: number): void {
  let left = pyMax(prev[0]!, cost[0]!);
  cur[0] = left;
  let diag = prev[0]!;
  for (let j = 1; j < n; j++) {
    const up = prev[j]!;
    left = pyMax(pyMin3(up, diag, left), cost[j]!);
    cur[j] = left;
    diag = up;
  }
}

/** Throws a RangeError when a trajectory has no points (the official code raises IndexError). */
export function requireNonEmpty(p: Trajectory, q: Trajectory, what: string): void {
  if (p.length === 0 || q.length === 0) throw new RangeError(`${what} of an empty trajectory`);
}
