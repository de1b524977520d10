import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePythonJson } from '../protocol/pythonJson.js';
import { readAsciiBox, readAsciiPairs } from './asciiPayload.js';

const number = fc.oneof(
  fc.double({ min: -2, max: 2, noNaN: true }).map(String),
  fc.integer({ min: 0, max: 999999 }).map((k) => `0.${String(k).padStart(6, '0')}`),
  fc.constantFrom('-0', '-0.0', '0', '1', '1.0', '1e-3', '12345678901234567', '0.1234567890123456', 'NaN', '-Infinity', '01', '1.', '.5', '"0.5"', 'true', '0.5é'),
);
const space = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ', '\u00a0');

describe('readAsciiPairs', () => {
  it('reads the usual trajectory payload', () => {
    const text = '<output>[[0.230263, 0.133244], [-0.5, 1]]</output>';
    const buffer = { data: new Float64Array(2) };
    expect(readAsciiPairs(text, 8, text.length - 9, buffer)).toBe(2);
    expect(Array.from(buffer.data.subarray(0, 4))).toEqual([0.230263, 0.133244, -0.5, 1]);
  });

  it('declines what it does not read the fast way', () => {
    const buffer = { data: new Float64Array(8) };
    for (const text of ['[]', '[[1e-3, 0]]', '[[NaN, 0]]', '[["0.1", 0]]', '[[0.1, 0.2],]', '[[0.1, 0.2]] x', '[[0.1]]', '[[0.1, 0.2, 0.3]]', '[[0.1, 0.2]', '[[1é, 2]]', `[[0.${'1'.repeat(15)}, 0]]`]) {
      expect(readAsciiPairs(text, 0, text.length, buffer)).toBe(-1);
    }
  });

  it('agrees with the Python-compatible JSON reader whenever it accepts', () => {
    const pair = fc.tuple(space, number, space, number, space).map(([a, x, b, y, c]) => `[${a}${x},${b}${y}${c}]`);
    const text = fc.tuple(fc.array(pair, { maxLength: 6 }), space).map(([p, w]) => `[${w}${p.join(`,${w}`)}]`);
    fc.assert(
      fc.property(fc.oneof(text, fc.string()), (t) => {
        const buffer = { data: new Float64Array(2) };
        const n = readAsciiPairs(t, 0, t.length, buffer);
        if (n < 0) return;
        const value = parsePythonJson(t) as number[][];
        expect(value).toHaveLength(n);
        value.forEach(([x, y], i) => {
          expect(Object.is(buffer.data[2 * i], Number(x))).toBe(true); // Python float() of the int or float
          expect(Object.is(buffer.data[2 * i + 1], Number(y))).toBe(true);
        });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('readAsciiBox', () => {
  it('reads boxes in any key order, the last duplicate winning, extra numeric keys ignored', () => {
    const out = new Float64Array(4);
    const text = '{"height": 0.2, "x": 0.5, "y": 0.25, "width": 0.1, "z": 3, "x": 0.6}';
    expect(readAsciiBox(text, 0, text.length, out)).toBe(true);
    expect(Array.from(out)).toEqual([0.6, 0.25, 0.1, 0.2]);
  });

  it('declines a missing key, non-number values, escaped keys and trailing text', () => {
    const out = new Float64Array(4);
    for (const text of [
      '{"x": 0.5, "y": 0.25, "width": 0.1}',
      '{"x": "0.5", "y": 0.25, "width": 0.1, "height": 0.2}',
      '{"\\u0078": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}',
      '{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2} x',
      '{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2,}',
      '{"x": NaN, "y": 0.25, "width": 0.1, "height": 0.2}',
      '{"x": 0.5, "y": 0.25, "width": 0.1, "heigh\u00e9": 0.2, "height": 1}',
    ]) {
      expect(readAsciiBox(text, 0, text.length, out)).toBe(false);
    }
  });

  it('agrees with the Python-compatible JSON reader whenever it accepts', () => {
    const key = fc.constantFrom('"x"', '"y"', '"width"', '"height"', '"w"', '"xx"', '"label"');
    const entry = fc.tuple(key, space, number, space).map(([k, a, v, b]) => `${k}${a}:${b}${v}`);
    const text = fc.tuple(fc.array(entry, { minLength: 3, maxLength: 7 }), space).map(([e, w]) => `{${w}${e.join(`,${w}`)}${w}}`);
    fc.assert(
      fc.property(text, (t) => {
        const out = new Float64Array(4);
        if (!readAsciiBox(t, 0, t.length, out)) return;
        const value = parsePythonJson(t) as Record<string, number>;
        ['x', 'y', 'width', 'height'].forEach((k, i) => expect(Object.is(out[i], Number(value[k]))).toBe(true));
      }),
      { numRuns: 2000 },
    );
  });
});
