import { describe, expect, it } from 'vitest';
import { nextBatch, startCursor } from './data-order.js';

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
});
