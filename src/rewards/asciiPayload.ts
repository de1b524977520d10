/**
 * The fastest readers of the two common `<output>` payloads: the payload's characters are copied once into a
 * byte buffer (`TextEncoder.encodeInto`, native and vectorised) and scanned there, which costs about half of
 * scanning the string with `charCodeAt`. They accept only plain ASCII payloads in the usual shape, with numbers
 * `-?(0|[1-9][0-9]*)(\.[0-9]+)?` of at most 15 digits, whose value is one correctly rounded division of two
 * exact doubles (what Python's `float()` gives); everything else (exponents, long mantissas, `NaN`, `Infinity`,
 * non-ASCII, anything malformed) is declined, and the caller falls back to the general readers of
 * `src/protocol/numberPayloads.ts` and `src/protocol/pythonJson.ts`. Whenever these accept, Python's
 * `json.loads` of the same text gives the same numbers.
 *
 * @module
 */

const encoder = new TextEncoder();
/** The payload's bytes (grown as needed; reused across calls). */
let bytes = new Uint8Array(1024);
/** Exact powers of ten 10^0..10^15 (each a double). */
const POW10 = Float64Array.from({ length: 16 }, (_, k) => 10 ** k);
/** Exact-digit limit of the fast number form (a mantissa below 10^15 is an exact double). */
const MAX_DIGITS = 15;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/**
 * Copy `text[start, end)` into {@link bytes}; returns its length, or −1 unless every character is ASCII (then
 * the byte and character indices differ and the general readers take over).
 */
function encodeAscii(text: string, start: number, end: number): number {
  const length = end - start;
  if (bytes.length < length) bytes = new Uint8Array(Math.max(length, 2 * bytes.length));
  const { read, written } = encoder.encodeInto(text.substring(start, end), bytes);
  return read === length && written === length ? length : -1;
}

/** Index of the first byte of `u` at or after `i` that is not JSON whitespace (a byte past the end reads 0). */
function skipSpace(u: Uint8Array, i: number): number {
  let c = u[i];
  while (c === SPACE || c === LF || c === CR || c === TAB) c = u[++i];
  return i;
}

/** The value of the last {@link scanNumber} (a typed array slot: storing a double there does not allocate). */
const scanned = new Float64Array(1);

/**
 * A number of the fast form at `i` (value in `scanned[0]`), returning the index after it, or −1. An integer
 * `-0` reads as 0 (Python reads an int), a fraction `-0.0` as −0.
 */
function scanNumber(u: Uint8Array, i: number): number {
  let c = u[i]!;
  const negative = c === MINUS;
  if (negative) c = u[++i]!;
  let digit = c - 0x30;
  if (digit < 0 || digit > 9) return -1;
  let mantissa = digit;
  let digits = 1;
  c = u[++i]!;
  if (mantissa !== 0) {
    digit = c - 0x30;
    while (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      digits++;
      c = u[++i]!;
      digit = c - 0x30;
    }
  }
  if (c === DOT) {
    let fraction = 0;
    c = u[++i]!;
    digit = c - 0x30;
    while (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      fraction++;
      c = u[++i]!;
      digit = c - 0x30;
    }
    if (fraction === 0 || digits + fraction > MAX_DIGITS || c === LOWER_E || c === UPPER_E) return -1;
    const value = mantissa / POW10[fraction]!;
    scanned[0] = negative ? -value : value;
    return i;
  }
  if (digits > MAX_DIGITS || c === LOWER_E || c === UPPER_E) return -1;
  scanned[0] = negative && mantissa !== 0 ? -mantissa : mantissa;
  return i;
}

/** A growable buffer of interleaved x, y values (the same shape as the protocol's `PairBuffer`). */
export interface AsciiPairBuffer {
  data: Float64Array;
}

/**
 * Read `text[start, end)` when it is a non-empty JSON array of `[number, number]` pairs in the fast form: the
 * pairs go interleaved into `buffer.data` (grown if needed) and the count is returned; anything else returns −1.
 * `start` and `end` must bound the payload exactly (as the stripped `<output>` content does).
 *
 * @example
 * const buffer = { data: new Float64Array(8) };
 * readAsciiPairs('[[0.1, 0.2], [0.3, 0.4]]', 0, 24, buffer); // 2, buffer.data starts 0.1, 0.2, 0.3, 0.4
 * readAsciiPairs('[[1e-3, 0.2]]', 0, 13, buffer); // -1 (an exponent: the general reader decides)
 */
export function readAsciiPairs(text: string, start: number, end: number, buffer: AsciiPairBuffer): number {
  const length = encodeAscii(text, start, end);
  if (length < 2) return -1;
  const u = bytes;
  if (u[0] !== OPEN_BRACKET || u[length - 1] !== CLOSE_BRACKET) return -1;
  let data = buffer.data;
  let k = 0; // values read
  let i = 1;
  let c = u[1]!;
  // The number reader of scanNumber, written out in the loop: this is the hot path of reading a trajectory.
  for (;;) {
    while (c === SPACE || c === LF || c === CR || c === TAB) c = u[++i]!;
    if (k % 2 === 0) {
      if (c !== OPEN_BRACKET) return -1;
      c = u[++i]!;
      while (c === SPACE || c === LF || c === CR || c === TAB) c = u[++i]!;
    }
    const negative = c === MINUS;
    if (negative) c = u[++i]!;
    let digit = c - 0x30;
    if (digit < 0 || digit > 9) return -1;
    let mantissa = digit;
    let digits = 1;
    c = u[++i]!;
    if (mantissa !== 0) {
      digit = c - 0x30;
      while (digit >= 0 && digit <= 9) {
        mantissa = mantissa * 10 + digit;
        digits++;
        c = u[++i]!;
        digit = c - 0x30;
      }
    }
    let value: number;
    if (c === DOT) {
      let fraction = 0;
      c = u[++i]!;
      digit = c - 0x30;
      while (digit >= 0 && digit <= 9) {
        mantissa = mantissa * 10 + digit;
        fraction++;
        c = u[++i]!;
        digit = c - 0x30;
      }
      if (fraction === 0 || digits + fraction > MAX_DIGITS) return -1;
      value = mantissa / POW10[fraction]!;
      if (negative) value = -value;
    } else {
      if (digits > MAX_DIGITS) return -1;
      value = negative && mantissa !== 0 ? -mantissa : mantissa; // Python reads the int -0 as 0
    }
    if (c === LOWER_E || c === UPPER_E) return -1;
    if (k === data.length) {
      const grown = new Float64Array(Math.max(32, 2 * data.length));
      grown.set(data);
      buffer.data = data = grown;
    }
    data[k++] = value;
    while (c === SPACE || c === LF || c === CR || c === TAB) c = u[++i]!;
    if (k % 2 === 1) {
      if (c !== COMMA) return -1;
      c = u[++i]!;
      continue;
    }
    if (c !== CLOSE_BRACKET) return -1;
    c = u[++i]!;
    while (c === SPACE || c === LF || c === CR || c === TAB) c = u[++i]!;
    if (i >= length) return -1;
    if (c === CLOSE_BRACKET) return i === length - 1 ? k / 2 : -1;
    if (c !== COMMA) return -1;
    c = u[++i]!;
  }
}

/** Box keys in the order {@link readAsciiBox} stores them. */
const X = 0x78;
const Y = 0x79;

/** Which box key (0 x, 1 y, 2 width, 3 height) the key bytes `u[from, to)` spell, or −1. */
function boxKeySlot(u: Uint8Array, from: number, to: number): number {
  const length = to - from;
  if (length === 1) return u[from] === X ? 0 : u[from] === Y ? 1 : -1;
  if (length === 5) return spells(u, from, 'width') ? 2 : -1;
  if (length === 6) return spells(u, from, 'height') ? 3 : -1;
  return -1;
}

function spells(u: Uint8Array, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (u[at + k] !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * Read `text[start, end)` when it is a JSON object whose keys are plain ASCII strings (no escapes) and whose
 * values are all numbers in the fast form, having the keys x, y, width and height: their values go into
 * `out[0..4)` (x, y, width, height) and true is returned; anything else returns false. A duplicate key keeps
 * its last value, as in Python. Same bounds contract as {@link readAsciiPairs}.
 *
 * @example
 * const out = new Float64Array(4);
 * const box = '{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}';
 * readAsciiBox(box, 0, box.length, out); // true, out = [0.5, 0.25, 0.1, 0.2]
 */
export function readAsciiBox(text: string, start: number, end: number, out: Float64Array): boolean {
  const length = encodeAscii(text, start, end);
  if (length < 2) return false;
  const u = bytes;
  if (u[0] !== OPEN_BRACE || u[length - 1] !== CLOSE_BRACE) return false;
  let seen = 0;
  let i = skipSpace(u, 1);
  for (;;) {
    if (u[i] !== QUOTE) return false;
    const keyStart = i + 1;
    let k = keyStart;
    for (let c = u[k]!; c !== QUOTE; c = u[++k]!) {
      if (c === BACKSLASH || c < 0x20 || k >= length) return false; // escapes, control characters: the general reader
    }
    const slot = boxKeySlot(u, keyStart, k);
    i = skipSpace(u, k + 1);
    if (u[i] !== COLON) return false;
    i = scanNumber(u, skipSpace(u, i + 1));
    if (i < 0) return false;
    if (slot >= 0) {
      out[slot] = scanned[0]!;
      seen |= 1 << slot;
    }
    i = skipSpace(u, i);
    if (i >= length) return false;
    const c = u[i];
    if (c === CLOSE_BRACE) return i === length - 1 && seen === 0b1111;
    if (c !== COMMA) return false;
    i = skipSpace(u, i + 1);
  }
}
