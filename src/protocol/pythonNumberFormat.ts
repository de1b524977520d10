/**
 * Number formatting that reads like the official data: Python's `json.dumps(round(v, 6))`.
 */

/**
 * Python's `round(value, 6)`: the double nearest to `value` rounded to 6 decimals, with exact ties going to the
 * even neighbour (JavaScript's `toFixed` sends ties away from zero: `round(0.0078125, 6)` is 0.007812 in Python,
 * `(0.0078125).toFixed(6)` is "0.007813").
 *
 * @example
 * pythonRound6(0.1234565); // 0.123457 (not an exact tie in binary)
 * pythonRound6(0.0078125); // 0.007812 (an exact tie: half to even)
 */
export function pythonRound6(value: number): number {
  // Non-finite values are unchanged; from 1e15 up a double has at most 3 decimals, so rounding keeps it.
  if (value === 0 || !Number.isFinite(value) || Math.abs(value) >= 1e15) return value;
  // An exact tie at the 7th decimal is a double of the form odd/128 (10^-6 = 2^-6 5^-6 must cancel the 5s).
  const scaled = value * 128;
  if (Number.isInteger(scaled) && scaled % 2 !== 0) {
    const twiceMillionths = BigInt(scaled) * 15625n; // value * 2e6, an odd integer
    const below = (twiceMillionths - (twiceMillionths > 0n ? 1n : -1n)) / 2n;
    const even = below % 2n === 0n ? below : below + (twiceMillionths > 0n ? 1n : -1n);
    return Number(`${even}e-6`);
  }
  return Number(value.toFixed(6));
}

/**
 * How Python's `json.dumps` prints a float: `repr` (shortest round-trip digits; scientific notation below 1e-4
 * and from 1e16, with a signed two-digit exponent; integral values keep a `.0`), and `NaN`, `Infinity`,
 * `-Infinity` for the non-finite values.
 *
 * @example
 * pythonFloatJson(1); // '1.0'
 * pythonFloatJson(0.00005); // '5e-05'
 * pythonFloatJson(0.2587); // '0.2587'
 */
export function pythonFloatJson(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${body}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const intLength = exponent + 1;
  if (digits.length <= intLength) return `${sign}${digits.padEnd(intLength, '0')}.0`;
  return `${sign}${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
}

/**
 * `json.dumps(round(value, 6))`: the form every number takes in a formatted answer.
 *
 * @example
 * formatAnswerNumber(0.4376741); // '0.437674'
 * formatAnswerNumber(1); // '1.0'
 */
export function formatAnswerNumber(value: number): string {
  return pythonFloatJson(pythonRound6(value));
}
