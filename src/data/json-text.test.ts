import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { detectJsonLayout, findJsonSyntaxError, lineColumnAt, parseJsonItems, topLevelElementLines } from './json-text.js';

describe('lineColumnAt', () => {
  it('counts 1-based lines and columns', () => {
    expect(lineColumnAt('{\n  "a": x}', 9)).toEqual({ line: 2, column: 8 });
    expect(lineColumnAt('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt('a\n\nb', 3)).toEqual({ line: 3, column: 1 });
  });
});

describe('findJsonSyntaxError', () => {
  it('accepts valid JSON', () => {
    for (const text of ['[]', '{}', ' [1, -2.5e+3, "a\\u00e9\\n", true, false, null, {"k": [{}]}] ', '"x"', '0', '-0.0E-1']) {
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it.each([
    ['[1, 2,]', 1, 7, "expected a value, found ']'"],
    ['{"a": 1,}', 1, 9, "expected a property name in double quotes, found '}'"],
    ['[\n  {"a": 1}\n  {"a": 2}\n]', 3, 3, "expected ',' or ']' after an array element, found '{'"],
    ['{"a": 1 "b": 2}', 1, 9, "expected ',' or '}' after a property value, found '\"'"],
    ['{"a" 1}', 1, 6, "expected ':' after a property name, found '1'"],
    ['["abc', 1, 2, 'unterminated string (no closing \'"\')'],
    ['["a\nb"]', 1, 4, 'a line break inside a string must be escaped'],
    ["{'a': 1}", 1, 2, "expected a property name in double quotes, found '''"],
    ["['a']", 1, 2, "strings must use double quotes, found '''"],
    ['[1] x', 1, 5, "unexpected 'x' after the end of the JSON value"],
    ['[01]', 1, 3, "expected ',' or ']' after an array element, found '1'"],
    ['[1.]', 1, 4, "expected a digit after '.', found ']'"],
    ['[1e]', 1, 4, "expected a digit in the exponent, found ']'"],
    ['["\\x"]', 1, 3, "bad escape '\\x' in a string"],
    ['["\\u12G4"]', 1, 3, 'bad \\u escape: expected 4 hex digits'],
    ['[tru]', 1, 2, "expected a value, found 't'"],
    ['', 1, 1, 'expected a value, found end of input'],
    ['[\n', 2, 1, 'expected a value, found end of input'],
  ])('%j fails at line %i, column %i: %s', (text, line, column, message) => {
    expect(findJsonSyntaxError(text)).toMatchObject({ line, column, message });
  });

  it('reports deep nesting instead of crashing', () => {
    expect(findJsonSyntaxError('['.repeat(200_000))?.message).toMatch(/nesting too deep|expected a value/);
  });

  it('agrees with JSON.parse on validity (property)', () => {
    const alphabet = fc.constantFrom('[', ']', '{', '}', ',', ':', '"', '\\', 'u', '0', '1', '-', '.', 'e', ' ', '\n', 'a', 't', 'r', 'n', 'l');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }).map((cs) => cs.join('')), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(findJsonSyntaxError(text) === undefined).toBe(valid);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts whatever JSON.stringify writes (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (value, indent) => {
        expect(findJsonSyntaxError(JSON.stringify(value, null, indent))).toBeUndefined();
      }),
    );
  });
});

describe('topLevelElementLines', () => {
  it('gives the start line of each element', () => {
    expect(topLevelElementLines('[\n  {"a": 1},\n  {"a": 2}\n]')).toEqual([2, 3]);
    expect(topLevelElementLines('[{"a": "x,\\"[y"}, 2,\n\n 3]')).toEqual([1, 1, 3]);
    expect(topLevelElementLines('[]')).toEqual([]);
    expect(topLevelElementLines('[\n]')).toEqual([]);
  });

  it('matches the lines of pretty-printed arrays (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), (values) => {
        const text = JSON.stringify(values, null, 2);
        // Element k starts on the line where its own text begins: count newlines before each element's offset.
        const expected: number[] = [];
        let line = 2;
        for (const v of values) {
          expected.push(line);
          line += JSON.stringify(v, null, 2).split('\n').length;
        }
        expect(topLevelElementLines(text)).toEqual(expected);
      }),
    );
  });
});

describe('detectJsonLayout', () => {
  it('is an array when the first non-blank character is [', () => {
    expect(detectJsonLayout('\n  [1]')).toBe('json-array');
    expect(detectJsonLayout('{"a": 1}\n')).toBe('jsonl');
    expect(detectJsonLayout('')).toBe('jsonl');
  });
});

describe('parseJsonItems', () => {
  it('reads a JSON array with element lines', () => {
    expect(parseJsonItems('[\n  {"a": 1},\n  {"a": 2}\n]\n', 'd.json')).toEqual({
      layout: 'json-array',
      items: [
        { value: { a: 1 }, line: 2 },
        { value: { a: 2 }, line: 3 },
      ],
    });
  });

  it('reads JSON Lines, skipping blank lines and a BOM', () => {
    expect(parseJsonItems('\uFEFF{"a": 1}\n\n{"a": 2}\r\n', 'd.jsonl')).toEqual({
      layout: 'jsonl',
      items: [
        { value: { a: 1 }, line: 1 },
        { value: { a: 2 }, line: 3 },
      ],
    });
    expect(parseJsonItems('', 'd.jsonl').items).toEqual([]);
  });

  it('names the file, line and column of broken JSON', () => {
    expect(() => parseJsonItems('[\n  {"a": 1},\n  {"a": 2,}\n]', 'd.json')).toThrow(
      new UserError("d.json: line 3, column 11: invalid JSON: expected a property name in double quotes, found '}'"),
    );
    expect(() => parseJsonItems('{"a": 1}\n\n{"a" 2}\n', 'd.jsonl')).toThrow(
      new UserError("d.jsonl: line 3, column 6: invalid JSON: expected ':' after a property name, found '2'"),
    );
  });

  it('rejects a JSON document that is not an array of records', () => {
    expect(() => parseJsonItems('[1] [2]', 'd.json')).toThrow("d.json: line 1, column 5: invalid JSON: unexpected '[' after the end of the JSON value");
  });
});
