import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pythonFloat } from './pythonFloat.js';

// Expected values checked against CPython 3.11's float().
const ACCEPTED: readonly (readonly [string, number])[] = [
  ['1', 1],
  ['1.5', 1.5],
  [' 0.4 ', 0.4],
  ['1e3', 1000],
  ['1E+5', 100000],
  ['+.5e-3', 0.0005],
  ['.5', 0.5],
  ['5.', 5],
  ['007', 7],
  ['-0', -0],
  ['inf', Infinity],
  ['-inf', -Infinity],
  ['+inf', Infinity],
  ['Infinity', Infinity],
  ['-INFINITY', -Infinity],
  ['1_0', 10],
  ['1e1_0', 1e10],
  ['1.0_1', 1.01],
  ['0_0', 0],
  ['\u000b1\u000c', 1],
  ['\u00a01\u2003', 1],
  ['1\u0085', 1],
  ['\u0661\u0662', 12], // Arabic-Indic digits
  ['\u0661.\u0662', 1.2],
  ['\u{1d7d9}', 1], // MATHEMATICAL DOUBLE-STRUCK DIGIT ONE
  ['1e400', Infinity],
  ['1e-400', 0],
];

const REJECTED: readonly string[] = [
  '', '  ', 'abc', '1__0', '_1', '1_', '1_e5', '.', 'e5', '1e', '0x10', '\u001c1', '1\u001c', '\u001f1', '1\u200b',
  'infinit', 'nan(1)', '--1', '1 1', '1,5', '\ufeff1', 'Infinity1',
];

describe('pythonFloat', () => {
  it.each(ACCEPTED)('reads %j as %d', (text, expected) => {
    expect(Object.is(pythonFloat(text), expected)).toBe(true);
  });

  it.each(REJECTED)('rejects %j', (text) => {
    expect(() => pythonFloat(text)).toThrow(RangeError);
  });

  it('reads nan in any case and sign as NaN', () => {
    for (const text of ['nan', 'NaN', '-nan', '+NAN', ' nan ']) expect(pythonFloat(text)).toBeNaN();
  });

  it('passes numbers through and reads booleans as 1 and 0', () => {
    expect(pythonFloat(0.25)).toBe(0.25);
    expect(pythonFloat(NaN)).toBeNaN();
    expect(pythonFloat(-Infinity)).toBe(-Infinity);
    expect(pythonFloat(true)).toBe(1);
    expect(pythonFloat(false)).toBe(0);
  });

  it('reads a bigint that fits and rejects one that overflows a double (Python OverflowError)', () => {
    expect(pythonFloat(2n ** 60n)).toBe(2 ** 60);
    expect(() => pythonFloat(10n ** 400n)).toThrow(/too large/);
  });

  it('rejects null, undefined, objects and arrays with a TypeError', () => {
    for (const value of [null, undefined, {}, [], [1], { x: 1 }]) expect(() => pythonFloat(value)).toThrow(TypeError);
  });

  it('reads back any double from its shortest text, with surrounding whitespace', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.constantFrom('', ' ', '\t', '\n '), (d, pad) => {
        expect(pythonFloat(`${pad}${String(d)}${pad}`) === d).toBe(true); // String(-0) is "0"
      }),
    );
  });

  it('either returns a number or throws TypeError/RangeError on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        try {
          expect(typeof pythonFloat(text)).toBe('number');
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
        }
      }),
    );
  });
});
