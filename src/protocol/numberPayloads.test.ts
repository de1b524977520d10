import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNumberPairs, parseNumberRecord } from './numberPayloads.js';
import { parsePythonJson } from './pythonJson.js';

describe('parseNumberPairs', () => {
  it('reads arrays of number pairs, including NaN and infinities', () => {
    const buf = { data: new Float64Array(2) };
    expect(parseNumberPairs(' [[0.1, 0.2],\n [3, -4e-2], [NaN, -Infinity]] ', buf)).toBe(3);
    expect(Array.from(buf.data.subarray(0, 6))).toEqual([0.1, 0.2, 3, -0.04, NaN, -Infinity]);
    expect(buf.data.length).toBeGreaterThanOrEqual(6); // grown
    expect(parseNumberPairs('[]', buf)).toBe(0);
  });

  it('declines everything else', () => {
    const buf = { data: new Float64Array(8) };
    for (const text of ['[["0.1", 0.2]]', '[[0.1]]', '[[0.1, 0.2, 0.3]]', '[[0.1, 0.2],]', '[[true, 0]]', '{"x": 1}', '[[1, 2]] x', '[' + '9'.repeat(400) + ']', '[[1e999999, 0]]x']) {
      expect(parseNumberPairs(text, buf)).toBe(-1);
    }
  });

  it('reads a region of a larger text in place', () => {
    const text = '<output> [[0.5, 0.25]] </output>';
    const buf = { data: new Float64Array(4) };
    expect(parseNumberPairs(text, buf, 9, 22)).toBe(1);
    expect(Array.from(buf.data.subarray(0, 2))).toEqual([0.5, 0.25]);
  });

  it('agrees with parsePythonJson whenever it accepts', () => {
    const number = fc.oneof(fc.double().map(String), fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '1e5', '0.000001', '12345678901234567890'));
    const pair = fc.tuple(number, number, fc.constantFrom('', ' ', '\n')).map(([a, b, w]) => `[${w}${a},${w}${b}${w}]`);
    const text = fc.array(pair, { maxLength: 6 }).map((p) => `[${p.join(', ')}]`);
    fc.assert(
      fc.property(fc.oneof(text, fc.string()), (t) => {
        const buf = { data: new Float64Array(4) };
        const n = parseNumberPairs(t, buf);
        if (n < 0) return;
        const value = parsePythonJson(t) as number[][];
        expect(value).toHaveLength(n);
        value.forEach(([x, y], i) => {
          expect(Object.is(buf.data[2 * i], x)).toBe(true);
          expect(Object.is(buf.data[2 * i + 1], y)).toBe(true);
        });
      }),
    );
  });
});

describe('parseNumberRecord', () => {
  it('reads a box of numbers, in any key order, last duplicate winning, extra numeric keys ignored', () => {
    const out = new Float64Array(4);
    expect(parseNumberRecord('{"height": 0.2, "x": 0.5, "y": 0.25, "width": 0.1, "z": 3, "x": 0.6}', out)).toBe(true);
    expect(Array.from(out)).toEqual([0.6, 0.25, 0.1, 0.2]);
  });

  it('declines boxes with a missing key, non-number values, escaped keys or trailing text', () => {
    const out = new Float64Array(4);
    for (const text of [
      '{"x": 0.5, "y": 0.25, "width": 0.1}',
      '{"x": "0.5", "y": 0.25, "width": 0.1, "height": 0.2}',
      '{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2, "label": "mug"}',
      '{"\\u0078": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}',
      '{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2} x',
      '{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2,}',
      '[[0.5, 0.5]]',
    ]) {
      expect(parseNumberRecord(text, out)).toBe(false);
    }
  });
});
