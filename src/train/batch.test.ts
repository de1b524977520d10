import { describe, expect, it } from 'vitest';
import { np, ready } from '../model/jax.js';
import { selectionMatrix } from './batch.js';

describe('selectionMatrix', () => {
  it('picks the columns of the given token ids, in order', async () => {
    await ready();
    const selection = selectionMatrix(Int32Array.of(3, 0), 4);
    expect(selection.shape).toEqual([4, 2]);
    // a [2, 4] "head" times the selection gives its columns 3 and 0
    const head = np.array(new Float32Array([0, 1, 2, 3, 10, 11, 12, 13])).reshape([2, 4]);
    expect(Array.from((await np.matmul(head, selection).data()) as Float32Array)).toEqual([3, 0, 13, 10]);
  });

  it('rejects an empty list and ids outside the vocabulary', () => {
    expect(() => selectionMatrix(new Int32Array(0), 3)).toThrow(/no token ids/);
    expect(() => selectionMatrix(Int32Array.of(3), 3)).toThrow(/token 3 is outside the vocabulary of 3/);
    expect(() => selectionMatrix(Int32Array.of(-1), 3)).toThrow(RangeError);
  });
});
