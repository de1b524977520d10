import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVALID_JSON, tryParsePythonJson } from '../protocol/pythonJson.js';
import { DECLINED, NOT_JSON, parseLikePython } from './parseLikePython.js';

/** Deep equality that tells −0 from 0 and compares NaN with itself. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const number = fc.oneof(
  fc.double().map(String),
  fc.integer().map(String),
  fc.constantFrom('-0', '-0.0', '1e400', '-1e-400', '9007199254740993', '1' + '0'.repeat(400), '1.5E3', 'NaN', 'Infinity', '01', '1.'),
);
const scalar = fc.oneof(number, fc.constantFrom('true', 'false', 'null', '"0.4"', '" 0.5 "', '"abc"', '"\\u0078"'));
const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
    fc
      .array(fc.tuple(fc.constantFrom('"x"', '"y"', '"width"', '"__proto__"', '"x"'), tie('value')), { maxLength: 5 })
      .map((entries) => `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
  ),
})).value;

describe('parseLikePython', () => {
  it('agrees with the Python-compatible reader whenever it accepts', () => {
    fc.assert(
      fc.property(fc.oneof(json, fc.string()), (text) => {
        const native = parseLikePython(text);
        if (native === DECLINED) return;
        const python = tryParsePythonJson(text);
        if (native === NOT_JSON) {
          expect(python).toBe(INVALID_JSON);
          return;
        }
        expect(python).not.toBe(INVALID_JSON);
        expect(same(native, python)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads the usual payloads and declines what JSON.parse reads differently from Python', () => {
    expect(parseLikePython('{"x": "0.4", "y": [1, 2], "__proto__": 3}')).toEqual(JSON.parse('{"x": "0.4", "y": [1, 2], "__proto__": 3}'));
    for (const text of ['[NaN]', '[-0]', '[1e400]', `[${'1'.repeat(30)}]`, '{"a": ' + '['.repeat(100) + ']'.repeat(100) + '}', '[-Infinity, 1,]']) {
      expect(parseLikePython(text)).toBe(DECLINED);
    }
    for (const text of ['not json', '[1, 2,]', '{"x": 1} x', '']) expect(parseLikePython(text)).toBe(NOT_JSON);
  });
});
