import { pythonCaseInsensitive, pythonStrip } from './pythonText.js';

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

/**
 * The block the official lazy pattern `<tag>\s*(.*?)\s*</tag>` (IGNORECASE, DOTALL) finds with `re.search`:
 * the first opening tag that has a closing tag after it, up to the first such closing tag. Because a later
 * opening tag can only close with a closing tag that also follows the first one, only the first opening tag
 * needs checking, so this runs in linear time (the backtracking regex can be cubic on long whitespace runs).
 */
function firstBlock(text: string, open: RegExp, close: RegExp, from: number): TagBlock | undefined {
  open.lastIndex = from;
  const o = open.exec(text);
  if (o === null) return undefined;
  const contentStart = o.index + o[0].length;
  close.lastIndex = contentStart;
  const c = close.exec(text);
  if (c === null) return undefined;
  return { start: o.index, contentStart, contentEnd: c.index, end: c.index + c[0].length };
}

/** The first `<output>…</output>` block (see {@link firstBlock}), searching from `from`. */
export function findOutputBlock(text: string, from = 0): TagBlock | undefined {
  return firstBlock(text, OUTPUT_OPEN, OUTPUT_CLOSE, from);
}

/** The first `<think>…</think>` block, searching from `from`. */
export function findThinkBlock(text: string, from = 0): TagBlock | undefined {
  return firstBlock(text, THINK_OPEN, THINK_CLOSE, from);
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
