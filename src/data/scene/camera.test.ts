import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLookAtCamera, normalisedToPlane, projectNormalised, projectPoint, resizeCamera } from './camera.js';

const camera = createLookAtCamera({ width: 128, height: 128, fovY: 0.9, position: [0, -0.6, 0.55], target: [0, 0.05, 0] });

describe('pinhole camera', () => {
  it('maps the look-at point to the image centre and world +x to the right', () => {
    const c = projectPoint(camera, [0, 0.05, 0]);
    expect(c?.u).toBeCloseTo(64, 9);
    expect(c?.v).toBeCloseTo(64, 9);
    expect(projectPoint(camera, [0.1, 0.05, 0])!.u).toBeGreaterThan(64);
    // Farther along the table is higher in the image; higher above the table is higher too.
    expect(projectPoint(camera, [0, 0.2, 0])!.v).toBeLessThan(64);
    expect(projectPoint(camera, [0, 0.05, 0.1])!.v).toBeLessThan(64);
  });

  it('returns undefined behind the camera', () => {
    expect(projectPoint(camera, [0, -1.5, 1.2])).toBeUndefined();
  });

  it('lifts a normalised point back onto the table plane (round trip)', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.3, max: 0.3, noNaN: true }), fc.double({ min: -0.2, max: 0.3, noNaN: true }), (x, y) => {
        const n = projectNormalised(camera, [x, y, 0])!;
        const back = normalisedToPlane(camera, n[0], n[1])!;
        return Math.abs(back[0] - x) < 1e-9 && Math.abs(back[1] - y) < 1e-9 && back[2] === 0;
      }),
    );
  });

  it('gives the same normalised coordinates at any image size', () => {
    const big = resizeCamera(camera, 512, 512);
    const a = projectNormalised(camera, [0.12, -0.07, 0.05])!;
    const b = projectNormalised(big, [0.12, -0.07, 0.05])!;
    expect(b[0]).toBeCloseTo(a[0], 12);
    expect(b[1]).toBeCloseTo(a[1], 12);
  });
});
