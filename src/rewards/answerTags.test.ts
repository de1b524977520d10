import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasThinkTags, outputContentRange } from '../protocol/tagBlocks.js';
import { findOutputContent, findOutputOpen, hasThinkPair } from './answerTags.js';

const piece = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('<think>', '</think>', '<output>', '</output>', '<OUTPUT>', '</Output>', '<THIN\u212a>', '</thinK>', '<th\u0130nk>', ' \u0085 ', '\u00a0', '[[0.1, 0.2]]', '<', '</'),
);
const text = fc.array(piece, { maxLength: 10 }).map((p) => p.join(''));

describe('answer tags', () => {
  it('finds the official first output block and its stripped content', () => {
    const range = { start: 0, end: 0 };
    const t = '<think>a</think> <OUTPUT>\u0085 [1] \n</output><output>[2]</output>';
    expect(findOutputContent(t, range)).toBe(true);
    expect(t.slice(range.start, range.end)).toBe('[1]');
    expect(findOutputContent('</output><output>', range)).toBe(false);
    expect(hasThinkPair('<THIN\u212a></think>')).toBe(true);
    expect(hasThinkPair('</think><think>')).toBe(false);
  });

  it('agrees with the protocol tag scanner', () => {
    fc.assert(
      fc.property(text, (t) => {
        const a = { start: -1, end: -1 };
        const b = { start: -1, end: -1 };
        expect(findOutputContent(t, a)).toBe(outputContentRange(t, b));
        expect(a).toEqual(b);
        expect(hasThinkPair(t)).toBe(hasThinkTags(t));
        const open = findOutputOpen(t); // where the first opening tag's content starts, closed or not
        expect(open).toBe(/<output>/i.test(t) ? t.search(/<output>/i) + 8 : -1);
      }),
      { numRuns: 3000 },
    );
  });
});
