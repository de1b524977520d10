import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveSeed, mix32, Random } from './random.js';

describe('Random', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    const sb = Array.from({ length: 8 }, () => b.nextUint32());
    const sc = Array.from({ length: 8 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('pins the stream (a change here changes every generated dataset)', () => {
    const r = new Random(1);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([1561213105, 1672659099, 4017275699]);
    expect(mix32(0)).toBe(2462723854);
  });

  it('keeps float, int and pick inside their ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 50 }), (seed, lo, span) => {
        const r = new Random(seed);
        const f = r.float(lo, lo + span + 1);
        const i = r.int(lo, lo + span);
        const p = r.pick(['a', 'b', 'c']);
        return f >= lo && f < lo + span + 1 && Number.isInteger(i) && i >= lo && i <= lo + span && ['a', 'b', 'c'].includes(p);
      }),
    );
  });

  it('shuffles into a permutation without touching the input', () => {
    const input = [1, 2, 3, 4, 5, 6, 7];
    const out = new Random(9).shuffle(input);
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect([...out].sort((x, y) => x - y)).toEqual(input);
  });

  it('draws normals with about the right mean and spread', () => {
    const r = new Random(5);
    const xs = Array.from({ length: 20000 }, () => r.normal(2, 0.5));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(sd).toBeCloseTo(0.5, 1);
  });

  it('picks by weight and never picks a zero weight', () => {
    const r = new Random(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3000; i++) counts[r.weighted(['a', 'b', 'c'] as const, [1, 0, 3])]++;
    expect(counts.b).toBe(0);
    expect(counts.c / counts.a).toBeGreaterThan(2.4);
    expect(counts.c / counts.a).toBeLessThan(3.6);
  });
});

describe('deriveSeed', () => {
  it('separates splits and indices and is stable', () => {
    expect(deriveSeed(1, 'train', 0)).toBe(deriveSeed(1, 'train', 0));
    const seen = new Set<number>();
    for (const split of ['train', 'test', 'ood']) for (let i = 0; i < 200; i++) seen.add(deriveSeed(1, split, i));
    expect(seen.size).toBe(600);
  });
});
