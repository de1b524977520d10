/**
 * A small, fast, seedable pseudo-random generator (sfc32, seeded through splitmix32) with the helpers the
 * procedural scenes need. Same seed ⇒ same sequence on every platform (pure 32-bit integer arithmetic).
 */

/** Mix a 32-bit integer into a well-spread 32-bit hash (splitmix32 finaliser). */
export function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Derive a sub-seed from a seed and a list of integer or string keys, so that sample `i` of split `s` gets its
 * own independent stream whatever order (or worker) generates it.
 *
 * @example
 * deriveSeed(42, 'train', 7) === deriveSeed(42, 'train', 7); // true
 * deriveSeed(42, 'train', 7) !== deriveSeed(42, 'test', 7);  // true
 */
export function deriveSeed(seed: number, ...keys: readonly (number | string)[]): number {
  let h = mix32(seed >>> 0);
  for (const key of keys) {
    if (typeof key === 'number') {
      h = mix32(h ^ mix32(key >>> 0));
    } else {
      for (let i = 0; i < key.length; i++) h = mix32(h ^ key.charCodeAt(i));
      h = mix32(h ^ key.length);
    }
  }
  return h;
}

/** A seeded generator of uniform floats, integers, choices, shuffles and normals. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    const s = seed >>> 0;
    this.a = mix32(s);
    this.b = mix32(s ^ 0x6a09e667);
    this.c = mix32(s ^ 0xbb67ae85);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /**
   * A uniform float in [lo, hi) (default [0, 1)).
   *
   * @example
   * const r = new Random(1); const v = r.float(2, 3); // 2 <= v < 3
   */
  float(lo = 0, hi = 1): number {
    return lo + (hi - lo) * (this.nextUint32() / 4294967296);
  }

  /**
   * A uniform integer in [lo, hi] (both inclusive).
   *
   * @example
   * new Random(1).int(1, 6); // a die roll
   */
  int(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`int: empty range [${lo}, ${hi}]`);
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  bool(p = 0.5): boolean {
    return this.float() < p;
  }

  /**
   * A uniformly chosen element of a non-empty array.
   *
   * @example
   * new Random(3).pick(['red', 'green', 'blue']);
   */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick: empty array');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** An element chosen with probability proportional to its weight (weights ≥ 0, not all 0). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    if (items.length === 0 || !(total > 0)) throw new RangeError('weighted: nothing to pick');
    let r = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /**
   * A shuffled copy (Fisher–Yates); the input is not modified.
   *
   * @example
   * new Random(5).shuffle([1, 2, 3, 4]); // a permutation of 1..4
   */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /**
   * A normal deviate with the given mean and standard deviation (Box–Muller, polar form).
   *
   * @example
   * new Random(9).normal(0, 0.01); // small jitter
   */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = this.float(-1, 1);
      v = this.float(-1, 1);
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + std * u * f;
  }
}
