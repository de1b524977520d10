import type { CornerBox } from '../protocol/types.js';
import { boxIou } from './boxIou.js';
import { cornerArea, intersectionArea } from './boxOverlap.js';
import { pyMax, pyMin } from './pythonMath.js';

const AREA_FLOOR = 1e-12;

/**
 * Generalised IoU (Rezatofighi et al., 2019) of two corner boxes, in [−1, 1], with the exact semantics of the
 * official `_giou_xyxy`: `GIoU = IoU − (C − U)/C` where C is the enclosing box's area (1e-12 when it is 0) and
 * U = max(1e-12, union), clamped to [−1, 1] with Python's `max`/`min`. Inherited quirks: when the enclosing
 * area is positive but below 1e-12 (degenerate boxes), the floor on U pushes GIoU up to 1; a NaN corner makes the
 * enclosing box empty and also gives 1 (the reward's `strict.finiteNumbers` option rejects NaN boxes).
 *
 * @example
 * boxGiou({ x1: 0, y1: 0, x2: 1, y2: 1 }, { x1: 2, y1: 0, x2: 3, y2: 1 }); // -1/3 (disjoint: 0 − (3 − 2)/3)
 */
export function boxGiou(a: CornerBox, b: CornerBox): number {
  const iou = boxIou(a, b);
  const enclosing = cornerArea(pyMin(a.x1, b.x1), pyMin(a.y1, b.y1), pyMax(a.x2, b.x2), pyMax(a.y2, b.y2));
  const c = enclosing === 0 ? AREA_FLOOR : enclosing; // Python's `or 1e-12`: only 0 is falsy (NaN is kept)
  const inter = intersectionArea(a, b);
  const union = pyMax(AREA_FLOOR, cornerArea(a.x1, a.y1, a.x2, a.y2) + cornerArea(b.x1, b.y1, b.x2, b.y2) - inter);
  return pyMax(-1, pyMin(1, iou - (c - union) / c));
}
