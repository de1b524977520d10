/**
 * A native fast path for the `<output>` payloads the hand-written readers decline: `JSON.parse`, kept only when
 * its result is provably what Python's `json.loads` gives.
 *
 * @module
 */

/** {@link parseLikePython} could not vouch for the result: use the Python-compatible reader. */
export const DECLINED: unique symbol = Symbol('declined');
/** {@link parseLikePython}: not JSON for Python's `json.loads` either (no payload). */
export const NOT_JSON: unique symbol = Symbol('not JSON');
/** Nesting beyond this is left to the Python-compatible reader (which knows Python's recursion limit). */
const NATIVE_MAX_DEPTH = 64;

/**
 * Whether `JSON.parse` read `value` as Python's `json.loads` reads the same text: every number is finite, not
 * −0 (Python reads `-0` as the int 0) and below 2^53 in magnitude (where an int literal and its float agree, and
 * no int is too large for `float()`), and nesting is shallow.
 */
function readsAsInPython(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return value - value === 0 && Math.abs(value) < 2 ** 53 && !Object.is(value, -0);
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= NATIVE_MAX_DEPTH) return false;
  const items = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
  for (const item of items) if (!readsAsInPython(item, depth + 1)) return false;
  return true;
}

/**
 * The payloads the fast readers decline (numeric strings, other shapes, bad JSON) with the native `JSON.parse`,
 * when its result is provably what Python's `json.loads` gives (see {@link readsAsInPython}); {@link NOT_JSON}
 * when Python's `json.loads` fails too; otherwise {@link DECLINED}, and the Python-compatible reader decides
 * (NaN, Infinity, big ints, deep nesting).
 * Native parsing matters most while the JavaScript reader is not yet optimised by the JIT.
 *
 * @example
 * parseLikePython('{"x": "0.4", "y": [1, 2]}'); // {x: '0.4', y: [1, 2]}
 * parseLikePython('[NaN]') === DECLINED; // true (JSON.parse rejects NaN; Python reads it)
 * parseLikePython('[-0]') === DECLINED; // true (Python reads the int 0, JSON.parse −0)
 * parseLikePython('[1, 2,]') === NOT_JSON; // true
 */
export function parseLikePython(payload: string): unknown {
  const first = payload.charCodeAt(0);
  if (first === 0x74 /* t */ || first === 0x66 /* f */ || first === 0x6e /* n */) {
    // a literal alone: spare JSON.parse the cost of an exception on text such as "no answer"
    return payload === 'true' ? true : payload === 'false' ? false : payload === 'null' ? null : NOT_JSON;
  }
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    // Python's json.loads accepts what JSON.parse does plus NaN, Infinity and -Infinity: without them, it fails too.
    return payload.includes('NaN') || payload.includes('Infinity') ? DECLINED : NOT_JSON;
  }
  return readsAsInPython(value, 0) ? value : DECLINED;
}
