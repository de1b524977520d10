/**
 * The JSON number scanner shared by the Python-compatible JSON reader and its fast paths for trajectory and box
 * payloads. Local variables only: this is the hot loop of reading a trajectory.
 */

/** Maximum digits of an integer literal (CPython's `sys.int_info.default_max_str_digits`). */
export const MAX_INT_DIGITS = 4300;

/** Exact powers of ten 10^0..10^22 (every one is a double), for the exact fast path of number reading. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The value of the last successful {@link scanNumber}: a double in `scannedValue[0]` (a typed array, so storing
 * it does not box a heap number per digit run), or a bigint in `scannedBig` for a Python int beyond a double.
 */
export const scannedValue = new Float64Array(1);
let scannedBig: bigint | undefined;
/** {@link scanNumber}: no number here. */
export const NOT_A_NUMBER = -1;
/** {@link scanNumber}: an integer literal beyond CPython's digit limit. */
export const TOO_MANY_DIGITS = -2;

/** The bigint of the last {@link scanNumber}, when it read a Python int beyond a double. */
export function scannedBigint(): bigint | undefined {
  return scannedBig;
}

/**
 * Scan a JSON number (or `-Infinity`) of `s` starting at `start` with Python's json rules; returns the index
 * after it and leaves the value in `scannedValue[0]` (or {@link scannedBigint}), or returns NOT_A_NUMBER /
 * TOO_MANY_DIGITS. Local variables only: this is the hot loop of reading a trajectory.
 */
export function scanNumber(s: string, start: number): number {
  let i = start;
  let negative = false;
  if (s.charCodeAt(i) === 0x2d /* - */) {
    negative = true;
    i++;
    if (s.startsWith('Infinity', i)) {
      scannedBig = undefined;
      scannedValue[0] = -Infinity;
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
  scannedBig = undefined;
  if (!isInteger) {
    if (digits <= 15 && exponent >= -22 && exponent <= 22) {
      const v = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
      scannedValue[0] = negative ? -v : v;
    } else {
      scannedValue[0] = Number(s.slice(start, i));
    }
    return i;
  }
  // A Python int: -0 reads as 0; beyond a double's range it stays exact (bigint) so float() can overflow.
  if (digits <= 15) {
    scannedValue[0] = negative && mantissa !== 0 ? -mantissa : mantissa;
    return i;
  }
  if (digits > MAX_INT_DIGITS) return TOO_MANY_DIGITS;
  const text = s.slice(start, i);
  const value = Number(text);
  if (Number.isFinite(value)) scannedValue[0] = value;
  else scannedBig = BigInt(text);
  return i;
}

/** Index of the first non-JSON-whitespace character of `s` at or after `i`. */
export function skipJsonSpace(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
  return i;
}

/** A pair coordinate at `i`: a JSON number that is a double, `NaN` or `±Infinity` (value in `scannedValue[0]`), else −1. */
export function scanPairNumber(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 0x4e /* N */ && s.startsWith('NaN', i)) {
    scannedValue[0] = NaN;
    return i + 3;
  }
  if (c === 0x49 /* I */ && s.startsWith('Infinity', i)) {
    scannedValue[0] = Infinity;
    return i + 8;
  }
  const next = scanNumber(s, i);
  return next >= 0 && scannedBig === undefined ? next : -1;
}
