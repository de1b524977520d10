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
 * Each shape has two entry points: `readAscii…(text, start, end, …)` reads exactly `text[start, end)`, and
 * `readAscii…Block(text, start, …)` reads the payload at `start` and checks that only whitespace and the closing
 * `</output>` tag follow it: the reward's path, which so finds the end of the block and strips it without a
 * second scan of the payload.
 *
 * They run for every reward, so they are written for the CPU: the number reader is written out in each loop
 * (a call per number costs ~10%), byte codes are literals there (a module constant is a context load with a
 * check on each use), and the usual six decimals of a number are read without a loop ({@link sixDigitsAt}: the
 * exit of a digit loop, after a varying number of digits, is a mispredicted branch).
 *
 * @module
 */

const encoder = new TextEncoder();
/** Bytes kept in bounds after the payload: {@link sixDigitsAt} reads up to 7 bytes from inside it. */
const SLACK = 8;
/** The payload's bytes (grown as needed; reused across calls), with at least {@link SLACK} more bytes. */
let bytes = new Uint8Array(1024);
/** Exact powers of ten 10^0..10^15 (each a double). */
const POW10 = Float64Array.from({ length: 16 }, (_, k) => 10 ** k);
/** Exact-digit limit of the fast number form (a mantissa below 10^15 is an exact double). */
const MAX_DIGITS = 15;

/**
 * Copy `text[start, end)` into {@link bytes}, followed by a 0 byte (which no scanner accepts, so none reads
 * past the text into bytes of an earlier payload); returns its length, or −1 unless every character is ASCII
 * (then the byte and character indices differ and the general readers take over).
 */
function encodeAscii(text: string, start: number, end: number): number {
  const length = end - start;
  if (bytes.length < length + SLACK) bytes = new Uint8Array(Math.max(length + SLACK, 2 * bytes.length));
  const { read, written } = encoder.encodeInto(text.substring(start, end), bytes);
  bytes[written] = 0;
  return read === length && written === length ? length : -1;
}

/**
 * Copy `text[start, text.length)` into {@link bytes} as UTF-8, followed by a 0 byte; returns the number of bytes.
 * A character beyond ASCII becomes bytes ≥ 0x80, which no scanner accepts: the bytes the scanners read before
 * one are the characters at the same indices.
 */
function encodeRest(text: string, start: number): number {
  const length = text.length - start;
  if (bytes.length < 3 * length + SLACK) bytes = new Uint8Array(Math.max(3 * length + SLACK, 2 * bytes.length));
  const { written } = encoder.encodeInto(text.substring(start), bytes);
  bytes[written] = 0;
  return written;
}

/**
 * Whether `u[i, written)` starts with Python whitespace (what `str.strip` removes; ASCII here) and then the
 * closing tag `</output>` in any case.
 */
function closesOutputBlock(u: Uint8Array, i: number, written: number): boolean {
  let c = u[i]!;
  while (c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) c = u[++i]!;
  return (
    i + 9 <= written &&
    c === 0x3c /* < */ &&
    u[i + 1] === 0x2f /* / */ &&
    (u[i + 2]! | 0x20) === 0x6f /* o */ &&
    (u[i + 3]! | 0x20) === 0x75 /* u */ &&
    (u[i + 4]! | 0x20) === 0x74 /* t */ &&
    (u[i + 5]! | 0x20) === 0x70 /* p */ &&
    (u[i + 6]! | 0x20) === 0x75 /* u */ &&
    (u[i + 7]! | 0x20) === 0x74 /* t */ &&
    u[i + 8] === 0x3e /* > */
  );
}

/**
 * The value of the decimal digits `u[i..i + 6)` when exactly six digits start at `i` (the next byte is not a
 * digit), else −1. The official answers write their numbers with six decimals, so this reads the usual
 * fraction without a loop. `u[i..i + 7)` must be in bounds: inside a payload, which ends with a bracket or a
 * brace, a run of six digits and the byte after it are (see {@link SLACK} for the bytes beyond).
 *
 * @example
 * sixDigitsAt(Uint8Array.from('0.230263]', (c) => c.charCodeAt(0)), 2); // 230263
 * sixDigitsAt(Uint8Array.from('0.2587, 0', (c) => c.charCodeAt(0)), 2); // -1 (four digits)
 */
export function sixDigitsAt(u: Uint8Array, i: number): number {
  // (c − 0x30) >>> 0 < 10 says that c is a digit in one unsigned comparison
  const d0 = u[i]! - 0x30;
  const d1 = u[i + 1]! - 0x30;
  const d2 = u[i + 2]! - 0x30;
  const d3 = u[i + 3]! - 0x30;
  const d4 = u[i + 4]! - 0x30;
  const d5 = u[i + 5]! - 0x30;
  const after = u[i + 6]! - 0x30;
  if ((d0 >>> 0) < 10 && (d1 >>> 0) < 10 && (d2 >>> 0) < 10 && (d3 >>> 0) < 10 && (d4 >>> 0) < 10 && (d5 >>> 0) < 10 && (after >>> 0) >= 10) {
    return ((((d0 * 10 + d1) * 10 + d2) * 10 + d3) * 10 + d4) * 10 + d5;
  }
  return -1;
}

/** A growable buffer of interleaved x, y values (the same shape as the protocol's `PairBuffer`). */
export interface AsciiPairBuffer {
  data: Float64Array;
}

/** The number of pairs of the last successful {@link scanPairs}. */
let pairCount = 0;

/**
 * A non-empty JSON array of `[number, number]` pairs in the fast form at the start of {@link bytes}: the pairs
 * go interleaved into `buffer.data` (grown if needed; their number into {@link pairCount}) and the index after
 * the array is returned; anything else returns −1.
 */
function scanPairs(buffer: AsciiPairBuffer): number {
  const u = bytes;
  if (u[0] !== 0x5b /* [ */) return -1;
  let data = buffer.data;
  let k = 0; // values read
  let i = 1;
  let c = u[1]!;
  for (;;) {
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i]!; // JSON whitespace
    if (k % 2 === 0) {
      if (c !== 0x5b /* [ */) return -1;
      c = u[++i]!;
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i]!;
    }
    // a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?
    const negative = c === 0x2d; // -
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
    if (c === 0x2e /* . */) {
      let fraction = 0;
      const six = sixDigitsAt(u, i + 1);
      if (six >= 0) {
        mantissa = mantissa * 1e6 + six; // the same integer as six steps of the loop below
        fraction = 6;
        i += 7;
        c = u[i]!;
      } else {
        c = u[++i]!;
        digit = c - 0x30;
        while (digit >= 0 && digit <= 9) {
          mantissa = mantissa * 10 + digit;
          fraction++;
          c = u[++i]!;
          digit = c - 0x30;
        }
      }
      if (fraction === 0 || digits + fraction > MAX_DIGITS) return -1;
      value = mantissa / POW10[fraction]!;
      if (negative) value = -value;
    } else {
      if (digits > MAX_DIGITS) return -1;
      value = negative && mantissa !== 0 ? -mantissa : mantissa; // Python reads the int -0 as 0
    }
    if (c === 0x65 /* e */ || c === 0x45 /* E */) return -1;
    if (k === data.length) {
      const grown = new Float64Array(Math.max(32, 2 * data.length));
      grown.set(data);
      buffer.data = data = grown;
    }
    data[k++] = value;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i]!;
    if (k % 2 === 1) {
      if (c !== 0x2c /* , */) return -1;
      c = u[++i]!;
      continue;
    }
    if (c !== 0x5d /* ] */) return -1;
    c = u[++i]!;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i]!;
    if (c === 0x5d /* ] */) {
      pairCount = k / 2;
      return i + 1;
    }
    if (c !== 0x2c /* , */) return -1;
    c = u[++i]!;
  }
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
  return length >= 2 && scanPairs(buffer) === length ? pairCount : -1;
}

/**
 * {@link readAsciiPairs} of the `<output>` block whose content starts at `text[start]` with the payload (its
 * leading whitespace skipped): only Python whitespace and `</output>` may follow the payload, which then is the
 * block's stripped content (a payload of pairs has no `<`, so that tag is the first one after it).
 *
 * @example
 * const buffer = { data: new Float64Array(8) };
 * readAsciiPairsBlock('<output>[[0.1, 0.2]]\n</OUTPUT> x', 8, buffer); // 1
 * readAsciiPairsBlock('<output>[[0.1, 0.2]] ]</output>', 8, buffer); // -1 (not JSON: the general reader decides)
 */
export function readAsciiPairsBlock(text: string, start: number, buffer: AsciiPairBuffer): number {
  const written = encodeRest(text, start);
  const after = scanPairs(buffer);
  return after >= 0 && closesOutputBlock(bytes, after, written) ? pairCount : -1;
}

/**
 * Which box key (0 x, 1 y, 2 width, 3 height) the `length` key bytes at `u[at]` spell, or −1 (compared byte by
 * byte: a loop over the letters would add a mispredicted exit per key).
 */
function boxKeySlot(u: Uint8Array, at: number, length: number): number {
  const first = u[at];
  if (length === 1) return first === 0x78 /* x */ ? 0 : first === 0x79 /* y */ ? 1 : -1;
  if (length === 5) {
    // width
    return first === 0x77 && u[at + 1] === 0x69 && u[at + 2] === 0x64 && u[at + 3] === 0x74 && u[at + 4] === 0x68 ? 2 : -1;
  }
  if (length === 6) {
    // height
    const spelled = first === 0x68 && u[at + 1] === 0x65 && u[at + 2] === 0x69 && u[at + 3] === 0x67 && u[at + 4] === 0x68;
    return spelled && u[at + 5] === 0x74 ? 3 : -1;
  }
  return -1;
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
  return length >= 2 && scanBox(out) === length;
}

/**
 * {@link readAsciiBox} of the `<output>` block whose content starts at `text[start]` with the payload: only
 * Python whitespace and `</output>` may follow it (a key with `<` is declined: the block could end inside it).
 *
 * @example
 * const out = new Float64Array(4);
 * readAsciiBoxBlock('<output>{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}</output>', 8, out); // true
 */
export function readAsciiBoxBlock(text: string, start: number, out: Float64Array): boolean {
  const written = encodeRest(text, start);
  const after = scanBox(out);
  return after >= 0 && closesOutputBlock(bytes, after, written);
}

/**
 * A JSON object of the fast form (see {@link readAsciiBox}) at the start of {@link bytes}: its box values go into
 * `out[0..4)` and the index after the object is returned, or −1. Keys with `<` are declined (see
 * {@link readAsciiBoxBlock}).
 */
function scanBox(out: Float64Array): number {
  const u = bytes;
  if (u[0] !== 0x7b /* { */) return -1;
  let seen = 0;
  let i = 1;
  let c = u[1]!;
  for (;;) {
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i]!; // JSON whitespace
    if (c !== 0x22 /* " */) return -1;
    const keyStart = i + 1;
    c = u[++i]!;
    while (c !== 0x22 /* " */) {
      // escapes, control characters (and the 0 after the text), `<`: the general reader
      if (c === 0x5c /* \ */ || c < 0x20 || c === 0x3c /* < */) return -1;
      c = u[++i]!;
    }
    const slot = boxKeySlot(u, keyStart, i - keyStart);
    c = u[++i]!;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i]!;
    if (c !== 0x3a /* : */) return -1;
    c = u[++i]!;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i]!;
    // a number, read as in readAsciiPairs
    const negative = c === 0x2d; // -
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
    if (c === 0x2e /* . */) {
      let fraction = 0;
      const six = sixDigitsAt(u, i + 1);
      if (six >= 0) {
        mantissa = mantissa * 1e6 + six;
        fraction = 6;
        i += 7;
        c = u[i]!;
      } else {
        c = u[++i]!;
        digit = c - 0x30;
        while (digit >= 0 && digit <= 9) {
          mantissa = mantissa * 10 + digit;
          fraction++;
          c = u[++i]!;
          digit = c - 0x30;
        }
      }
      if (fraction === 0 || digits + fraction > MAX_DIGITS) return -1;
      value = mantissa / POW10[fraction]!;
      if (negative) value = -value;
    } else {
      if (digits > MAX_DIGITS) return -1;
      value = negative && mantissa !== 0 ? -mantissa : mantissa;
    }
    if (c === 0x65 /* e */ || c === 0x45 /* E */) return -1;
    if (slot >= 0) {
      out[slot] = value;
      seen |= 1 << slot;
    }
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i]!;
    if (c === 0x7d /* } */) return seen === 0b1111 ? i + 1 : -1;
    if (c !== 0x2c /* , */) return -1;
    c = u[++i]!;
  }
}
