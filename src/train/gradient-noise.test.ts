import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../model/rng.js';
import { GradientMoments, gradientNoise, meanCosine, stepAgreement } from './gradient-noise.js';

function moments(gradients: readonly (readonly number[])[]): GradientMoments {
  const m = new GradientMoments(gradients[0]?.length ?? 0);
  for (const g of gradients) m.add(Float64Array.from(g));
  return m;
}

describe('GradientMoments', () => {
  it('sums the gradients and their squared norms', () => {
    const m = moments([
      [1, 0],
      [0, 2],
      [3, -1],
    ]);
    expect([...m.sum()]).toEqual([4, 1]);
    expect(m.squaredNorms).toBe(1 + 4 + 10);
    expect(m.count).toBe(3);
  });

  it('merges two populations as if every gradient had been added to one', () => {
    const a = moments([
      [1, 2],
      [3, 4],
    ]);
    const b = moments([[-1, 5]]);
    const merged = a.merged(b);
    const all = moments([
      [1, 2],
      [3, 4],
      [-1, 5],
    ]);
    expect([...merged.sum()]).toEqual([...all.sum()]);
    expect(merged.squaredNorms).toBe(all.squaredNorms);
    expect(merged.count).toBe(3);
  });

  it('rejects a gradient or a population of another size', () => {
    const m = new GradientMoments(3);
    expect(() => m.add(Float32Array.of(1, 2))).toThrow(/2 values, expected 3/);
    expect(() => m.merged(new GradientMoments(2))).toThrow(/8 folds of 3 with 8 folds of 2/);
    expect(() => m.merged(new GradientMoments(3, 4))).toThrow(/8 folds of 3 with 4 folds of 3/);
    expect(() => new GradientMoments(3, 0)).toThrow(/positive integer, got 0/);
  });

  it('deals prompts to its folds in turn', () => {
    const m = new GradientMoments(1, 3);
    for (const g of [1, 2, 3, 4]) m.add(Float64Array.of(g));
    expect([...m.foldCounts]).toEqual([2, 1, 1]);
    expect(m.foldSums.map((f) => f[0])).toEqual([5, 2, 3]);
    expect([...m.foldSquaredNorms]).toEqual([17, 4, 9]);
  });
});

describe('gradientNoise', () => {
  it('gives the hand-computed estimates', () => {
    // g = 1, 3: S = 4, Q = 10; |μ|² = (16 − 10) / 2 = 3, tr Σ = (10 − 16/2) / 1 = 2
    expect(gradientNoise(moments([[1], [3]]))).toEqual({
      prompts: 2,
      meanNormSquared: 3,
      meanNormSquaredError: null, // leaving a prompt out leaves one
      traceCovariance: 2,
      noiseScale: 2 / 3,
      noiseScaleRange: null,
    });
    // g = (1, 0), (0, 1), (1, 1): S = (2, 2), Q = 4; |μ|² = (8 − 4) / 6, tr Σ = (4 − 8/3) / 2
    const noise = gradientNoise(
      moments([
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
    );
    expect(noise.meanNormSquared).toBeCloseTo(2 / 3, 15);
    expect(noise.traceCovariance).toBeCloseTo(2 / 3, 15);
    expect(noise.noiseScale).toBeCloseTo(1, 14);
  });

  it('has no noise when every prompt gives the same gradient', () => {
    const noise = gradientNoise(moments([[0.5, -2], [0.5, -2], [0.5, -2], [0.5, -2]]));
    expect(noise.meanNormSquared).toBeCloseTo(4.25, 14);
    expect(noise.traceCovariance).toBe(0);
    expect(noise.noiseScale).toBe(0);
    expect(noise.meanNormSquaredError).toBeCloseTo(0, 12);
  });

  it('gives the jackknife error over the folds (hand-computed, 2 folds)', () => {
    // folds {1, 3} and {2, 6}: all four give |μ|² = (144 − 50) / 12; without fold 1: (2·6) = 12, without fold 2: 3
    const m = new GradientMoments(1, 2);
    for (const g of [1, 2, 3, 6]) m.add(Float64Array.of(g));
    const noise = gradientNoise(m);
    expect(noise.meanNormSquared).toBeCloseTo(94 / 12, 14);
    expect(noise.meanNormSquaredError).toBeCloseTo(Math.sqrt(0.5 * ((12 - 7.5) ** 2 + (3 - 7.5) ** 2)), 14);
    const [low, high] = noise.noiseScaleRange ?? [NaN, NaN];
    expect(low).toBeCloseTo(noise.traceCovariance / (94 / 12 + 4.5), 12);
    expect(high).toBeCloseTo(noise.traceCovariance / (94 / 12 - 4.5), 12);
  });

  it('leaves the range open above when the error reaches |μ|²', () => {
    const rng = new Rng(11);
    const m = new GradientMoments(30);
    for (let p = 0; p < 64; p++) m.add(Float64Array.from({ length: 30 }, (_, k) => (k === 0 ? 0.05 : 0) + rng.normal()));
    const noise = gradientNoise(m);
    expect(noise.meanNormSquaredError).toBeGreaterThan(Math.abs(noise.meanNormSquared));
    if (noise.noiseScaleRange !== null) expect(noise.noiseScaleRange[1]).toBeNull();
  });

  it('has a jackknife error that matches the spread of the estimate over repeated measurements (seeded Monte Carlo)', () => {
    // 200 measurements of 64 prompts each, 20 dimensions, μ = 0.3 each (|μ|² = 1.8), unit variance
    const rng = new Rng(5);
    const estimates: number[] = [];
    const errors: number[] = [];
    for (let r = 0; r < 200; r++) {
      const m = new GradientMoments(20);
      for (let p = 0; p < 64; p++) m.add(Float64Array.from({ length: 20 }, () => 0.3 + rng.normal()));
      const noise = gradientNoise(m);
      estimates.push(noise.meanNormSquared);
      errors.push(noise.meanNormSquaredError as number);
    }
    const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length;
    const spread = Math.sqrt(estimates.reduce((a, u) => a + (u - mean) ** 2, 0) / (estimates.length - 1));
    const meanError = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(mean).toBeGreaterThan(1.8 * 0.93);
    expect(mean).toBeLessThan(1.8 * 1.07);
    expect(meanError / spread).toBeGreaterThan(0.75);
    expect(meanError / spread).toBeLessThan(1.33);
  });

  it('reports no noise scale when the signal is not measured above the noise', () => {
    const noise = gradientNoise(moments([[1, 2], [-1, -2]])); // opposite gradients: S = 0
    expect(noise.meanNormSquared).toBeLessThan(0);
    expect(noise.noiseScale).toBeNull();
  });

  it('needs two prompts', () => {
    expect(() => gradientNoise(moments([[1]]))).toThrow(/at least 2 prompts, got 1/);
    expect(() => gradientNoise(new GradientMoments(4))).toThrow(/got 0/);
  });

  it('recovers |μ|² and tr Σ of a known distribution (seeded Monte Carlo)', () => {
    // 40 dimensions, μ = 0.1 each (|μ|² = 0.4), unit variance each (tr Σ = 40): B = 100
    const rng = new Rng(7);
    const m = new GradientMoments(40);
    for (let p = 0; p < 5000; p++) m.add(Float64Array.from({ length: 40 }, () => 0.1 + rng.normal()));
    const noise = gradientNoise(m);
    expect(noise.meanNormSquared).toBeGreaterThan(0.4 * 0.85);
    expect(noise.meanNormSquared).toBeLessThan(0.4 * 1.15);
    expect(noise.traceCovariance).toBeGreaterThan(40 * 0.97);
    expect(noise.traceCovariance).toBeLessThan(40 * 1.03);
    expect(noise.noiseScale).toBeGreaterThan(80);
    expect(noise.noiseScale).toBeLessThan(120);
  });

  it('does not depend on the scale of the gradients (property)', () => {
    const gradient = fc.array(fc.integer({ min: -1000, max: 1000 }).map((k) => k / 100), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(fc.array(gradient, { minLength: 2, maxLength: 8 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (gradients, scale) => {
        const noise = gradientNoise(moments(gradients));
        const scaled = gradientNoise(moments(gradients.map((g) => g.map((v) => v * scale))));
        expect(scaled.traceCovariance).toBeGreaterThanOrEqual(0);
        if (noise.noiseScale === null || noise.meanNormSquared < 1e-9) return;
        expect(scaled.noiseScale).toBeCloseTo(noise.noiseScale, 6);
      }),
    );
  });
});

describe('stepAgreement', () => {
  it('is b / (b + B), and 0 without a measured signal', () => {
    expect(stepAgreement(8, 24)).toBe(0.25);
    expect(stepAgreement(8, 0)).toBe(1);
    expect(stepAgreement(8, null)).toBe(0);
  });
});

describe('meanCosine', () => {
  it('is 1 for two gradients of the same prompts that always agree, and −1 when they always oppose', () => {
    const a = moments([[1, 2], [1, 2], [1, 2]]);
    const b = moments([[2, 4], [2, 4], [2, 4]]);
    const crossProducts = 3 * (1 * 2 + 2 * 4);
    expect(meanCosine(a, b, { crossProducts })).toBeCloseTo(1, 14);
    const c = moments([[-1, -2], [-1, -2], [-1, -2]]);
    expect(meanCosine(a, c, { crossProducts: -3 * 5 })).toBeCloseTo(-1, 14);
  });

  it('gives the hand-computed value for disjoint prompts', () => {
    // μ_a = (1, 0) exactly (no noise), μ_b = (1, 1): cos 45°
    const a = moments([[1, 0], [1, 0]]);
    const b = moments([[1, 1], [1, 1], [1, 1]]);
    expect(meanCosine(a, b)).toBeCloseTo(Math.SQRT1_2, 14);
  });

  it('removes the shared prompts’ own products', () => {
    // The same noisy prompts on both sides with no common direction: the shared term would otherwise make them look aligned.
    const rng = new Rng(3);
    const gradients = Array.from({ length: 400 }, () => Array.from({ length: 10 }, () => rng.normal()));
    const withSignal = gradients.map((g) => g.map((v, k) => (k === 0 ? v + 0.5 : v)));
    const other = gradients.map((g) => g.map((v, k) => (k === 1 ? v + 0.5 : v)));
    const crossProducts = withSignal.reduce((s, g, p) => s + g.reduce((t, v, k) => t + v * (other[p] as number[])[k]!, 0), 0);
    const cos = meanCosine(moments(withSignal), moments(other), { crossProducts });
    expect(Math.abs(cos as number)).toBeLessThan(0.3);
  });

  it('is null without a measured signal, and rejects shared prompts of unequal counts', () => {
    expect(meanCosine(moments([[1], [-1]]), moments([[1], [1]]))).toBeNull();
    expect(() => meanCosine(moments([[1], [1]]), moments([[1], [1], [1]]), { crossProducts: 1 })).toThrow(/equal counts, got 2 and 3/);
  });
});
