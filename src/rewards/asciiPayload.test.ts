import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVALID_JSON, parsePythonJson, tryParsePythonJson } from '../protocol/pythonJson.js';
import { findOutputContent } from './answerTags.js';
import { readAsciiBox, readAsciiBoxBlock, readAsciiPairs, readAsciiPairsBlock, sixDigitsAt } from './asciiPayload.js';

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

describe('sixDigitsAt', () => {
  const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

  it('reads exactly six digits, else −1', () => {
    expect(sixDigitsAt(bytes('0.230263]'), 2)).toBe(230263);
    expect(sixDigitsAt(bytes('0.000001,'), 2)).toBe(1);
    expect(sixDigitsAt(bytes('0.2587, 0'), 2)).toBe(-1); // four digits
    expect(sixDigitsAt(bytes('0.1234567]'), 2)).toBe(-1); // seven
    expect(sixDigitsAt(bytes('0.12a456]'), 2)).toBe(-1);
    expect(sixDigitsAt(bytes('0.123456/'), 2)).toBe(123456); // '/' (0x2f) and ':' (0x3a) border the digits
    expect(sixDigitsAt(bytes('0.123456:'), 2)).toBe(123456);
    expect(sixDigitsAt(bytes('0./23456]'), 2)).toBe(-1);
  });

  it('agrees with reading the digits one by one', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('0', '1', '5', '9', '.', ']', '/', ':', ' ', 'e'), minLength: 7, maxLength: 7 }), (text) => {
        const run = /^[0-9]*/.exec(text)![0].length;
        expect(sixDigitsAt(bytes(text), 0)).toBe(run === 6 ? Number(text.slice(0, 6)) : -1);
      }),
    );
  });
});

describe('readAsciiPairsBlock / readAsciiBoxBlock', () => {
  it('read the payload of an output block up to its closing tag, skipping Python whitespace', () => {
    const buffer = { data: new Float64Array(2) };
    expect(readAsciiPairsBlock('<output>[[0.1, 0.2], [0.3, 0.4]]\n\x0b </OUTPUT> trailing', 8, buffer)).toBe(2);
    expect(Array.from(buffer.data.subarray(0, 4))).toEqual([0.1, 0.2, 0.3, 0.4]);
    const out = new Float64Array(4);
    expect(readAsciiBoxBlock('<output>{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}</output>é', 8, out)).toBe(true);
    expect(Array.from(out)).toEqual([0.5, 0.25, 0.1, 0.2]);
  });

  it('decline what the general path must decide', () => {
    const buffer = { data: new Float64Array(8) };
    for (const text of [
      '<output>[[0.1, 0.2]]', // no closing tag
      '<output>[[0.1, 0.2]] x</output>', // more than whitespace before it
      '<output>[[0.1, 0.2]]\u00a0</output>', // non-ASCII whitespace (Python strips it: the general path reads it)
      '<output>[[0.1, 0.2]]</think></output>',
      '<output>[[0.1, 0.2]]</output', // an incomplete tag
      '<output>[[0.1, 0.2], [0.3, 0.4]', // a truncated array
    ]) {
      expect(readAsciiPairsBlock(text, 8, buffer)).toBe(-1);
    }
    const out = new Float64Array(4);
    expect(readAsciiBoxBlock('<output>{"a</output>": 1, "x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}</output>', 8, out)).toBe(false);
    expect(readAsciiBoxBlock('<output>{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}', 8, out)).toBe(false);
  });

  it('agree with the block content and the Python-compatible reader whenever they accept', () => {
    const tail = fc.constantFrom('</output>', ' </OUTPUT>x', '\n\t</Output>', '\u00a0</output>', '</output', ' ] </output>', '', '<', '\u0085</output>');
    const pairs = fc.array(fc.tuple(fc.double({ min: -2, max: 2, noNaN: true }), fc.integer({ min: 0, max: 999999 })), { maxLength: 5 });
    const payload = fc.oneof(
      pairs.map((p) => JSON.stringify(p.map(([x, k]) => [x, k / 1e6])).replace(/,/g, ', ')),
      fc.constantFrom('{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}', '{"x":1,"y":2,"width":3,"height":-0.000001}', '[[1e-3, 2]]', '{"<": 1}'),
    );
    fc.assert(
      fc.property(payload, tail, (body, end) => {
        const text = `<output>${body}${end}`;
        const range = { start: 0, end: 0 };
        const block = findOutputContent(text, range);
        const value = block ? tryParsePythonJson(text.slice(range.start, range.end)) : INVALID_JSON;
        const buffer = { data: new Float64Array(2) };
        const n = readAsciiPairsBlock(text, 8, buffer);
        if (n >= 0) {
          expect(value).toEqual(Array.from({ length: n }, (_, i) => [buffer.data[2 * i], buffer.data[2 * i + 1]]));
        }
        const out = new Float64Array(4);
        if (readAsciiBoxBlock(text, 8, out)) {
          const box = value as Record<string, number>;
          expect([box.x, box.y, box.width, box.height]).toEqual(Array.from(out));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
