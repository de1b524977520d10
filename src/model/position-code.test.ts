import { describe, expect, it } from 'vitest';
import type { ModelConfig } from './config.js';
import { initParams } from './params.js';
import { applyPositionCode, fourierCode } from './position-code.js';
import { Rng } from './rng.js';
import { Tokenizer } from './tokenizer.js';

describe('position code', () => {
  it('is most similar for nearby locations', () => {
    const at = (u: number): Float32Array => fourierCode(u, 16);
    const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
    const ref = at(0.4);
    const sims = [0, 0.1, 0.2, 0.3, 0.38, 0.4, 0.42, 0.6, 0.9].map((u) => dot(ref, at(u)));
    expect(Math.max(...sims)).toBe(dot(ref, ref));
    expect(dot(ref, at(0.42))).toBeGreaterThan(dot(ref, at(0.6)));
    expect(dot(ref, at(0.38))).toBeGreaterThan(dot(ref, at(0.1)));
  });

  it('ties patch positions, coordinate tokens and head columns to the same code', () => {
    const tok = Tokenizer.train(['x 0.25', 'x 0.25'], { coordinateBins: 4 });
    const c: ModelConfig = { imageSize: 8, patchSize: 4, dModel: 16, nLayers: 1, nHeads: 2, mlpRatio: 1, vocabSize: tok.vocabSize, promptLength: 2, targetLength: 3, coordinateBins: 0 };
    const p = applyPositionCode(initParams(c, new Rng(0)), c, tok);
    const d = 16;
    const row = (data: Float32Array, i: number): number[] => Array.from(data.subarray(i * d, (i + 1) * d));
    // patch 1 of the 2×2 grid: centre (0.75, 0.25); x-token for bin 3 (value 0.875) and y-token for bin 1 (0.375)
    const patch = row(p.positions.data, 1);
    expect(patch.slice(0, 8)).toEqual(Array.from(fourierCode(0.75, 8)).map((v) => Math.fround(v * 0.14)));
    expect(patch.slice(8)).toEqual(Array.from(fourierCode(0.25, 8)).map((v) => Math.fround(v * 0.14)));
    const xToken = tok.coordinateToken(0.875, 'x');
    expect(row(p.tokenEmbedding.data, xToken).slice(8)).toEqual(new Array(8).fill(0));
    expect(row(p.tokenEmbedding.data, xToken).slice(0, 8)).toEqual(Array.from(fourierCode(0.875, 8)).map((v) => Math.fround(v * 0.14)));
    const head = Array.from({ length: d }, (_, j) => p.headWeight.data[j * c.vocabSize + xToken] as number);
    expect(head.slice(0, 8)).toEqual(Array.from(fourierCode(0.875, 8)).map((v) => Math.fround(v * 0.03)));
    // value and output projections carry the code dimensions through (identity added to the random init)
    const qkv = p.blocks[0]?.qkvWeight.data as Float32Array;
    const plain = initParams(c, new Rng(0)).blocks[0]?.qkvWeight.data as Float32Array;
    expect((qkv[0 * 3 * d + 2 * d + 0] as number) - (plain[2 * d] as number)).toBeCloseTo(1, 6);
    expect((qkv[0 * 3 * d + 2 * d + 1] as number) - (plain[2 * d + 1] as number)).toBeCloseTo(0, 6);
  });
});
