import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CornerBox } from '../protocol/types.js';
import { boxGiou } from './boxGiou.js';
import { boxIou } from './boxIou.js';
import { cornerBoxScoresInto } from './boxScores.js';
import { cornerBox } from './testArbitraries.js';

function scores(a: CornerBox, b: CornerBox): [number, number] {
  const out = new Float64Array(4);
  cornerBoxScoresInto(Float64Array.of(a.x1, a.y1, a.x2, a.y2, b.x1, b.y1, b.x2, b.y2), out, 1, 3);
  return [out[1]!, out[3]!];
}

describe('cornerBoxScoresInto', () => {
  it('writes IoU and GIoU at the given indices', () => {
    expect(scores({ x1: 0, y1: 0, x2: 2, y2: 1 }, { x1: 1, y1: 0, x2: 3, y2: 1 })).toEqual([1 / 3, 1 / 3]);
    expect(scores({ x1: 0, y1: 0, x2: 1, y2: 1 }, { x1: 2, y1: 0, x2: 3, y2: 1 })).toEqual([0, -1 / 3]);
  });

  it('gives boxIou and boxGiou bit for bit, NaN and degenerate boxes included', () => {
    const value = fc.oneof(fc.double({ min: -0.2, max: 1.2, noNaN: true }), fc.constantFrom(NaN, 0, 1, 0.5, -0));
    const anyBox = fc.record({ x1: value, y1: value, x2: value, y2: value });
    fc.assert(
      fc.property(fc.oneof(cornerBox, anyBox), fc.oneof(cornerBox, anyBox), (a, b) => {
        const [iou, giou] = scores(a, b);
        expect(Object.is(iou, boxIou(a, b))).toBe(true);
        expect(Object.is(giou, boxGiou(a, b))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
