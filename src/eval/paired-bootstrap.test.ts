import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairedRelativeChangeInterval } from './paired-bootstrap.js';

describe('pairedRelativeChangeInterval', () => {
  it('is the single value 0 when both runs score every record alike', () => {
    expect(pairedRelativeChangeInterval([10, 0, 30, 20], [10, 0, 30, 20])).toEqual({ low: 0, high: 0 });
  });

  it('is the exact ratio when the second run scales every record by the same factor: pairing cancels the spread', () => {
    const before = [3, 50, 0, 12, 7, 90, 1];
    const after = before.map((v) => 1.25 * v);
    const interval = pairedRelativeChangeInterval(before, after);
    expect(interval?.low).toBeCloseTo(0.25, 12);
    expect(interval?.high).toBeCloseTo(0.25, 12);
  });

  it('matches the normal approximation on a large sample: ±1.96 standard errors of the mean difference', () => {
    // before = 10 everywhere, after = 10 ± 1: the relative change is mean(±1)/10, whose standard error is 1/(10·√n)
    const n = 400;
    const before = new Array<number>(n).fill(10);
    const after = before.map((v, i) => v + (i % 2 === 0 ? 1 : -1));
    const interval = pairedRelativeChangeInterval(before, after, { resamples: 4000 });
    const halfWidth = (1.96 * 1) / (10 * Math.sqrt(n));
    expect(interval?.low).toBeCloseTo(-halfWidth, 3);
    expect(interval?.high).toBeCloseTo(halfWidth, 3);
  });

  it('widens with the level and is the same for the same seed', () => {
    const before = [10, 0, 30, 20, 40, 5, 0, 25];
    const after = [12, 3, 28, 25, 41, 0, 2, 30];
    const i80 = pairedRelativeChangeInterval(before, after, { level: 0.8 });
    const i95 = pairedRelativeChangeInterval(before, after, { level: 0.95 });
    expect(i95!.low).toBeLessThanOrEqual(i80!.low);
    expect(i95!.high).toBeGreaterThanOrEqual(i80!.high);
    expect(pairedRelativeChangeInterval(before, after, { seed: 7 })).toEqual(pairedRelativeChangeInterval(before, after, { seed: 7 }));
  });

  it('contains the observed change of a noisy sample', () => {
    const before = [10, 0, 30, 20, 40, 5, 0, 25, 18, 9, 33, 14];
    const after = [12, 3, 28, 25, 41, 0, 2, 30, 15, 11, 36, 14];
    const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
    const observed = mean(after) / mean(before) - 1;
    const interval = pairedRelativeChangeInterval(before, after)!;
    expect(interval.low).toBeLessThan(observed);
    expect(interval.high).toBeGreaterThan(observed);
  });

  it('is null for fewer than two pairs, a score that is not finite, or a first run that scores 0 everywhere', () => {
    expect(pairedRelativeChangeInterval([], [])).toBeNull();
    expect(pairedRelativeChangeInterval([1], [2])).toBeNull();
    expect(pairedRelativeChangeInterval([1, Number.NaN], [2, 3])).toBeNull();
    expect(pairedRelativeChangeInterval([1, 2], [2, Number.POSITIVE_INFINITY])).toBeNull();
    expect(pairedRelativeChangeInterval([0, 0, 0], [1, 2, 3])).toBeNull();
  });

  it('rejects unpaired scores and bad options', () => {
    expect(() => pairedRelativeChangeInterval([1, 2], [1])).toThrow(/2 scores before against 1 after/);
    expect(() => pairedRelativeChangeInterval([1, 2], [1, 2], { resamples: 0 })).toThrow(/resamples/);
    expect(() => pairedRelativeChangeInterval([1, 2], [1, 2], { resamples: 2.5 })).toThrow(/resamples/);
    expect(() => pairedRelativeChangeInterval([1, 2], [1, 2], { level: 1 })).toThrow(/level/);
    expect(() => pairedRelativeChangeInterval([1, 2], [1, 2], { level: Number.NaN })).toThrow(/level/);
  });

  it('gives an ordered interval within the range of the per-resample changes (property)', () => {
    const score = fc.double({ min: 0, max: 1000, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(score, score), { minLength: 2, maxLength: 30 }), (pairs) => {
        const before = pairs.map(([b]) => b);
        const after = pairs.map(([, a]) => a);
        const interval = pairedRelativeChangeInterval(before, after, { resamples: 200 });
        if (interval === null) return;
        expect(interval.low).toBeLessThanOrEqual(interval.high);
        expect(interval.low).toBeGreaterThanOrEqual(-1);
      }),
      { numRuns: 100 },
    );
  });
});
