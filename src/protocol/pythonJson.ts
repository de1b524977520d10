import {
  MAX_INT_DIGITS,
  NOT_A_NUMBER,
  scanNumber,
  scannedBigint,
  scannedValue,
  skipJsonSpace,
  TOO_MANY_DIGITS,
} from './jsonNumberScanner.js';

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
  pos = skipJsonSpace(src, pos);
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

function readNumber(): number | bigint {
  const end = scanNumber(src, pos);
  if (end === TOO_MANY_DIGITS) fail(`Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
  if (end === NOT_A_NUMBER) fail('Expecting value');
  pos = end;
  return scannedBigint() ?? scannedValue[0]!;
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
