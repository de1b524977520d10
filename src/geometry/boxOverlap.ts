import type { CornerBox } from '../protocol/types.js';
import { pyMax, pyMin } from './pythonMath.js';

/** The official `_area`: `max(0, x2 − x1) · max(0, y2 − y1)` with Python's `max` (a NaN side gives 0). */
export function cornerArea(x1: number, y1: number, x2: number, y2: number): number {
  return pyMax(0, x2 - x1) * pyMax(0, y2 - y1);
}

/** Intersection area of two corner boxes, as the official code computes it. */
export function intersectionArea(a: CornerBox, b: CornerBox): number {
  return cornerArea(pyMax(a.x1, b.x1), pyMax(a.y1, b.y1), pyMin(a.x2, b.x2), pyMin(a.y2, b.y2));
}
