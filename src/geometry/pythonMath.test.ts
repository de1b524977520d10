import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pyMax, pyMin, pyMin3, pythonHypot } from './pythonMath.js';

describe('pythonHypot', () => {
  // Expected values are CPython 3.11's math.hypot (Math.hypot differs in the last bit on some of them).
  it.each([
    [3, 4, 5],
    [0, 0, 0],
    [-0.3, 0.4, 0.5],
    [0.1, 0.2, 0.223606797749979],
    [0.7071067811865476, 0.7071067811865475, 1],
    [1e308, 1e308, 1.4142135623730951e308],
    [1e-310, 0, 1e-310],
  ])('hypot(%d, %d) = %d', (x, y, expected) => {
    expect(pythonHypot(x, y)).toBe(expected);
  });

  it('returns the other coordinate exactly when one is zero (CPython does: the root of an exact square)', () => {
    for (const y of [0.3, -0.7, 1, 1e-300, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 123.456]) {
      expect(pythonHypot(0, y)).toBe(Math.abs(y));
      expect(pythonHypot(y, -0)).toBe(Math.abs(y));
    }
    expect(pythonHypot(0, NaN)).toBeNaN();
    expect(pythonHypot(-0, Infinity)).toBe(Infinity);
  });

  it('follows Python for infinities and NaN', () => {
    expect(pythonHypot(Infinity, NaN)).toBe(Infinity);
    expect(pythonHypot(NaN, -Infinity)).toBe(Infinity);
    expect(pythonHypot(NaN, 1)).toBeNaN();
  });

  it('is within two ulps of Math.hypot (itself not correctly rounded) and symmetric', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x, y) => {
        const h = pythonHypot(x, y);
        expect(h).toBe(pythonHypot(y, -x));
        expect(Math.abs(h - Math.hypot(x, y))).toBeLessThanOrEqual(Math.hypot(x, y) * 4.5e-16);
      }),
    );
  });
});

describe('pyMax / pyMin / pyMin3', () => {
  it('keep the first argument unless a later one is strictly better, like Python', () => {
    expect(pyMax(1, NaN)).toBe(1);
    expect(pyMax(NaN, 1)).toBeNaN();
    expect(pyMin(1, NaN)).toBe(1);
    expect(pyMin(NaN, 1)).toBeNaN();
    expect(pyMin3(3, NaN, 2)).toBe(2);
    expect(pyMin3(NaN, 1, 2)).toBeNaN();
    expect(Object.is(pyMax(0, -0), 0)).toBe(true);
    expect(Object.is(pyMax(-0, 0), -0)).toBe(true);
  });
});
