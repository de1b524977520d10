import { isPythonSpace, pythonCaseInsensitive, pythonCaseVariants, pythonStrip } from './pythonText.js';

/** Where the first `<tag>…</tag>` block sits: the content is `text.slice(contentStart, contentEnd)`. */
export interface TagBlock {
  readonly start: number;
  readonly contentStart: number;
  readonly contentEnd: number;
  readonly end: number;
}

const OUTPUT_OPEN = pythonCaseInsensitive('<output>');
const OUTPUT_CLOSE = pythonCaseInsensitive('</output>');
const THINK_OPEN = pythonCaseInsensitive('<think>');
const THINK_CLOSE = pythonCaseInsensitive('</think>');

// Where the last successful `locate` found its block (module state: avoids an allocation per call).
let foundStart = 0;
let foundContentStart = 0;
let foundContentEnd = 0;
let foundEnd = 0;

/**
 * A tag as the UTF-16 units each of its characters matches case-insensitively (Python's rules): `first[k]` and
 * `second[k]` are the two ASCII cases (or the character twice), `extra[k]` the non-ASCII variants.
 */
interface TagPattern {
  readonly first: Uint16Array;
  readonly second: Uint16Array;
  readonly extra: readonly (readonly number[])[];
  readonly hasExtra: boolean;
}

function tagPattern(tag: string): TagPattern {
  const variants = [...tag].map(pythonCaseVariants);
  return {
    first: Uint16Array.from(variants, (v) => v[0]!),
    second: Uint16Array.from(variants, (v) => v[1] ?? v[0]!),
    extra: variants.map((v) => v.slice(2)),
    hasExtra: variants.some((v) => v.length > 2),
  };
}

const OUTPUT_OPEN_TAG = tagPattern('<output>');
const OUTPUT_CLOSE_TAG = tagPattern('</output>');
const THINK_OPEN_TAG = tagPattern('<think>');
const THINK_CLOSE_TAG = tagPattern('</think>');

/** Index of the first match of `tag` in `text` at or after `from` (Python IGNORECASE matching), or −1. */
function findTag(text: string, tag: TagPattern, from: number): number {
  const { first, second, extra, hasExtra } = tag;
  const length = first.length;
  for (let at = text.indexOf('<', from); at !== -1; at = text.indexOf('<', at + 1)) {
    let k = 1;
    for (; k < length; k++) {
      const c = text.charCodeAt(at + k);
      if (c !== first[k] && c !== second[k] && !(hasExtra && extra[k]!.includes(c))) break;
    }
    if (k === length) return at;
  }
  return -1;
}

/**
 * The block the official lazy pattern `<tag>\s*(.*?)\s*</tag>` (IGNORECASE, DOTALL) finds with `re.search`:
 * the first opening tag that has a closing tag after it, up to the first such closing tag. Because a later
 * opening tag can only close with a closing tag that also follows the first one, only the first opening tag
 * needs checking, so this runs in linear time (the backtracking regex can be cubic on long whitespace runs).
 * Every tag variant is as long as the tag itself (the case variants are single UTF-16 units).
 */
function locate(text: string, open: TagPattern, close: TagPattern, from: number): boolean {
  const start = findTag(text, open, from);
  if (start === -1) return false;
  const contentStart = start + open.first.length;
  const closeAt = findTag(text, close, contentStart);
  if (closeAt === -1) return false;
  foundStart = start;
  foundContentStart = contentStart;
  foundContentEnd = closeAt;
  foundEnd = closeAt + close.first.length;
  return true;
}

function found(): TagBlock {
  return { start: foundStart, contentStart: foundContentStart, contentEnd: foundContentEnd, end: foundEnd };
}

function locateOutput(text: string, from: number): boolean {
  return locate(text, OUTPUT_OPEN_TAG, OUTPUT_CLOSE_TAG, from);
}

function locateThink(text: string, from: number): boolean {
  return locate(text, THINK_OPEN_TAG, THINK_CLOSE_TAG, from);
}

/** The first `<output>…</output>` block (see {@link locate}), searching from `from`. */
export function findOutputBlock(text: string, from = 0): TagBlock | undefined {
  return locateOutput(text, from) ? found() : undefined;
}

/** The first `<think>…</think>` block, searching from `from`. */
export function findThinkBlock(text: string, from = 0): TagBlock | undefined {
  return locateThink(text, from) ? found() : undefined;
}

/**
 * The official `m.group(1).strip()` of the first `<output>` block, or undefined when there is none.
 *
 * @example
 * outputContent('<think>…</think> <output> [[0.1, 0.2]]\n</output>'); // '[[0.1, 0.2]]'
 */
export function outputContent(text: string): string | undefined {
  return locateOutput(text, 0) ? pythonStrip(text, foundContentStart, foundContentEnd) : undefined;
}

/** Where {@link outputContentRange} found the content: `text.slice(start, end)` is {@link outputContent}. */
export interface ContentRange {
  start: number;
  end: number;
}

/**
 * {@link outputContent} without making the string: writes the stripped content's bounds into `range` and
 * returns true, or returns false when there is no block. The character at `range.end` (if any) is whitespace or
 * the `<` of the closing tag.
 *
 * @example
 * const range = { start: 0, end: 0 };
 * outputContentRange('<output> [1] </output>', range); // true, range = {start: 9, end: 12}
 */
export function outputContentRange(text: string, range: ContentRange): boolean {
  if (!locateOutput(text, 0)) return false;
  let a = foundContentStart;
  let b = foundContentEnd;
  while (a < b && isPythonSpace(text.charCodeAt(a))) a++;
  while (b > a && isPythonSpace(text.charCodeAt(b - 1))) b--;
  range.start = a;
  range.end = b;
  return true;
}

/**
 * True when the text has a `<think>…</think>` block (the official `<think>\s*.*?\s*</think>`, case-insensitive).
 *
 * @example
 * hasThinkTags('<THINK></think>'); // true
 */
export function hasThinkTags(text: string): boolean {
  return locateThink(text, 0);
}

/** The Python-stripped content of a block: the official `m.group(1).strip()`. */
export function blockContent(text: string, block: TagBlock): string {
  return pythonStrip(text, block.contentStart, block.contentEnd);
}

/**
 * Every non-overlapping block of a kind, in order (used by the strict reward modes to count blocks).
 *
 * @example
 * allBlocks('<think>a</think><think>b</think>', 'think').length; // 2
 */
export function allBlocks(text: string, kind: 'think' | 'output'): TagBlock[] {
  const find = kind === 'think' ? findThinkBlock : findOutputBlock;
  const blocks: TagBlock[] = [];
  let from = 0;
  for (;;) {
    const block = find(text, from);
    if (block === undefined) return blocks;
    blocks.push(block);
    from = block.end;
  }
}

/** How many times each answer tag occurs (case-insensitively, as Python matches it), paired or not. */
export interface TagCounts {
  readonly thinkOpen: number;
  readonly thinkClose: number;
  readonly outputOpen: number;
  readonly outputClose: number;
}

function count(text: string, tag: RegExp): number {
  tag.lastIndex = 0;
  let n = 0;
  while (tag.exec(text) !== null) n++;
  return n;
}

/**
 * Count the opening and closing `<think>` / `<output>` tags of a text.
 *
 * @example
 * countTags('<think>a</think><think>b</think><output>1</output>'); // {thinkOpen: 2, thinkClose: 2, outputOpen: 1, outputClose: 1}
 */
export function countTags(text: string): TagCounts {
  return {
    thinkOpen: count(text, THINK_OPEN),
    thinkClose: count(text, THINK_CLOSE),
    outputOpen: count(text, OUTPUT_OPEN),
    outputClose: count(text, OUTPUT_CLOSE),
  };
}
