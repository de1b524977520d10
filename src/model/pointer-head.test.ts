import { describe, expect, it } from 'vitest';
import type { ModelConfig } from './config.js';
import { hasPointer, pointerGridMap } from './pointer-head.js';
import { SPECIAL_TOKENS } from './tokenizer.js';

// A 4 × 4 patch grid, 8 bins per axis: vocabulary = 6 special + 16 coordinate + 2 text tokens.
const config: ModelConfig = {
  imageSize: 16,
  patchSize: 4,
  dModel: 8,
  nLayers: 1,
  nHeads: 1,
  mlpRatio: 1,
  vocabSize: SPECIAL_TOKENS.length + 16 + 2,
  promptLength: 2,
  targetLength: 4,
  coordinateBins: 8,
};
const G = 4;
const V = config.vocabSize;
const xToken = (b: number): number => SPECIAL_TOKENS.length + b;
const yToken = (b: number): number => SPECIAL_TOKENS.length + 8 + b;

function column(map: Float32Array, token: number): number[] {
  return Array.from({ length: 2 * G }, (_, cell) => map[cell * V + token] as number);
}

describe('pointerGridMap', () => {
  const map = pointerGridMap(config);

  it('gives every coordinate bin weights that sum to 1, on its own axis only', () => {
    for (let b = 0; b < 8; b++) {
      const x = column(map, xToken(b));
      const y = column(map, yToken(b));
      expect(x.slice(0, G).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
      expect(x.slice(G).every((v) => v === 0)).toBe(true);
      expect(y.slice(G).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
      expect(y.slice(0, G).every((v) => v === 0)).toBe(true);
    }
  });

  it('interpolates between the two nearest cell centres and clamps at the edges', () => {
    // Bin 0 (centre 1/16) and bin 1 (3/16) lie before the first cell centre (1/8): all on cell 0.
    expect(column(map, xToken(0)).slice(0, G)).toEqual([1, 0, 0, 0]);
    // Bin 2: centre 5/16, i.e. 0.75 of the way from cell 0's centre (1/8) to cell 1's (3/8).
    const bin2 = column(map, xToken(2)).slice(0, G);
    expect(bin2[0]).toBeCloseTo(0.25, 6);
    expect(bin2[1]).toBeCloseTo(0.75, 6);
    expect(column(map, xToken(7)).slice(0, G)).toEqual([0, 0, 0, 1]);
  });

  it('leaves the other tokens alone', () => {
    for (const token of [0, 1, 2, V - 1]) expect(column(map, token).every((v) => v === 0)).toBe(true);
  });

  it('is only there when the config names its coordinate bins', () => {
    expect(hasPointer(config)).toBe(true);
    expect(hasPointer({ ...config, coordinateBins: 0 })).toBe(false);
  });
});
