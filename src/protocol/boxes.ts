import type { Box, CornerBox } from './types.js';

/**
 * Box conventions, named so a converter says which one it reads and writes:
 *
 * - **answer box** ({@link Box}): normalised to [0, 1], (x, y) the **centre** (the VLA-R1 answer and reward);
 * - **corner box** ({@link CornerBox}): normalised corners (x1, y1) top-left, (x2, y2) bottom-right;
 * - **ShareRobot pixels** ({@link PixelBox}): pixels, (x, y) the **top-left** corner (the raw ShareRobot labels).
 */

/** A box in pixels with (x, y) its top-left corner: the raw ShareRobot affordance label. */
export interface PixelBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Clip to [0, 1] the way the official code does (`0 if v < 0 else 1 if v > 1 else v`: NaN stays NaN). */
export function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/**
 * Answer box (centre form) to corners, clipped to [0, 1], exactly as the official reward converts it:
 * `x1 = clip01(x − |w|/2)`, `x2 = clip01(x + |w|/2)` (a negative size counts by its magnitude).
 *
 * @example
 * centreToCorners({ x: 0.5, y: 0.5, width: 0.2, height: 0.4 }); // {x1: 0.4, y1: 0.3, x2: 0.6, y2: 0.7}
 * centreToCorners({ x: 0.95, y: 0.5, width: 0.2, height: 0.2 }).x2; // 1 (clipped)
 */
export function centreToCorners(box: Box): CornerBox {
  const w = Math.abs(box.width) / 2;
  const h = Math.abs(box.height) / 2;
  return { x1: clip01(box.x - w), y1: clip01(box.y - h), x2: clip01(box.x + w), y2: clip01(box.y + h) };
}

/**
 * {@link centreToCorners} of the answer box `box[0..4)` (x, y, width, height) into `out[at..at + 4)` (x1, y1, x2,
 * y2): the same arithmetic, for callers that keep boxes in typed arrays (no object, no boxed number per box).
 *
 * @example
 * const c = new Float64Array(4);
 * centreToCornersInto(Float64Array.of(0.5, 0.5, 0.2, 0.4), c, 0); // c ≈ [0.4, 0.3, 0.6, 0.7]
 */
export function centreToCornersInto(box: Float64Array, out: Float64Array, at: number): void {
  const x = box[0]!;
  const y = box[1]!;
  const w = Math.abs(box[2]!) / 2;
  const h = Math.abs(box[3]!) / 2;
  out[at] = clip01(x - w);
  out[at + 1] = clip01(y - h);
  out[at + 2] = clip01(x + w);
  out[at + 3] = clip01(y + h);
}

/**
 * Corners to an answer box (centre form); corners given in either order give a positive size.
 *
 * @example
 * cornersToCentre({ x1: 0.4, y1: 0.3, x2: 0.6, y2: 0.7 }); // {x: 0.5, y: 0.5, width: 0.2, height: 0.4} (to rounding)
 */
export function cornersToCentre(c: CornerBox): Box {
  return { x: (c.x1 + c.x2) / 2, y: (c.y1 + c.y2) / 2, width: Math.abs(c.x2 - c.x1), height: Math.abs(c.y2 - c.y1) };
}

function checkImageSize(imageWidth: number, imageHeight: number): void {
  if (!(imageWidth > 0 && imageHeight > 0 && Number.isFinite(imageWidth) && Number.isFinite(imageHeight))) {
    throw new RangeError(`image size must be positive and finite, got ${imageWidth}×${imageHeight}`);
  }
}

/**
 * A ShareRobot pixel box (top-left corner) to an answer box (normalised centre). No clipping: a label that spills
 * outside the image stays outside [0, 1], so a data check can report it.
 *
 * @example
 * shareRobotPixelsToBox({ x: 64, y: 48, width: 128, height: 96 }, 640, 480); // {x: 0.2, y: 0.2, width: 0.2, height: 0.2}
 */
export function shareRobotPixelsToBox(px: PixelBox, imageWidth: number, imageHeight: number): Box {
  checkImageSize(imageWidth, imageHeight);
  return {
    x: (px.x + px.width / 2) / imageWidth,
    y: (px.y + px.height / 2) / imageHeight,
    width: px.width / imageWidth,
    height: px.height / imageHeight,
  };
}

/**
 * An answer box (normalised centre) to ShareRobot pixels (top-left corner); the inverse of
 * {@link shareRobotPixelsToBox}. No rounding.
 *
 * @example
 * boxToShareRobotPixels({ x: 0.2, y: 0.2, width: 0.2, height: 0.2 }, 640, 480); // {x: 64, y: 48, width: 128, height: 96}
 */
export function boxToShareRobotPixels(box: Box, imageWidth: number, imageHeight: number): PixelBox {
  checkImageSize(imageWidth, imageHeight);
  return {
    x: (box.x - box.width / 2) * imageWidth,
    y: (box.y - box.height / 2) * imageHeight,
    width: box.width * imageWidth,
    height: box.height * imageHeight,
  };
}
