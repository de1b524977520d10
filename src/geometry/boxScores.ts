import { cornerArea } from './boxOverlap.js';
import { pyMax, pyMin } from './pythonMath.js';

const AREA_FLOOR = 1e-12;

/**
 * IoU and GIoU of two corner boxes kept in a Float64Array (x1, y1, x2, y2 of the first box in `corners[0..4)`,
 * of the second in `corners[4..8)`), written to `out[iouAt]` and `out[giouAt]`: exactly `boxIou(a, b)` and
 * `boxGiou(a, b)` (the same operations in the same order, NaN behaviour included), for the reward's hot path,
 * which this way makes no objects and boxes no numbers.
 *
 * @example
 * const out = new Float64Array(2);
 * cornerBoxScoresInto(Float64Array.of(0, 0, 1, 1, 2, 0, 3, 1), out, 0, 1); // out = [0, -1/3]
 */
export function cornerBoxScoresInto(corners: Float64Array, out: Float64Array, iouAt: number, giouAt: number): void {
  const ax1 = corners[0]!;
  const ay1 = corners[1]!;
  const ax2 = corners[2]!;
  const ay2 = corners[3]!;
  const bx1 = corners[4]!;
  const by1 = corners[5]!;
  const bx2 = corners[6]!;
  const by2 = corners[7]!;
  const inter = cornerArea(pyMax(ax1, bx1), pyMax(ay1, by1), pyMin(ax2, bx2), pyMin(ay2, by2));
  const union = cornerArea(ax1, ay1, ax2, ay2) + cornerArea(bx1, by1, bx2, by2) - inter;
  const iou = union <= 0 ? 0 : inter / union;
  const enclosing = cornerArea(pyMin(ax1, bx1), pyMin(ay1, by1), pyMax(ax2, bx2), pyMax(ay2, by2));
  const c = enclosing === 0 ? AREA_FLOOR : enclosing; // Python's `or 1e-12`: only 0 is falsy (NaN is kept)
  const flooredUnion = pyMax(AREA_FLOOR, union);
  out[iouAt] = iou;
  out[giouAt] = pyMax(-1, pyMin(1, iou - (c - flooredUnion) / c));
}
