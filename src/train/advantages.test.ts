import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupAdvantages } from './advantages.js';

describe('groupAdvantages', () => {
  it('normalises by the group mean and unbiased std (hand-computed)', () => {
    // mean 0.2, unbiased variance (0.64 + 4·0.04)/4 = 0.2, std 0.4472136
    const { advantages, means, stds, zeroSpread } = groupAdvantages([1, 0, 0, 0, 0], { groupSize: 5 });
    expect(advantages[0]).toBeCloseTo(1.7888503820087762, 12);
    for (const a of advantages.slice(1)) expect(a).toBeCloseTo(-0.44721259550219405, 12);
    expect(means).toEqual([0.2]);
    expect(stds[0]).toBeCloseTo(Math.sqrt(0.2), 15);
    expect(zeroSpread).toEqual([false]);
  });

  it('handles several groups independently', () => {
    // group 1: mean 0.7, std 0.2 → ±(0.2/0.200001), 0; group 2: all equal → zero spread
    const { advantages, zeroSpread } = groupAdvantages([0.9, 0.5, 0.7, 0.4, 0.4, 0.4], { groupSize: 3 });
    expect(advantages[0]).toBeCloseTo(0.9999950000250007, 12);
    expect(advantages[1]).toBeCloseTo(-0.9999950000249991, 12);
    expect(advantages[2]).toBeCloseTo(0, 12);
    expect(advantages.slice(3)).toEqual([0, 0, 0]);
    expect(zeroSpread).toEqual([false, true]);
  });

  it('Dr. GRPO: no std scaling', () => {
    expect(groupAdvantages([1, 0], { groupSize: 2, scaleByStd: false }).advantages).toEqual([0.5, -0.5]);
    expect(groupAdvantages([0.25, 0.5, 0.75, 1], { groupSize: 4, scaleByStd: false }).advantages).toEqual([-0.375, -0.125, 0.125, 0.375]);
  });

  it('treats residue below the tolerance as no spread (never amplified)', () => {
    const { advantages, zeroSpread } = groupAdvantages([0.3, 0.3 + 1e-12, 0.3], { groupSize: 3 });
    expect(advantages).toEqual([0, 0, 0]);
    expect(zeroSpread).toEqual([true]);
  });

  it('rejects rewards that do not split into groups', () => {
    expect(() => groupAdvantages([1, 2, 3], { groupSize: 2 })).toThrow(/groups of 2/);
    expect(() => groupAdvantages([1], { groupSize: 0 })).toThrow(/positive integer/);
  });

  it('property: advantages of a spreading group sum to 0 and keep the reward order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000), { minLength: 2, maxLength: 8 }), fc.boolean(), (rewards, scale) => {
        const { advantages, zeroSpread } = groupAdvantages(rewards, { groupSize: rewards.length, scaleByStd: scale });
        expect(Math.abs(advantages.reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
        if (zeroSpread[0]) return;
        for (let i = 0; i < rewards.length; i++) {
          for (let j = 0; j < rewards.length; j++) {
            if ((rewards[i] as number) < (rewards[j] as number)) expect(advantages[i] as number).toBeLessThan(advantages[j] as number);
          }
        }
      }),
    );
  });
});
