import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPythonSpace, pythonStrip } from './pythonText.js';
import { allBlocks, blockContent, findOutputBlock, findThinkBlock } from './tagBlocks.js';

/** The official pattern, for comparison on inputs where JavaScript's and Python's `\s` agree. */
const OFFICIAL_OUTPUT = /<output>\s*([\s\S]*?)\s*<\/output>/i;

describe('isPythonSpace / pythonStrip', () => {
  it('uses the Python whitespace set, not JavaScript\'s', () => {
    for (const c of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1f, 0x20, 0x85, 0xa0, 0x2000, 0x3000]) {
      expect(isPythonSpace(c)).toBe(true);
    }
    for (const c of [0x08, 0x21, 0xfeff, 0x200b, 0x41]) expect(isPythonSpace(c)).toBe(false);
    expect(pythonStrip('\u0085\u001c x y \u3000')).toBe('x y');
    expect(pythonStrip('\ufeffx')).toBe('\ufeffx');
    expect(pythonStrip('   ')).toBe('');
  });
});

describe('findOutputBlock', () => {
  it('finds the first block, case-insensitively, across newlines', () => {
    const text = 'a <OUTPUT>\n [1] \n</Output> b <output>[2]</output>';
    const block = findOutputBlock(text);
    expect(block).toBeDefined();
    expect(blockContent(text, block!)).toBe('[1]');
  });

  it('matches the Python IGNORECASE variants of i and k (dotless i, KELVIN SIGN)', () => {
    expect(findThinkBlock('<th\u0131n\u212a>x</THINK>')).toBeDefined();
    expect(findThinkBlock('<th\u0130nk>x</think>')).toBeDefined();
  });

  it('needs the closing tag after the opening one', () => {
    expect(findOutputBlock('</output><output>[1]')).toBeUndefined();
    expect(findThinkBlock('</think><think>')).toBeUndefined();
    expect(findThinkBlock('<think></think>')).toBeDefined();
  });

  it('pairs the first opening tag with the first closing tag after it', () => {
    const text = '<output>a<output>b</output>c</output>';
    expect(blockContent(text, findOutputBlock(text)!)).toBe('a<output>b');
  });

  it('agrees with the official regular expression on ASCII text', () => {
    const piece = fc.constantFrom('<output>', '</output>', '<OUTPUT>', '</Output>', ' ', '\n', 'x', '[1]', '<', '>');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        const m = OFFICIAL_OUTPUT.exec(text);
        const block = findOutputBlock(text);
        expect(block === undefined).toBe(m === null);
        if (m !== null && block !== undefined) {
          expect(block.start).toBe(m.index);
          expect(blockContent(text, block)).toBe(m[1]!.trim());
        }
      }),
    );
  });

  it('stays linear on long whitespace runs', () => {
    const text = `<output>${' '.repeat(200_000)}x`;
    expect(findOutputBlock(text)).toBeUndefined();
  });
});

describe('allBlocks', () => {
  it('lists every non-overlapping block in order', () => {
    const text = '<think>a</think> <think>b</think> <output>1</output>';
    expect(allBlocks(text, 'think').map((b) => blockContent(text, b))).toEqual(['a', 'b']);
    expect(allBlocks(text, 'output')).toHaveLength(1);
    expect(allBlocks('none', 'output')).toEqual([]);
  });
});
