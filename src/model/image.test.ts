import { describe, expect, it } from 'vitest';
import { patchDim, patchWindow } from './config.js';
import type { ModelConfig } from './config.js';
import { patchify } from './image.js';

/** A `size × size` RGB image whose pixel (x, y) holds bytes (x, y, 10 x + y) in its three channels. */
function coordinateImage(size: number): Uint8Array {
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) rgb.set([x, y, 10 * x + y], (y * size + x) * 3);
  }
  return rgb;
}

const byte = (v: number): number => v / 127.5 - 1;

describe('patchify', () => {
  it('cuts non-overlapping patches row-major over the grid, (dy, dx, channel) inside', () => {
    const out = patchify(coordinateImage(4), { imageSize: 4, patchSize: 2 });
    expect(out).toHaveLength(4 * 2 * 2 * 3);
    // Patch 1 is the top-right one: pixels (2,0), (3,0), (2,1), (3,1).
    const patch1 = Array.from(out.subarray(12, 24));
    const expected = [[2, 0], [3, 0], [2, 1], [3, 1]].flatMap(([x, y]) => [byte(x!), byte(y!), byte(10 * x! + y!)]);
    for (let i = 0; i < 12; i++) expect(patch1[i]).toBeCloseTo(expected[i]!, 6);
  });

  it('with context, each window is centred on its patch and reads outside the image as 0', () => {
    const geometry = { imageSize: 4, patchSize: 2, patchContext: 1 };
    expect(patchWindow(geometry)).toBe(4);
    const out = patchify(coordinateImage(4), geometry);
    expect(out).toHaveLength(4 * 4 * 4 * 3);
    // Window 0 covers pixels x, y in -1..2: its first row and first column are outside.
    const window0 = out.subarray(0, 48);
    for (let dx = 0; dx < 4; dx++) expect(Array.from(window0.subarray(dx * 3, dx * 3 + 3))).toEqual([0, 0, 0]);
    for (let dy = 0; dy < 4; dy++) expect(Array.from(window0.subarray(dy * 12, dy * 12 + 3))).toEqual([0, 0, 0]);
    // Its (dy 1, dx 1) entry is pixel (0, 0); (dy 3, dx 3) is pixel (2, 2).
    expect(window0[(1 * 4 + 1) * 3 + 2]).toBeCloseTo(byte(0), 6);
    expect(Array.from(window0.subarray((3 * 4 + 3) * 3, (3 * 4 + 3) * 3 + 3))).toEqual([byte(2), byte(2), byte(22)].map((v) => Math.fround(v)));
    // Window 3 (bottom right) sees pixel (1, 1) at its top-left corner and nothing past the image.
    const window3 = out.subarray(3 * 48, 4 * 48);
    expect(Array.from(window3.subarray(0, 3))).toEqual([byte(1), byte(1), byte(11)].map((v) => Math.fround(v)));
    expect(Array.from(window3.subarray(45, 48))).toEqual([0, 0, 0]);
  });

  it('a window without context is its patch: the context windows contain the plain patches', () => {
    const rgb = coordinateImage(8);
    const plain = patchify(rgb, { imageSize: 8, patchSize: 4 });
    const wide = patchify(rgb, { imageSize: 8, patchSize: 4, patchContext: 2 });
    for (let p = 0; p < 4; p++) {
      for (let dy = 0; dy < 4; dy++) {
        const from = p * 48 + dy * 12;
        const at = p * 192 + ((dy + 2) * 8 + 2) * 3;
        expect(Array.from(wide.subarray(at, at + 12))).toEqual(Array.from(plain.subarray(from, from + 12)));
      }
    }
  });

  it('writes at an offset into a given buffer and sizes match patchDim', () => {
    const config = { imageSize: 8, patchSize: 4, patchContext: 2 } as ModelConfig;
    const size = 4 * patchDim(config);
    const out = new Float32Array(size + 5).fill(7);
    patchify(coordinateImage(8), config, out, 5);
    expect(Array.from(out.subarray(0, 5))).toEqual([7, 7, 7, 7, 7]);
    expect(out[5]).toBe(0);
  });

  it('rejects an image of the wrong size', () => {
    expect(() => patchify(new Uint8Array(10), { imageSize: 4, patchSize: 2 })).toThrow(/expected 48 bytes, got 10/);
  });
});
