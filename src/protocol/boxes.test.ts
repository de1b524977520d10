import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxToShareRobotPixels, centreToCorners, centreToCornersInto, clip01, cornersToCentre, shareRobotPixelsToBox } from './boxes.js';

const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 12);

describe('centreToCorners / cornersToCentre', () => {
  it('converts the centre form to corners', () => {
    const c = centreToCorners({ x: 0.5, y: 0.5, width: 0.2, height: 0.4 });
    close(c.x1, 0.4);
    close(c.y1, 0.3);
    close(c.x2, 0.6);
    close(c.y2, 0.7);
  });

  it('clips to the image and takes the size by magnitude, as the official reward does', () => {
    expect(centreToCorners({ x: 0.95, y: 0.05, width: 0.2, height: 0.2 })).toEqual({ x1: 0.85, y1: 0, x2: 1, y2: 0.15000000000000002 });
    const neg = centreToCorners({ x: 0.5, y: 0.5, width: -0.2, height: -0.2 });
    close(neg.x1, 0.4);
    close(neg.x2, 0.6);
  });

  it('centreToCornersInto writes the corners of centreToCorners, bit for bit', () => {
    const value = fc.oneof(fc.double({ noDefaultInfinity: false }), fc.double({ min: -0.5, max: 1.5, noNaN: true }));
    fc.assert(
      fc.property(value, value, value, value, fc.integer({ min: 0, max: 4 }), (x, y, width, height, at) => {
        const out = new Float64Array(8);
        centreToCornersInto(Float64Array.of(x, y, width, height), out, at);
        const c = centreToCorners({ x, y, width, height });
        [c.x1, c.y1, c.x2, c.y2].forEach((v, k) => expect(Object.is(out[at + k], v)).toBe(true));
      }),
    );
  });

  it('keeps NaN as NaN when clipping, like the official _clip01', () => {
    expect(clip01(NaN)).toBeNaN();
    expect(clip01(-3)).toBe(0);
    expect(clip01(3)).toBe(1);
  });

  it('converts corners back to the centre form', () => {
    const b = cornersToCentre({ x1: 0.4, y1: 0.3, x2: 0.6, y2: 0.7 });
    close(b.x, 0.5);
    close(b.y, 0.5);
    close(b.width, 0.2);
    close(b.height, 0.4);
  });

  it('round-trips boxes that lie inside the image', () => {
    const inside = fc
      .record({ x1: fc.double({ min: 0, max: 1, noNaN: true }), x2: fc.double({ min: 0, max: 1, noNaN: true }), y1: fc.double({ min: 0, max: 1, noNaN: true }), y2: fc.double({ min: 0, max: 1, noNaN: true }) })
      .map(({ x1, x2, y1, y2 }) => ({ x1: Math.min(x1, x2), x2: Math.max(x1, x2), y1: Math.min(y1, y2), y2: Math.max(y1, y2) }));
    fc.assert(
      fc.property(inside, (c) => {
        const back = centreToCorners(cornersToCentre(c));
        for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(back[k] - c[k])).toBeLessThan(1e-12);
      }),
    );
  });
});

describe('ShareRobot pixels (top-left) <-> answer box (normalised centre)', () => {
  it('converts a top-left pixel box to the normalised centre form', () => {
    expect(shareRobotPixelsToBox({ x: 64, y: 48, width: 128, height: 96 }, 640, 480)).toEqual({ x: 0.2, y: 0.2, width: 0.2, height: 0.2 });
    expect(shareRobotPixelsToBox({ x: 0, y: 0, width: 640, height: 480 }, 640, 480)).toEqual({ x: 0.5, y: 0.5, width: 1, height: 1 });
  });

  it('converts a normalised centre box to top-left pixels', () => {
    expect(boxToShareRobotPixels({ x: 0.2, y: 0.2, width: 0.2, height: 0.2 }, 640, 480)).toEqual({ x: 64, y: 48, width: 128, height: 96 });
    expect(boxToShareRobotPixels({ x: 0.5, y: 0.5, width: 1, height: 1 }, 424, 240)).toEqual({ x: 0, y: 0, width: 424, height: 240 });
  });

  it('round-trips both ways', () => {
    const px = fc.record({
      x: fc.integer({ min: 0, max: 600 }),
      y: fc.integer({ min: 0, max: 400 }),
      width: fc.integer({ min: 1, max: 40 }),
      height: fc.integer({ min: 1, max: 80 }),
    });
    fc.assert(
      fc.property(px, (p) => {
        const back = boxToShareRobotPixels(shareRobotPixelsToBox(p, 640, 480), 640, 480);
        for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(back[k] - p[k])).toBeLessThan(1e-9);
      }),
    );
  });

  it('rejects a non-positive image size', () => {
    expect(() => shareRobotPixelsToBox({ x: 0, y: 0, width: 1, height: 1 }, 0, 480)).toThrow(RangeError);
    expect(() => boxToShareRobotPixels({ x: 0, y: 0, width: 1, height: 1 }, 640, NaN)).toThrow(RangeError);
  });
});
