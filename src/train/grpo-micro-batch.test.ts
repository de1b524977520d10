import { describe, expect, it } from 'vitest';
import type { HostRollouts } from './grpo-batch.js';
import { maskCounts, microBatchRanges, sliceRollouts } from './grpo-micro-batch.js';

describe('microBatchRanges', () => {
  it('covers the rows in order with ranges of at most the size', () => {
    expect(microBatchRanges(5, 2)).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    expect(microBatchRanges(4, 4)).toEqual([[0, 4]]);
    expect(microBatchRanges(3, 10)).toEqual([[0, 3]]);
    expect(microBatchRanges(0, 3)).toEqual([]);
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => microBatchRanges(4, 0)).toThrow(/positive integer, got 0/);
    expect(() => microBatchRanges(4, 1.5)).toThrow(/got 1.5/);
  });
});

describe('maskCounts', () => {
  it('counts response tokens and the sequences that have any', () => {
    expect(maskCounts(Float32Array.of(1, 1, 0, 0, 1, 0), 2)).toEqual({ tokens: 3, sequences: 2 });
    expect(maskCounts(Float32Array.of(1, 1, 1, 1), 4)).toEqual({ tokens: 4, sequences: 1 });
  });

  it('is at least 1 of each, as the loss divides by them', () => {
    expect(maskCounts(new Float32Array(6), 3)).toEqual({ tokens: 1, sequences: 1 });
  });
});

describe('sliceRollouts', () => {
  // 3 rows: every array holds its row number in each of its columns
  const rows = <T extends Float32Array | Int32Array>(make: (n: number) => T, width: number): T => {
    const a = make(3 * width);
    for (let r = 0; r < 3; r++) a.fill(r, r * width, (r + 1) * width);
    return a;
  };
  const host: HostRollouts = {
    size: 3,
    patches: rows((n) => new Float32Array(n), 4),
    tokens: rows((n) => new Int32Array(n), 5),
    keyValid: rows((n) => new Float32Array(n), 6),
    targets: rows((n) => new Int32Array(n), 2),
    classes: rows((n) => new Int32Array(n), 2),
    mask: rows((n) => new Float32Array(n), 2),
    oldLogProbs: rows((n) => new Float32Array(n), 2),
  };

  it('takes rows [start, end) of every array, as views', () => {
    const part = sliceRollouts(host, 1, 3);
    expect(part.size).toBe(2);
    expect([...part.patches]).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect([...part.tokens]).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    expect([...part.keyValid]).toEqual([...new Array<number>(6).fill(1), ...new Array<number>(6).fill(2)]);
    for (const a of [part.targets, part.classes, part.mask, part.oldLogProbs]) expect([...a]).toEqual([1, 1, 2, 2]);
    expect(part.mask.buffer).toBe(host.mask.buffer);
  });

  it('rejects rows outside the rollouts, or none', () => {
    expect(() => sliceRollouts(host, 2, 4)).toThrow(/rows \[2, 4\) of 3/);
    expect(() => sliceRollouts(host, 1, 1)).toThrow(/rows \[1, 1\) of 3/);
  });
});
