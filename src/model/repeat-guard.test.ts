import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repeatedNgramTokens } from './repeat-guard.js';

describe('repeatedNgramTokens', () => {
  it('names the tokens that would repeat an n-gram', () => {
    expect(repeatedNgramTokens([1, 2, 3, 1, 2], 3)).toEqual([3]);
    expect(repeatedNgramTokens([1, 2, 3, 1, 2, 4, 1, 2], 3)).toEqual([3, 4]);
    expect(repeatedNgramTokens([5, 5, 5], 2)).toEqual([5, 5]);
    expect(repeatedNgramTokens([1, 2, 3], 3)).toEqual([]);
  });

  it('bans every token already written for n = 1, and nothing on a short history', () => {
    expect(repeatedNgramTokens([4, 7], 1)).toEqual([4, 7]);
    expect(repeatedNgramTokens([], 3)).toEqual([]);
    expect(repeatedNgramTokens([1], 3)).toEqual([]);
    expect(repeatedNgramTokens([1, 2], 0)).toEqual([]);
  });

  it('is exactly the set of tokens whose addition creates a repeated n-gram', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 20 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), (history, n, token) => {
        const next = [...history, token];
        const grams = new Set<string>();
        let repeats = false;
        for (let i = 0; i + n <= next.length; i++) {
          const key = next.slice(i, i + n).join(',');
          if (i + n === next.length) repeats = grams.has(key);
          grams.add(key);
        }
        expect(repeatedNgramTokens(history, n).includes(token)).toBe(repeats);
      }),
    );
  });
});
