import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAnswerNumber, pythonFloatJson, pythonRound6 } from './pythonNumberFormat.js';

// Expected strings are CPython 3.11's json.dumps(round(v, 6)).
const CASES: readonly (readonly [number, string])[] = [
  [0.2302634, '0.230263'],
  [0.2587, '0.2587'],
  [1, '1.0'],
  [0, '0.0'],
  [-0, '-0.0'],
  [-1e-9, '-0.0'],
  [0.0078125, '0.007812'], // exact binary tie: half to even
  [-0.0078125, '-0.007812'],
  [0.0234375, '0.023438'], // 3/128: tie, the even neighbour is above
  [0.9999995, '1.0'], // not a tie in binary: the double is just above the midpoint
  [0.00005, '5e-05'],
  [0.000051, '5.1e-05'],
  [0.0001, '0.0001'],
  [123456.1234567, '123456.123457'],
  [1e15, '1000000000000000.0'],
  [1e16, '1e+16'],
  [1.5e300, '1.5e+300'],
  [NaN, 'NaN'],
  [Infinity, 'Infinity'],
  [-Infinity, '-Infinity'],
];

describe('formatAnswerNumber', () => {
  it.each(CASES)('formats %d as %s', (value, expected) => {
    expect(formatAnswerNumber(value)).toBe(expected);
  });

  it('prints text that reads back as the rounded value', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(Number(formatAnswerNumber(value))).toBe(pythonRound6(value));
      }),
    );
  });

  it('rounds to at most 6 decimals, within half a millionth', () => {
    fc.assert(
      fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), (value) => {
        const rounded = pythonRound6(value);
        expect(Math.abs(rounded - value)).toBeLessThanOrEqual(5e-7 + 1e-12);
        expect(Math.abs(rounded * 1e6 - Math.round(rounded * 1e6))).toBeLessThan(1e-3);
      }),
    );
  });
});

describe('pythonFloatJson', () => {
  it('writes Python repr forms', () => {
    expect(pythonFloatJson(1234567890123456)).toBe('1234567890123456.0');
    expect(pythonFloatJson(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(pythonFloatJson(1e-7)).toBe('1e-07');
    expect(pythonFloatJson(-2.5e-5)).toBe('-2.5e-05');
  });
});
