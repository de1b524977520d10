import fc from 'fast-check';
import type { CornerBox, Point } from '../protocol/types.js';

/** Shared fast-check generators for the geometry tests (not part of the public API). */
export const unit = fc.double({ min: 0, max: 1, noNaN: true });

/** A point in the unit square. */
export const point: fc.Arbitrary<Point> = fc.tuple(unit, unit);

/** A non-empty trajectory in the unit square. */
export function trajectory(maxLength = 12): fc.Arbitrary<Point[]> {
  return fc.array(point, { minLength: 1, maxLength });
}

/**
 * A corner box inside the unit square, corners in order, each side either 0 or at least 1e-5 (areas far below
 * the 1e-12 floor of the GIoU formula make it degenerate: see boxGiou's documentation).
 */
export const cornerBox: fc.Arbitrary<CornerBox> = fc
  .tuple(unit, unit, unit, unit, fc.boolean(), fc.boolean())
  .map(([a, b, c, d, flatX, flatY]) => {
    const x1 = Math.min(a, b, 1 - 1e-5);
    const y1 = Math.min(c, d, 1 - 1e-5);
    return {
      x1,
      x2: flatX ? x1 : Math.max(a, b, x1 + 1e-5),
      y1,
      y2: flatY ? y1 : Math.max(c, d, y1 + 1e-5),
    };
  });
