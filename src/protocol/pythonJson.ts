/**
 * A JSON reader with the semantics of Python's `json.loads` (CPython 3.11, C scanner), so that our reward
 * accepts and rejects exactly the payloads the official one does:
 *
 * - `NaN`, `Infinity` and `-Infinity` are accepted (`JSON.parse` rejects them);
 * - an integer literal with more than 4300 digits is an error (Python's int-from-string limit);
 * - an integer literal too large for a double is returned as a `bigint`, so that reading it with
 *   {@link pythonFloat} fails the way Python's `float(int)` does (OverflowError); `-0` reads as `0` (a Python int);
 * - containers nested deeper than {@link MAX_JSON_DEPTH} are an error (Python raises RecursionError near there);
 * - only ` \t\n\r` is whitespace between tokens; control characters inside strings are errors; keys must be strings;
 *   a duplicate key keeps its last value; `__proto__` is an ordinary own key.
 */

/** Nesting limit: CPython's default recursion limit (1000) minus a margin for the caller's frames. */
export const MAX_JSON_DEPTH = 990;

/** Maximum digits of an integer literal (CPython's `sys.int_info.default_max_str_digits`). */
const MAX_INT_DIGITS = 4300;

/** A payload Python's `json.loads` would reject. `position` is the UTF-16 offset of the problem. */
export class PythonJsonError extends SyntaxError {
  override readonly name = 'PythonJsonError';

  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (char ${position})`);
  }
}

let src = '';
let pos = 0;

/** Thrown inside the reader (a plain object: no stack trace to capture), turned into a PythonJsonError at the API. */
const FAILURE = Object.freeze({ failure: true });
let failMessage = '';
let failPosition = 0;

function fail(message: string, at = pos): never {
  failMessage = message;
  failPosition = at;
  throw FAILURE;
}

function skipSpace(): void {
  for (;;) {
    const c = src.charCodeAt(pos);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
    else return;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function matchWord(word: string): boolean {
  if (src.startsWith(word, pos)) {
    pos += word.length;
    return true;
  }
  return false;
}

/** Exact powers of ten 10^0..10^22 (every one is a double), for the exact fast path of number reading. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** The value of the last successful {@link scanNumber}. */
let scanned: number | bigint = 0;
const NOT_A_NUMBER = -1;
const TOO_MANY_DIGITS = -2;

/**
 * Scan a JSON number (or `-Infinity`) of `s` starting at `start` with Python's json rules; returns the index after
 * it and leaves the value in `scanned`, or returns NOT_A_NUMBER / TOO_MANY_DIGITS. Local variables only: this
 * is the hot loop of reading a trajectory.
 */
function scanNumber(s: string, start: number): number {
  let i = start;
  let negative = false;
  if (s.charCodeAt(i) === 0x2d /* - */) {
    negative = true;
    i++;
    if (s.startsWith('Infinity', i)) {
      scanned = -Infinity;
      return i + 8;
    }
  }
  let c = s.charCodeAt(i);
  if (!(c >= 0x30 && c <= 0x39)) return NOT_A_NUMBER;
  // Clinger's fast path: up to 15 digits and a power of ten up to 22 are both exact doubles, so one IEEE
  // multiply or divide gives the correctly rounded value (what Python's float() gives); else Number(text).
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
  let isInteger = true;
  let exponent = 0;
  if (c === 0x2e /* . */) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0x30 && d <= 0x39) {
      isInteger = false;
      c = d;
      i++;
      while (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        exponent--;
        c = s.charCodeAt(++i);
      }
    }
  }
  if (c === 0x65 || c === 0x45) {
    let j = i + 1;
    const sign = s.charCodeAt(j);
    if (sign === 0x2b || sign === 0x2d) j++;
    let d = s.charCodeAt(j);
    if (d >= 0x30 && d <= 0x39) {
      isInteger = false;
      let exp = 0;
      while (d >= 0x30 && d <= 0x39) {
        if (exp < 1e6) exp = exp * 10 + (d - 0x30);
        d = s.charCodeAt(++j);
      }
      exponent += sign === 0x2d ? -exp : exp;
      i = j;
    }
  }
  if (!isInteger) {
    if (digits <= 15 && exponent >= -22 && exponent <= 22) {
      const v = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
      scanned = negative ? -v : v;
    } else {
      scanned = Number(s.slice(start, i));
    }
    return i;
  }
  // A Python int: -0 reads as 0; beyond a double's range it stays exact (bigint) so float() can overflow.
  if (digits <= 15) {
    scanned = negative && mantissa !== 0 ? -mantissa : mantissa;
    return i;
  }
  if (digits > MAX_INT_DIGITS) return TOO_MANY_DIGITS;
  const text = s.slice(start, i);
  const value = Number(text);
  scanned = Number.isFinite(value) ? value : BigInt(text);
  return i;
}

function readNumber(): number | bigint {
  const end = scanNumber(src, pos);
  if (end === TOO_MANY_DIGITS) fail(`Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
  if (end === NOT_A_NUMBER) fail('Expecting value');
  pos = end;
  return scanned;
}

function readString(): string {
  const start = pos; // at the opening quote
  pos++;
  let out = '';
  let chunk = pos;
  for (;;) {
    const c = src.charCodeAt(pos);
    if (c === 0x22 /* " */) {
      out += src.slice(chunk, pos);
      pos++;
      return out;
    }
    if (Number.isNaN(c)) fail('Unterminated string starting at', start);
    if (c < 0x20) fail('Invalid control character at');
    if (c !== 0x5c /* \ */) {
      pos++;
      continue;
    }
    out += src.slice(chunk, pos);
    const esc = src.charAt(pos + 1);
    switch (esc) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        const hex = src.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\uXXXX escape', pos + 1);
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 4;
        break;
      }
      default:
        if (esc === '') fail('Unterminated string starting at', start);
        fail('Invalid \\escape', pos);
    }
    pos += 2;
    chunk = pos;
  }
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

function readValue(depth: number): unknown {
  const c = src.charCodeAt(pos);
  switch (c) {
    case 0x22:
      return readString();
    case 0x7b /* { */:
      return readObject(depth + 1);
    case 0x5b /* [ */:
      return readArray(depth + 1);
    case 0x6e /* n */:
      if (matchWord('null')) return null;
      break;
    case 0x74 /* t */:
      if (matchWord('true')) return true;
      break;
    case 0x66 /* f */:
      if (matchWord('false')) return false;
      break;
    case 0x4e /* N */:
      if (matchWord('NaN')) return NaN;
      break;
    case 0x49 /* I */:
      if (matchWord('Infinity')) return Infinity;
      break;
    default:
      if (c === 0x2d || isDigit(c)) return readNumber();
  }
  return fail('Expecting value');
}

function readArray(depth: number): unknown[] {
  if (depth > MAX_JSON_DEPTH) fail('maximum recursion depth exceeded while decoding a JSON array');
  pos++;
  const out: unknown[] = [];
  skipSpace();
  if (src.charCodeAt(pos) === 0x5d /* ] */) {
    pos++;
    return out;
  }
  for (;;) {
    out.push(readValue(depth));
    skipSpace();
    const c = src.charCodeAt(pos);
    if (c === 0x5d) {
      pos++;
      return out;
    }
    if (c !== 0x2c /* , */) fail("Expecting ',' delimiter");
    pos++;
    skipSpace();
  }
}

function readObject(depth: number): Record<string, unknown> {
  if (depth > MAX_JSON_DEPTH) fail('maximum recursion depth exceeded while decoding a JSON object');
  pos++;
  const out: Record<string, unknown> = {};
  skipSpace();
  if (src.charCodeAt(pos) === 0x7d /* } */) {
    pos++;
    return out;
  }
  for (;;) {
    if (src.charCodeAt(pos) !== 0x22) fail('Expecting property name enclosed in double quotes');
    const key = readString();
    skipSpace();
    if (src.charCodeAt(pos) !== 0x3a /* : */) fail("Expecting ':' delimiter");
    pos++;
    skipSpace();
    setKey(out, key, readValue(depth));
    skipSpace();
    const c = src.charCodeAt(pos);
    if (c === 0x7d) {
      pos++;
      return out;
    }
    if (c !== 0x2c) fail("Expecting ',' delimiter");
    pos++;
    skipSpace();
  }
}

/** Returned by {@link tryParsePythonJson} for a payload Python's `json.loads` rejects. */
export const INVALID_JSON: unique symbol = Symbol('INVALID_JSON');

/**
 * {@link parsePythonJson} without the exception: {@link INVALID_JSON} where Python raises (cheap on the reward's
 * hot path, where bad payloads are common).
 *
 * @example
 * tryParsePythonJson('[1,]') === INVALID_JSON; // true
 */
export function tryParsePythonJson(text: string): unknown {
  src = text;
  pos = 0;
  try {
    skipSpace();
    const value = readValue(0);
    skipSpace();
    if (pos !== text.length) fail('Extra data');
    return value;
  } catch (error) {
    if (error === FAILURE) return INVALID_JSON;
    throw error;
  } finally {
    src = '';
  }
}

/**
 * Parse `text` as Python's `json.loads` would; throws {@link PythonJsonError} where Python raises.
 *
 * @example
 * parsePythonJson('[[0.5, NaN]]'); // [[0.5, NaN]]
 * parsePythonJson('[1,]'); // throws PythonJsonError
 */
export function parsePythonJson(text: string): unknown {
  const value = tryParsePythonJson(text);
  if (value === INVALID_JSON) throw new PythonJsonError(failMessage, failPosition);
  return value;
}

/** A growable buffer of interleaved x, y values that {@link parseNumberPairs} fills. */
export interface PairBuffer {
  data: Float64Array;
}

/**
 * Fast path for the common trajectory payload: when `text` is a JSON array of `[number, number]` pairs (JSON
 * numbers, `NaN`, `±Infinity`, JSON whitespace), write the pairs interleaved into `buffer.data` (grown if
 * needed) and return how many; otherwise return −1 and let {@link parsePythonJson} decide. Whenever this
 * accepts, `parsePythonJson(text)` gives the same pairs (the same number reader is used).
 *
 * @example
 * const buf = { data: new Float64Array(8) };
 * parseNumberPairs('[[0.1, 0.2], [0.3, 0.4]]', buf); // 2, buf.data starts 0.1, 0.2, 0.3, 0.4
 * parseNumberPairs('[["0.1", 0.2]]', buf); // -1
 */
export function parseNumberPairs(text: string, buffer: PairBuffer): number {
  const s = text;
  const end = s.length;
  let i = skipJsonSpace(s, 0);
  if (s.charCodeAt(i) !== 0x5b /* [ */) return -1;
  i = skipJsonSpace(s, i + 1);
  let count = 0;
  let data = buffer.data;
  if (s.charCodeAt(i) === 0x5d /* ] */) return skipJsonSpace(s, i + 1) === end ? 0 : -1;
  for (;;) {
    if (s.charCodeAt(i) !== 0x5b) return -1;
    i = scanPairNumber(s, skipJsonSpace(s, i + 1));
    if (i < 0) return -1;
    const x = scanned as number;
    i = skipJsonSpace(s, i);
    if (s.charCodeAt(i) !== 0x2c /* , */) return -1;
    i = scanPairNumber(s, skipJsonSpace(s, i + 1));
    if (i < 0) return -1;
    i = skipJsonSpace(s, i);
    if (s.charCodeAt(i) !== 0x5d) return -1;
    if (2 * count + 2 > data.length) {
      const grown = new Float64Array(Math.max(32, data.length * 2));
      grown.set(data);
      buffer.data = data = grown;
    }
    data[2 * count] = x;
    data[2 * count + 1] = scanned as number;
    count++;
    i = skipJsonSpace(s, i + 1);
    const c = s.charCodeAt(i);
    if (c === 0x5d) return skipJsonSpace(s, i + 1) === end ? count : -1;
    if (c !== 0x2c) return -1;
    i = skipJsonSpace(s, i + 1);
  }
}

/** Index of the first non-JSON-whitespace character of `s` at or after `i`. */
function skipJsonSpace(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
  return i;
}

/** A pair coordinate at `i`: a JSON number that is a double, `NaN` or `±Infinity` (value in `scanned`), else −1. */
function scanPairNumber(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 0x4e /* N */ && s.startsWith('NaN', i)) {
    scanned = NaN;
    return i + 3;
  }
  if (c === 0x49 /* I */ && s.startsWith('Infinity', i)) {
    scanned = Infinity;
    return i + 8;
  }
  const next = scanNumber(s, i);
  return next >= 0 && typeof scanned === 'number' ? next : -1;
}
