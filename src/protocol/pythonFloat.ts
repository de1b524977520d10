import { isPythonSpace } from './pythonText.js';

/**
 * Python's `float(value)` for the values a JSON payload can hold (CPython 3.11 semantics):
 *
 * - a number is returned as is (including NaN and ±Infinity, which Python's json reads from `NaN`/`Infinity`);
 * - `true`/`false` give 1/0;
 * - a `bigint` (an integer literal too large for a double, see `parsePythonJson`) gives the double, and throws
 *   (Python's OverflowError) when it does not fit;
 * - a string is parsed like Python does: surrounding whitespace (Python's set, including U+0085 and U+3000)
 *   is ignored, Unicode decimal digits count as digits (`"١٢"` is 12), underscores are allowed between digits
 *   (`"1_0"` is 10), `inf`, `infinity` and `nan` are accepted in any case with an optional sign, and forms
 *   like `"5."`, `".5"`, `"1e3"` are numbers; anything else (`"abc"`, `""`, `"0x10"`, `"1__0"`) throws;
 * - anything else (null, undefined, objects, arrays) throws, like Python's TypeError.
 *
 * @example
 * pythonFloat(' 0.4 '); // 0.4
 * pythonFloat(true); // 1
 * pythonFloat('-Infinity'); // -Infinity
 * pythonFloat(null); // throws TypeError
 */
export function pythonFloat(value: unknown): number {
  const n = tryPythonFloat(value);
  if (n !== undefined) return n;
  if (typeof value === 'bigint') throw new RangeError('int too large to convert to float');
  if (typeof value === 'string') throw new RangeError(`could not convert string to float: ${JSON.stringify(value)}`);
  throw new TypeError(`float() argument must be a string or a real number, not '${pythonTypeName(value)}'`);
}

/**
 * {@link pythonFloat} without the exception: `undefined` where Python's `float()` raises.
 *
 * @example
 * tryPythonFloat('abc'); // undefined
 * tryPythonFloat(' 1e3 '); // 1000
 */
export function tryPythonFloat(value: unknown): number | undefined {
  switch (typeof value) {
    case 'number':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'string':
      return parsePythonFloatString(value);
    case 'bigint': {
      const n = Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    default:
      return undefined;
  }
}

function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'dict' : typeof value;
}

const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;
const UNICODE_DIGIT = /^\p{Nd}$/u;

/** The value 0..9 of a Unicode decimal digit: Nd characters come in runs of 0..9 (a Unicode stability rule). */
function unicodeDigitValue(codePoint: number): number {
  let start = codePoint;
  while (UNICODE_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (codePoint - start) % 10;
}

/** CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`: non-ASCII spaces to ' ', Unicode digits to ASCII. */
function toAscii(text: string): string | undefined {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 127) {
      ascii = false;
      break;
    }
  }
  if (ascii) return text;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 127) out += ch;
    else if (cp <= 0xffff && isPythonSpace(cp)) out += ' ';
    else if (UNICODE_DIGIT.test(ch)) out += String(unicodeDigitValue(cp));
    else return undefined;
  }
  return out;
}

/** CPython's underscore rule for numeric strings: each `_` sits between two ASCII digits; returns the text without them. */
function removeUnderscores(text: string): string | undefined {
  if (!text.includes('_')) return text;
  let out = '';
  let prev = '';
  for (const ch of text) {
    if (ch === '_') {
      if (!(prev >= '0' && prev <= '9')) return undefined;
    } else {
      if (prev === '_' && !(ch >= '0' && ch <= '9')) return undefined;
      out += ch;
    }
    prev = ch;
  }
  return prev === '_' ? undefined : out;
}

/** ASCII whitespace as C's `isspace` (Python's `Py_ISSPACE`) sees it: note U+001C..U+001F are not stripped here. */
function isAsciiSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function parsePythonFloatString(text: string): number | undefined {
  const ascii = toAscii(text);
  const clean = ascii === undefined ? undefined : removeUnderscores(ascii);
  if (clean === undefined) return undefined;
  let a = 0;
  let b = clean.length;
  while (a < b && isAsciiSpace(clean.charCodeAt(a))) a++;
  while (b > a && isAsciiSpace(clean.charCodeAt(b - 1))) b--;
  const body = a === 0 && b === clean.length ? clean : clean.slice(a, b);
  if (DECIMAL.test(body)) return Number(body);
  if (SPECIAL.test(body)) {
    if (body.toLowerCase().endsWith('nan')) return NaN;
    return body.charCodeAt(0) === 0x2d ? -Infinity : Infinity;
  }
  return undefined;
}
