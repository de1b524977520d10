/**
 * The two tag searches of the reward, as native scans: the first `<output>` block's stripped content, and
 * whether a `<think>` block exists. Same results as `findOutputBlock` / `hasThinkTags` of
 * `src/protocol/tagBlocks.ts` (the official lazy patterns, Python's IGNORECASE including its non-ASCII case
 * variants such as the KELVIN SIGN for `k`): the first opening tag that has a closing tag after it, up to the
 * first such closing tag. The regular expressions are global and only their `lastIndex` is used, so a search
 * allocates nothing; the closing `</output>` is found with `indexOf` (the letters of `output` have no
 * non-ASCII case variants).
 *
 * @module
 */
import { isPythonSpace, pythonCaseInsensitive } from '../protocol/pythonText.js';
import type { ContentRange } from '../protocol/tagBlocks.js';

const OUTPUT_OPEN = pythonCaseInsensitive('<output>');
const THINK_OPEN = pythonCaseInsensitive('<think>');
const THINK_CLOSE = pythonCaseInsensitive('</think>');

/** End of the first match of `tag` in `text` at or after `from`, or −1. */
function matchEnd(tag: RegExp, text: string, from: number): number {
  tag.lastIndex = from;
  return tag.test(text) ? tag.lastIndex : -1;
}

/** `output` as the UTF-16 units each letter matches under Python's IGNORECASE (only its two ASCII cases). */
const OUTPUT_LOWER = 'output';

/**
 * Start of the first `</output>` (any case) at or after `from`, or −1: the native `indexOf('</')` finds the
 * candidates (usually the first one is the tag: a payload rarely holds a `<`), which are checked here.
 */
function findOutputClose(text: string, from: number): number {
  for (let at = text.indexOf('</', from); at !== -1; at = text.indexOf('</', at + 1)) {
    let k = 0;
    while (k < 6 && (text.charCodeAt(at + 2 + k) | 0x20) === OUTPUT_LOWER.charCodeAt(k)) k++;
    if (k === 6 && text.charCodeAt(at + 8) === 0x3e /* > */) return at;
  }
  return -1;
}

/**
 * Where the content of the first `<output>` opening tag (any case) starts, or −1: the block is there if a
 * closing tag follows (see {@link findOutputContent}).
 *
 * @example
 * findOutputOpen('<think>a</think> <OUTPUT>[1]</output>'); // 25
 */
export function findOutputOpen(text: string): number {
  return matchEnd(OUTPUT_OPEN, text, 0);
}

/**
 * Bounds of the official `m.group(1).strip()` of the first `<output>` block into `range`; false when there is
 * no block. The character at `range.end` (if any) is whitespace or the `<` of the closing tag.
 *
 * @example
 * const range = { start: 0, end: 0 };
 * findOutputContent('<think>a</think> <OUTPUT> [1] </output>', range); // true, range = {start: 25, end: 28}
 */
export function findOutputContent(text: string, range: ContentRange): boolean {
  const contentStart = findOutputOpen(text);
  if (contentStart < 0) return false;
  const closeStart = findOutputClose(text, contentStart);
  if (closeStart < 0) return false;
  let a = contentStart;
  let b = closeStart;
  while (a < b && isPythonSpace(text.charCodeAt(a))) a++;
  while (b > a && isPythonSpace(text.charCodeAt(b - 1))) b--;
  range.start = a;
  range.end = b;
  return true;
}

/**
 * True when the text has a `<think>…</think>` block (the official `<think>\s*.*?\s*</think>`, case-insensitive
 * as Python's IGNORECASE; the content may be empty).
 *
 * @example
 * hasThinkPair('<THIN\u212a></think>'); // true (KELVIN SIGN, as in Python)
 * hasThinkPair('</think><think>'); // false
 */
export function hasThinkPair(text: string): boolean {
  const contentStart = matchEnd(THINK_OPEN, text, 0);
  return contentStart >= 0 && matchEnd(THINK_CLOSE, text, contentStart) >= 0;
}
