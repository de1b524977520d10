import { describe, expect, it } from 'vitest';
import { bucketFor, epochBatches, lengthBuckets, nextBatch, startCursor } from './data-order.js';

describe('data order', () => {
  it('visits every example once per epoch in full batches, reshuffling each epoch', () => {
    let cursor = startCursor(3);
    const epochs: number[][] = [[], []];
    for (let i = 0; i < 6; i++) {
      const next = nextBatch(10, 3, cursor);
      epochs[i < 3 ? 0 : 1]?.push(...next.indices);
      cursor = next.cursor;
    }
    expect(cursor.epoch).toBe(1);
    for (const seen of epochs) {
      expect(seen).toHaveLength(9);
      expect(new Set(seen).size).toBe(9);
    }
    expect(epochs[0]).not.toEqual(epochs[1]);
  });

  it('is a pure function of the cursor, so a saved cursor resumes the same order', () => {
    let a = startCursor(7);
    const straight: number[][] = [];
    for (let i = 0; i < 7; i++) {
      const next = nextBatch(9, 2, a);
      straight.push(next.indices);
      a = next.cursor;
    }
    let b = startCursor(7);
    for (let i = 0; i < 3; i++) b = nextBatch(9, 2, b).cursor;
    const saved = JSON.parse(JSON.stringify(b)) as typeof b;
    const resumed: number[][] = straight.slice(0, 3);
    for (let i = 3; i < 7; i++) {
      const next = nextBatch(9, 2, i === 3 ? saved : b);
      resumed.push(next.indices);
      b = next.cursor;
    }
    expect(resumed).toEqual(straight);
  });

  it('groups similar lengths into a batch when lengths are given', () => {
    const lengths = Array.from({ length: 64 }, (_, i) => (i * 37) % 64);
    const { batches } = epochBatches(64, 4, startCursor(1).epochRng, lengths, 16);
    expect(batches).toHaveLength(16);
    expect(new Set(batches.flat()).size).toBe(64);
    // one chunk of 64 sorted by length: each batch spans 4 consecutive lengths
    for (const b of batches) {
      const ls = b.map((i) => lengths[i] as number);
      expect(Math.max(...ls) - Math.min(...ls)).toBe(3);
    }
    const order = batches.map((b) => Math.min(...b.map((i) => lengths[i] as number)));
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it('picks a few padded lengths covering the data', () => {
    expect(lengthBuckets([10, 12, 30, 31], 64, 2, 8)).toEqual([16, 32]);
    expect(lengthBuckets([10, 12, 30, 70], 64, 2, 8)).toEqual([16, 64]);
    expect(bucketFor(17, [16, 32])).toBe(32);
    expect(bucketFor(40, [16, 32])).toBe(32);
  });
});
