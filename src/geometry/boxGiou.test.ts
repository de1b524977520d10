import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxGiou } from './boxGiou.js';
import { boxIou } from './boxIou.js';
import { cornerBox } from './testArbitraries.js';

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe('boxIou / boxGiou', () => {
  // Expected values from the official _iou_xyxy / _giou_xyxy (CPython 3.11).
  it.each([
    [box(0, 0, 2, 1), box(1, 0, 3, 1), 0.3333333333333333, 0.3333333333333333],
    [box(0, 0, 1, 1), box(2, 0, 3, 1), 0, -0.3333333333333333],
    [box(0.1, 0.1, 0.4, 0.5), box(0.2, 0.3, 0.6, 0.9), 0.125, -0.0749999999999999],
    [box(0.5, 0.5, 0.5, 0.5), box(0.5, 0.5, 0.5, 0.5), 0, 0], // empty boxes: IoU 0, enclosing area floored at 1e-12
    [box(0.3, 0.3, 0.2, 0.2), box(0.1, 0.1, 0.4, 0.4), 0, 0], // inverted corners count as empty
  ])('IoU and GIoU of %o and %o', (a, b, iou, giou) => {
    expect(boxIou(a, b)).toBe(iou);
    expect(boxGiou(a, b)).toBe(giou);
  });

  it('reproduces the official NaN behaviour: a NaN corner gives GIoU 1 (the reward hack strict mode closes)', () => {
    const nanBox = box(NaN, 0.1, 0.4, 0.5);
    const other = box(0.2, 0.3, 0.6, 0.9);
    expect(boxIou(nanBox, other)).toBe(0);
    expect(boxGiou(nanBox, other)).toBe(1);
  });

  it('gives IoU 1 and GIoU 1 for identical non-empty boxes', () => {
    fc.assert(
      fc.property(cornerBox, (a) => {
        if (a.x2 - a.x1 <= 0 || a.y2 - a.y1 <= 0) return;
        expect(boxIou(a, a)).toBeCloseTo(1, 12);
        expect(boxGiou(a, a)).toBeCloseTo(1, 12);
      }),
    );
  });

  it('IoU is in [0, 1], GIoU in [-1, 1], GIoU ≤ IoU, and both are symmetric', () => {
    fc.assert(
      fc.property(cornerBox, cornerBox, (a, b) => {
        // An enclosing area below the 1e-12 floor is the degenerate case documented on boxGiou.
        const enclosing = (Math.max(a.x2, b.x2) - Math.min(a.x1, b.x1)) * (Math.max(a.y2, b.y2) - Math.min(a.y1, b.y1));
        fc.pre(enclosing === 0 || enclosing > 1e-10);
        const iou = boxIou(a, b);
        const giou = boxGiou(a, b);
        expect(iou).toBeGreaterThanOrEqual(0);
        expect(iou).toBeLessThanOrEqual(1);
        expect(giou).toBeGreaterThanOrEqual(-1);
        expect(giou).toBeLessThanOrEqual(1);
        expect(giou).toBeLessThanOrEqual(iou + 1e-12);
        expect(boxIou(b, a)).toBe(iou);
        expect(boxGiou(b, a)).toBeCloseTo(giou, 12);
      }),
    );
  });
});
