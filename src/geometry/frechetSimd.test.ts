import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frechetBlockRows, frechetCells, frechetSimdAvailable, frechetSimdRows } from './frechetSimd.js';
import { pyMax, pyMin3 } from './pythonMath.js';

/** The official recurrence over one m × n cost matrix (row-major), Python's max/min. */
function reference(cost: readonly number[], m: number, n: number): number {
  let prev: number[] = [];
  for (let i = 0; i < m; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      const c = cost[i * n + j]!;
      if (i === 0 && j === 0) row.push(c);
      else if (i === 0) row.push(pyMax(row[j - 1]!, c));
      else if (j === 0) row.push(pyMax(prev[0]!, c));
      else row.push(pyMax(pyMin3(prev[j]!, prev[j - 1]!, row[j - 1]!), c));
    }
    prev = row;
  }
  return prev[n - 1]!;
}

/** Both recurrences with the SIMD loop, `rowsPerCall` rows at a time; returns [first lane, second lane]. */
function simd(first: readonly number[], second: readonly number[], m: number, n: number, rowsPerCall: number): [number, number] {
  const block = Math.min(rowsPerCall, frechetBlockRows(n));
  const cells = frechetCells();
  for (let i = 0; i < m; i += block) {
    const count = Math.min(block, m - i);
    for (let k = 0; k < count * n; k++) {
      cells[2 * n + 2 * k] = first[i * n + k]!;
      cells[2 * n + 2 * k + 1] = second[i * n + k]!;
    }
    frechetSimdRows(count, n, i === 0);
  }
  return [cells[2 * n - 2]!, cells[2 * n - 1]!];
}

const matrix = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }))
  .chain(([m, n]) =>
    fc.tuple(
      fc.constant(m),
      fc.constant(n),
      fc.array(fc.oneof(fc.double({ min: 0, max: 4, noNaN: true }), fc.constantFrom(0, 1, 2, NaN, Infinity)), { minLength: m * n, maxLength: m * n }),
      fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { minLength: m * n, maxLength: m * n }),
      fc.integer({ min: 1, max: 9 }),
    ),
  );

describe('frechetSimdRows', () => {
  it('is available in Node', () => {
    expect(frechetSimdAvailable()).toBe(true);
  });

  it('computes both recurrences exactly as Python does (NaN included), in one block or several', () => {
    fc.assert(
      fc.property(matrix, ([m, n, first, second, rowsPerCall]) => {
        const [a, b] = simd(first, second, m, n, rowsPerCall);
        expect(Object.is(a, reference(first, m, n))).toBe(true);
        expect(Object.is(b, reference(second, m, n))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('handles rows longer than a block (the memory grows)', () => {
    const m = 3;
    const n = 5000;
    const cost = Array.from({ length: m * n }, (_, k) => ((k * 7919) % 1000) / 1000);
    const [a] = simd(cost, cost, m, n, m);
    expect(a).toBe(reference(cost, m, n));
  });
});
