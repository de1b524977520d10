import { scannedValue, scanPairNumber, skipJsonSpace } from './jsonNumberScanner.js';

/** Exact powers of ten 10^0..10^15 (each a double). */
const POW10 = Float64Array.from({ length: 16 }, (_, k) => 10 ** k);
/** Where {@link scanSimpleNumber} leaves its value (a typed array: storing it does not allocate). */
const simpleValue = new Float64Array(1);

/**
 * The common case of a pair coordinate, inlined for speed: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most 15
 * digits in all and no exponent, whose value is one correctly rounded division (both operands exact doubles),
 * as Python's `float()` gives it; `-0` (a Python int) reads as 0. Anything else (exponents, long mantissas,
 * `NaN`, `Infinity`, malformed text) goes to {@link scanPairNumber}, the general reader, from the same place.
 * Returns the index after the number (value in `simpleValue[0]`), or −1.
 */
function scanSimpleNumber(s: string, start: number): number {
  let i = start;
  let c = s.charCodeAt(i);
  const negative = c === 0x2d;
  if (negative) c = s.charCodeAt(++i);
  if (c >= 0x30 && c <= 0x39) {
    let mantissa = c - 0x30;
    let digits = 1;
    c = s.charCodeAt(++i);
    if (mantissa !== 0) {
      while (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        c = s.charCodeAt(++i);
      }
    }
    let fraction = 0;
    if (c === 0x2e /* . */) {
      c = s.charCodeAt(++i);
      while (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        fraction++;
        c = s.charCodeAt(++i);
      }
    }
    if (digits + fraction <= 15 && c !== 0x65 && c !== 0x45 && (fraction > 0 || s.charCodeAt(i - 1) !== 0x2e)) {
      if (fraction === 0) {
        simpleValue[0] = negative && mantissa !== 0 ? -mantissa : mantissa;
      } else {
        const v = mantissa / POW10[fraction]!;
        simpleValue[0] = negative ? -v : v;
      }
      return i;
    }
  }
  const next = scanPairNumber(s, start);
  if (next >= 0) simpleValue[0] = scannedValue[0]!;
  return next;
}

/**
 * Fast paths for the two common `<output>` payloads, read in place from the answer text without building JSON
 * values. Each accepts only inputs on which `parsePythonJson` gives the same numbers, and declines (−1 / false)
 * anything else, leaving the decision to the general reader.
 */

/** A growable buffer of interleaved x, y values that {@link parseNumberPairs} fills. */
export interface PairBuffer {
  data: Float64Array;
}

/**
 * Fast path for the common trajectory payload: when `text.slice(start, end)` is a JSON array of
 * `[number, number]` pairs (JSON numbers, `NaN`, `±Infinity`, JSON whitespace), write the pairs interleaved into
 * `buffer.data` (grown if needed) and return how many; otherwise return −1 and let {@link parsePythonJson}
 * decide. Whenever this accepts, `parsePythonJson(text.slice(start, end))` gives the same pairs (the same number
 * reader is used). Reading in place avoids slicing the text; the character at `end`, if any, must not be able to
 * continue a token (the reward passes the content of an `<output>` block, followed by whitespace or `<`).
 *
 * @example
 * const buf = { data: new Float64Array(8) };
 * parseNumberPairs('[[0.1, 0.2], [0.3, 0.4]]', buf); // 2, buf.data starts 0.1, 0.2, 0.3, 0.4
 * parseNumberPairs('[["0.1", 0.2]]', buf); // -1
 */
export function parseNumberPairs(text: string, buffer: PairBuffer, start = 0, end = text.length): number {
  const s = text;
  let i = skipJsonSpace(s, start);
  if (i >= end || s.charCodeAt(i) !== 0x5b /* [ */) return -1;
  i = skipJsonSpace(s, i + 1);
  let count = 0;
  let data = buffer.data;
  if (s.charCodeAt(i) === 0x5d /* ] */) return skipJsonSpace(s, i + 1) >= end ? 0 : -1;
  for (;;) {
    if (s.charCodeAt(i) !== 0x5b) return -1;
    i = scanSimpleNumber(s, skipJsonSpace(s, i + 1));
    if (i < 0) return -1;
    const x = simpleValue[0]!;
    i = skipJsonSpace(s, i);
    if (s.charCodeAt(i) !== 0x2c /* , */) return -1;
    i = scanSimpleNumber(s, skipJsonSpace(s, i + 1));
    if (i < 0) return -1;
    const y = simpleValue[0]!;
    i = skipJsonSpace(s, i);
    if (s.charCodeAt(i) !== 0x5d) return -1;
    if (2 * count + 2 > data.length) {
      const grown = new Float64Array(Math.max(32, data.length * 2));
      grown.set(data);
      buffer.data = data = grown;
    }
    data[2 * count] = x;
    data[2 * count + 1] = y;
    count++;
    i = skipJsonSpace(s, i + 1);
    const c = s.charCodeAt(i);
    if (c === 0x5d) return i < end && skipJsonSpace(s, i + 1) >= end ? count : -1;
    if (c !== 0x2c || i >= end) return -1;
    i = skipJsonSpace(s, i + 1);
  }
}

/** Box keys in the order {@link parseNumberRecord} stores them. */
const BOX_KEYS = ['x', 'y', 'width', 'height'] as const;

/**
 * Fast path for the common box payload: when `text.slice(start, end)` is a JSON object whose keys are plain
 * strings (no escapes) and whose values are all numbers (or `NaN`/`±Infinity`), and it has the keys x, y, width
 * and height, write those four values into `out[0..4)` and return true; otherwise return false and let
 * {@link parsePythonJson} decide. A duplicate key keeps its last value, as in Python. Same `end` contract as
 * {@link parseNumberPairs}.
 *
 * @example
 * const out = new Float64Array(4);
 * parseNumberRecord('{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}', out); // true, out = [0.5, 0.25, 0.1, 0.2]
 */
export function parseNumberRecord(text: string, out: Float64Array, start = 0, end = text.length): boolean {
  const s = text;
  let i = skipJsonSpace(s, start);
  if (i >= end || s.charCodeAt(i) !== 0x7b /* { */) return false;
  i = skipJsonSpace(s, i + 1);
  let seen = 0;
  for (;;) {
    if (s.charCodeAt(i) !== 0x22 /* " */) return false;
    const keyStart = i + 1;
    let k = keyStart;
    for (let c = s.charCodeAt(k); c !== 0x22; c = s.charCodeAt(++k)) {
      if (c === 0x5c || c < 0x20 || k >= end) return false; // escapes, control characters: the general reader
    }
    const slot = boxKeySlot(s, keyStart, k - keyStart);
    i = skipJsonSpace(s, k + 1);
    if (s.charCodeAt(i) !== 0x3a /* : */) return false;
    i = scanSimpleNumber(s, skipJsonSpace(s, i + 1));
    if (i < 0) return false;
    if (slot >= 0) {
      out[slot] = simpleValue[0]!;
      seen |= 1 << slot;
    }
    i = skipJsonSpace(s, i);
    const c = s.charCodeAt(i);
    if (c === 0x7d /* } */) return seen === 0b1111 && i < end && skipJsonSpace(s, i + 1) >= end;
    if (c !== 0x2c || i >= end) return false;
    i = skipJsonSpace(s, i + 1);
  }
}

/** Which box key (0..3) the `length` characters of `s` at `at` spell, or −1. */
function boxKeySlot(s: string, at: number, length: number): number {
  for (let slot = 0; slot < 4; slot++) {
    const key = BOX_KEYS[slot]!;
    if (key.length === length && s.startsWith(key, at)) return slot;
  }
  return -1;
}
