import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputPayload } from './payloadShape.js';

const BOX = '<think>a</think><output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.4}</output>';
const TRAJECTORY = '<think>a</think><output> [[0.1, 0.2], [1.5, -0.5]] </output>';

describe('OutputPayload.read', () => {
  it('reads boxes and trajectories, and with a wanted shape only that shape', () => {
    const payload = new OutputPayload();
    expect(payload.read(BOX).isBox).toBe(true);
    expect(payload.read(TRAJECTORY).pairs).toBe(2);
    expect(payload.read(TRAJECTORY, 'box').present).toBe(false);
    expect(payload.read(BOX, 'trajectory').present).toBe(false);
    expect(payload.read(BOX, 'box').isBox).toBe(true);
    expect(payload.read(TRAJECTORY, 'trajectory').isTrajectory).toBe(true);
    expect(payload.read(BOX, 'none').present).toBe(false);
    expect(payload.read('<output>{"x": "0.5", "y": 0.5, "width": 0.2, "height": 0.4}</output>', 'box').isBox).toBe(true);
  });

  it('gives the same payload with a wanted shape as without, when the payload has that shape', () => {
    const text = fc.oneof(
      fc.constantFrom(BOX, TRAJECTORY, '<output>null</output>', '<output>[]</output>', '<output>{}</output>', '<OUTPUT>\n[[1, 2]]\n</output>'),
      fc.string().map((s) => `<output>${s}</output>`),
    );
    fc.assert(
      fc.property(text, fc.constantFrom('box', 'trajectory') as fc.Arbitrary<'box' | 'trajectory'>, (t, wanted) => {
        const any = new OutputPayload().read(t);
        const only = new OutputPayload().read(t, wanted);
        const hasShape = wanted === 'box' ? any.isBox : any.isTrajectory;
        expect(wanted === 'box' ? only.isBox : only.isTrajectory).toBe(hasShape);
        if (hasShape && wanted === 'trajectory') expect(only.clippedTrajectory()).toBe(any.clippedTrajectory());
      }),
    );
  });
});

describe('OutputPayload.cornersInto', () => {
  it('writes the corners of corners(), or fails where it gives undefined', () => {
    const value = fc.oneof(
      fc.double({ min: -1, max: 2, noNaN: true }).map(String),
      fc.constantFrom('NaN', 'Infinity', '"0.4"', '" 0.5 "', '"abc"', 'true', 'null', '1e-3', '[]'),
    );
    fc.assert(
      fc.property(value, value, value, value, fc.boolean(), (x, y, w, h, requireFinite) => {
        const payload = new OutputPayload().read(`<output>{"x": ${x}, "y": ${y}, "width": ${w}, "height": ${h}}</output>`);
        if (!payload.isBox) return;
        const corners = payload.corners(requireFinite);
        const out = new Float64Array(6);
        expect(payload.cornersInto(out, 2, requireFinite)).toBe(corners !== undefined);
        if (corners !== undefined) {
          [corners.x1, corners.y1, corners.x2, corners.y2].forEach((v, k) => expect(Object.is(out[2 + k], v)).toBe(true));
        }
      }),
    );
  });
});
