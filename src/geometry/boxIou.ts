import type { CornerBox } from '../protocol/types.js';
import { cornerArea, intersectionArea } from './boxOverlap.js';

/**
 * Intersection over union of two corner boxes, in [0, 1]; 0 when the union is empty. Semantics of the official
 * `_iou_xyxy` (inverted corners give an empty box; a NaN coordinate makes that side's extent 0).
 *
 * @example
 * boxIou({ x1: 0, y1: 0, x2: 2, y2: 1 }, { x1: 1, y1: 0, x2: 3, y2: 1 }); // 1/3
 */
export function boxIou(a: CornerBox, b: CornerBox): number {
  const inter = intersectionArea(a, b);
  const union = cornerArea(a.x1, a.y1, a.x2, a.y2) + cornerArea(b.x1, b.y1, b.x2, b.y2) - inter;
  if (union <= 0) return 0;
  return inter / union;
}
