/**
 * Python `str` whitespace semantics, needed to match the official reward byte for byte.
 *
 * Python's `str.isspace()`, `str.strip()` and the regex class `\s` (for `str` patterns) all use the same set,
 * which differs from JavaScript's `\s`: Python includes U+001C..U+001F and U+0085, JavaScript includes U+FEFF.
 */

/**
 * True when the UTF-16 code unit `code` is whitespace for Python's `str.isspace()`.
 *
 * @example
 * isPythonSpace(0x85); // true  (NEXT LINE; JavaScript's \s says false)
 * isPythonSpace(0xfeff); // false (BOM; JavaScript's \s says true)
 */
export function isPythonSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** The Python whitespace set as the body of a regular-expression character class. */
export const PYTHON_SPACE_CLASS = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/**
 * `text[start:end].strip()` as Python computes it (Python whitespace, see {@link isPythonSpace}).
 *
 * @example
 * pythonStrip('\u0085 [1] \t'); // '[1]'
 */
export function pythonStrip(text: string, start = 0, end = text.length): string {
  let a = start;
  let b = end;
  while (a < b && isPythonSpace(text.charCodeAt(a))) a++;
  while (b > a && isPythonSpace(text.charCodeAt(b - 1))) b--;
  return a === 0 && b === text.length ? text : text.slice(a, b);
}

/** Characters Python's `re.IGNORECASE` matches for the ASCII letters that have non-ASCII variants (checked on CPython 3.11). */
const EXTRA_CASE_VARIANTS: Readonly<Record<string, readonly number[]>> = {
  i: [0x130, 0x131],
  k: [0x212a],
};

/**
 * The UTF-16 units Python's `re.IGNORECASE` (for `str` patterns) matches for the character `ch` of a tag: both
 * ASCII cases of a letter and its non-ASCII variants (`k` also matches U+212A KELVIN SIGN), or `ch` itself.
 *
 * @example
 * pythonCaseVariants('k'); // [0x6b, 0x4b, 0x212a]
 * pythonCaseVariants('<'); // [0x3c]
 */
export function pythonCaseVariants(ch: string): number[] {
  const lower = ch.toLowerCase();
  if (!(lower >= 'a' && lower <= 'z')) return [ch.charCodeAt(0)];
  return [lower.charCodeAt(0), lower.toUpperCase().charCodeAt(0), ...(EXTRA_CASE_VARIANTS[lower] ?? [])];
}

/**
 * A global regular expression that matches the literal `tag` the way Python's `re.IGNORECASE` does for `str`
 * patterns (so `<thin\u212a>` with a KELVIN SIGN matches `<think>`, as in Python).
 *
 * @example
 * pythonCaseInsensitive('<output>').test('<OutPut>'); // true
 */
export function pythonCaseInsensitive(tag: string): RegExp {
  let source = '';
  for (const ch of tag) {
    const lower = ch.toLowerCase();
    if (lower >= 'a' && lower <= 'z') {
      source += `[${pythonCaseVariants(ch).map((c) => `\\u${c.toString(16).padStart(4, '0')}`).join('')}]`;
    }
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(source, 'g');
}
