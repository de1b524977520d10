import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parsePythonJson, PythonJsonError } from './pythonJson.js';

describe('parsePythonJson', () => {
  it('reads ordinary JSON', () => {
    expect(parsePythonJson(' {"x": 0.5, "y": [1, -2.5e-3, true, false, null, "a\\u00e9\\n"]} ')).toEqual({
      x: 0.5,
      y: [1, -0.0025, true, false, null, 'a\u00e9\n'],
    });
  });

  it('accepts Python extensions NaN, Infinity and -Infinity', () => {
    const value = parsePythonJson('[NaN, Infinity, -Infinity]') as number[];
    expect(value[0]).toBeNaN();
    expect(value.slice(1)).toEqual([Infinity, -Infinity]);
  });

  it.each([
    ['-NaN'], ['nan'], ['True'], ['+1'], ['01'], ['1.'], ['-'], ['.5'], ['1e'], ['[1,]'], ['{"a":1,}'], ['[1 2]'],
    ['{a: 1}'], ['"a\tb"'], ['"\\q"'], ['"\\u12"'], ['"abc'], ['\ufeff[1]'], [''], ['[1] x'], ["'a'"], ['{"a" 1}'],
  ])('rejects %j like Python', (text) => {
    expect(() => parsePythonJson(text)).toThrow(PythonJsonError);
  });

  it('joins surrogate escapes into one character and keeps lone ones', () => {
    expect(parsePythonJson('"\\ud83d\\ude00"')).toBe('\u{1f600}');
    expect(parsePythonJson('"\\ud800"')).toBe('\ud800');
  });

  it('keeps integers too large for a double as bigint and reads -0 as the integer 0', () => {
    expect(parsePythonJson('1'.repeat(400))).toBe(BigInt('1'.repeat(400)));
    expect(parsePythonJson('1'.repeat(400) + '.0')).toBe(Infinity);
    expect(Object.is(parsePythonJson('-0'), 0)).toBe(true);
    expect(Object.is(parsePythonJson('-0.0'), -0)).toBe(true);
  });

  it('rejects an integer of more than 4300 digits (CPython int-string limit)', () => {
    expect(parsePythonJson('9'.repeat(4300))).toBe(BigInt('9'.repeat(4300)));
    expect(() => parsePythonJson('9'.repeat(4301))).toThrow(/4300 digits/);
    expect(() => parsePythonJson('-' + '9'.repeat(4301))).toThrow(/4300 digits/);
  });

  it('treats "__proto__" as an ordinary key, last duplicate wins', () => {
    const value = parsePythonJson('{"__proto__": {"polluted": 1}, "a": 1, "a": 2}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(value.a).toBe(2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('limits nesting depth instead of overflowing the stack', () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(() => parsePythonJson(nest(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parsePythonJson(nest(MAX_JSON_DEPTH + 1))).toThrow(/recursion/);
    expect(() => parsePythonJson(nest(100_000))).toThrow(PythonJsonError);
  });

  it('agrees with JSON.parse on any JSON text', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parsePythonJson(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('only ever throws PythonJsonError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[[\]{}",:0-9.eE+\- tfnulrsaNIy]{0,12}$/)), (text) => {
        try {
          parsePythonJson(text);
        } catch (error) {
          expect(error).toBeInstanceOf(PythonJsonError);
        }
      }),
    );
  });
});
