import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { expectedCoordinate, sampleToken } from './sampling.js';

const logits = new Float32Array([1, 3, 2, 0]);

describe('sampleToken', () => {
  it('picks the argmax when greedy and reports its log-probability', () => {
    const { token, logProb } = sampleToken(logits, 0, 4, undefined, { temperature: 0, topP: 1 }, new Rng(0));
    expect(token).toBe(1);
    const z = Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(0);
    expect(logProb).toBeCloseTo(3 - Math.log(z), 6);
  });

  it('respects the mask', () => {
    const mask = new Float32Array([0, -1e9, 0, -1e9]);
    const { token, logProb } = sampleToken(logits, 0, 4, mask, { temperature: 0, topP: 1 }, new Rng(0));
    expect(token).toBe(2);
    expect(logProb).toBeCloseTo(2 - Math.log(Math.exp(1) + Math.exp(2)), 6);
  });

  it('samples in proportion to the tempered probabilities', () => {
    const rng = new Rng(5);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) {
      const t = sampleToken(logits, 0, 4, undefined, { temperature: 2, topP: 1 }, rng).token;
      counts[t] = (counts[t] ?? 0) + 1;
    }
    const p = [1, 3, 2, 0].map((v) => Math.exp(v / 2));
    const z = p.reduce((a, b) => a + b, 0);
    counts.forEach((n, i) => expect(Math.abs(n / 20000 - (p[i] as number) / z)).toBeLessThan(0.015));
  });

  it('keeps only the nucleus with top-p', () => {
    const rng = new Rng(9);
    const seen = new Set<number>();
    // p ≈ [0.09, 0.64, 0.24, 0.03]: the top two tokens hold 0.88 ≥ 0.8.
    for (let i = 0; i < 2000; i++) seen.add(sampleToken(logits, 0, 4, undefined, { temperature: 1, topP: 0.8 }, rng).token);
    expect([...seen].sort()).toEqual([1, 2]);
  });

  it('reads the row at the offset', () => {
    const two = new Float32Array([0, 0, 9, 0, 5, 0, 0, 0]);
    expect(sampleToken(two, 4, 4, undefined, { temperature: 0, topP: 1 }, new Rng(0)).token).toBe(0);
  });
});

describe('expectedCoordinate', () => {
  const V = 8; // ids 0..2 other tokens, 3..7 five bins
  const range = { offset: 3, bins: 5 };
  it('picks the bin nearest to the mean, not the mode', () => {
    // Two peaks at bins 0 and 4 (ids 3 and 7) with a little more mass at bin 0: the argmax is bin 0, the mean bin 2.
    const logits = new Float32Array([-50, -50, -50, Math.log(0.45), -50, -50, -50, Math.log(0.4)]);
    const { token, logProb } = expectedCoordinate(logits, 0, V, undefined, range);
    expect(token).toBe(3 + 2);
    expect(logProb).toBeLessThan(-20);
    expect(sampleToken(logits, 0, V, undefined, { temperature: 0, topP: 1 }, new Rng(0)).token).toBe(3);
  });

  it('chooses a non-coordinate token (<eos>) when it holds most of the mass', () => {
    const logits = new Float32Array([0, 3, 0, 0, 0, 0, 0, 0]);
    expect(expectedCoordinate(logits, 0, V, undefined, range).token).toBe(1);
  });

  it('with a window, averages only the bins around the mode (one peak, not the gap between two)', () => {
    // Bins 0 and 1 hold 0.3 and 0.2 (the peak around the mode, bin 0), bin 4 holds 0.4 alone.
    const logits = new Float32Array([-50, -50, -50, Math.log(0.3), Math.log(0.2), -50, -50, Math.log(0.4)]);
    expect(expectedCoordinate(logits, 0, V, undefined, range).token).toBe(3 + 2); // the global mean: (0.2 + 1.6) / 0.9 = 2
    expect(expectedCoordinate(logits, 0, V, undefined, range, undefined, 1).token).toBe(3 + 4); // mode bin 4, alone in its window
    const twoPeaks = new Float32Array([-50, -50, -50, Math.log(0.3), Math.log(0.25), Math.log(0.05), -50, Math.log(0.4)]);
    // mode bin 4 (0.4) with bin 3 empty beside it; a window of 3 reaches bins 1..4: (0.25 + 0.1 + 1.6) / 0.7 = 2.79 -> bin 3
    expect(expectedCoordinate(twoPeaks, 0, V, undefined, range, undefined, 3).token).toBe(3 + 3);
    expect(expectedCoordinate(twoPeaks, 0, V, undefined, range, undefined, 0).token).toBe(3 + 4);
  });
});
