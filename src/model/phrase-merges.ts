/**
 * Phrase merges: byte-pair-encoding style merges over the word pieces of `splitPieces`, learned from the
 * training texts, so that the fixed phrases of templated rationales ("The instruction asks me to", " of the
 * image") become single tokens. Numbers are never merged with their neighbours (they stay atomic, so the
 * model can learn them as values).
 *
 * Training is incremental (pair counts are updated around each merge), so a few hundred merges over a few
 * thousand rationales take well under a second.
 */

/** True for number pieces (` 0.42`, `12`), which take no part in merges. */
export function isNumberPiece(piece: string): boolean {
  return /^ ?[0-9]/.test(piece);
}

/** Options of {@link learnMerges}. */
export interface MergeOptions {
  /** At most this many merges. */
  readonly maxMerges: number;
  /** Stop when the most frequent pair occurs fewer times than this. */
  readonly minCount: number;
}

/**
 * Learn merges (in order) from texts already cut into pieces.
 *
 * @example
 * learnMerges([['a', ' b', ' c'], ['a', ' b']], { maxMerges: 1, minCount: 2 }); // [['a', ' b']]
 */
export function learnMerges(sequences: readonly (readonly string[])[], options: MergeOptions): [string, string][] {
  // Symbols as ids; positions in one flat array with links; -1 ends a sequence.
  const ids = new Map<string, number>();
  const names: string[] = [];
  const id = (s: string): number => {
    let v = ids.get(s);
    if (v === undefined) {
      v = names.length;
      ids.set(s, v);
      names.push(s);
    }
    return v;
  };
  const total = sequences.reduce((n, s) => n + s.length, 0);
  const sym = new Int32Array(total);
  const next = new Int32Array(total).fill(-1);
  const prev = new Int32Array(total).fill(-1);
  const alive = new Uint8Array(total);
  let at = 0;
  for (const seq of sequences) {
    seq.forEach((p, i) => {
      sym[at + i] = id(p);
      alive[at + i] = 1;
      if (i > 0) prev[at + i] = at + i - 1;
      if (i < seq.length - 1) next[at + i] = at + i + 1;
    });
    at += seq.length;
  }
  const numeric = (s: number): boolean => isNumberPiece(names[s] as string);
  const key = (a: number, b: number): number => a * 1048576 + b;
  const pairName = (k: number): string => `${names[Math.floor(k / 1048576)]}\u0000${names[k % 1048576]}`;
  const counts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const add = (pos: number, delta: number): void => {
    const n = next[pos] as number;
    if (n < 0) return;
    const a = sym[pos] as number;
    const b = sym[n] as number;
    if (numeric(a) || numeric(b)) return;
    const k = key(a, b);
    counts.set(k, (counts.get(k) ?? 0) + delta);
    let set = where.get(k);
    if (!set) where.set(k, (set = new Set()));
    if (delta > 0) set.add(pos);
    else set.delete(pos);
  };
  for (let p = 0; p < total; p++) add(p, 1);

  const merges: [string, string][] = [];
  while (merges.length < options.maxMerges) {
    let best = -1;
    let bestCount = 0;
    for (const [k, c] of counts) {
      if (c <= 0) {
        counts.delete(k);
        where.delete(k);
        continue;
      }
      if (c > bestCount || (c === bestCount && pairName(k) < pairName(best))) {
        best = k;
        bestCount = c;
      }
    }
    if (best < 0 || bestCount < options.minCount) break;
    const a = Math.floor(best / 1048576);
    const b = best % 1048576;
    const merged = id(`${names[a]}${names[b]}`);
    merges.push([names[a] as string, names[b] as string]);
    const positions = [...(where.get(best) ?? [])].sort((x, y) => x - y);
    for (const p of positions) {
      const q = next[p] as number;
      if (!alive[p] || q < 0 || sym[p] !== a || sym[q] !== b) continue;
      const pp = prev[p] as number;
      if (pp >= 0) add(pp, -1);
      add(p, -1);
      add(q, -1);
      sym[p] = merged;
      alive[q] = 0;
      const qn = next[q] as number;
      next[p] = qn;
      if (qn >= 0) prev[qn] = p;
      if (pp >= 0) add(pp, 1);
      add(p, 1);
    }
    counts.delete(best);
    where.delete(best);
  }
  return merges;
}

/**
 * Applies learned merges to pieces, as BPE encoding does: repeatedly merge the adjacent pair of lowest rank.
 *
 * @example
 * new MergeEncoder([['a', ' b']]).apply(['a', ' b', ' c']); // ['a b', ' c']
 */
export class MergeEncoder {
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];
  /** pair key → rank * 2^20 + merged symbol id (rank first, so smaller is better). */
  readonly #rules = new Map<number, number>();

  constructor(merges: readonly (readonly [string, string])[]) {
    merges.forEach(([a, b], rank) => {
      const k = this.#id(a) * 1048576 + this.#id(b);
      if (!this.#rules.has(k)) this.#rules.set(k, rank * 1048576 + this.#id(a + b));
    });
  }

  #id(s: string): number {
    let v = this.#ids.get(s);
    if (v === undefined) {
      v = this.#names.length;
      this.#ids.set(s, v);
      this.#names.push(s);
    }
    return v;
  }

  /** Merge pieces (pieces never seen in a merge pass through unchanged). */
  apply(pieces: readonly string[]): string[] {
    if (this.#rules.size === 0) return [...pieces];
    const seq = pieces.map((p) => this.#ids.get(p) ?? -1);
    let n = seq.length;
    for (;;) {
      let best = Infinity;
      for (let i = 0; i + 1 < n; i++) {
        const a = seq[i] as number;
        const b = seq[i + 1] as number;
        if (a < 0 || b < 0) continue;
        const rule = this.#rules.get(a * 1048576 + b);
        if (rule !== undefined && rule < best) best = rule;
      }
      if (best === Infinity) break;
      const merged = best % 1048576;
      let w = 0;
      for (let r = 0; r < n; r++) {
        const a = seq[r] as number;
        if (r + 1 < n && a >= 0 && (seq[r + 1] as number) >= 0 && this.#rules.get(a * 1048576 + (seq[r + 1] as number)) === best) {
          seq[w++] = merged;
          r++;
        } else {
          seq[w++] = a;
        }
      }
      n = w;
    }
    const out: string[] = [];
    let src = 0;
    for (let i = 0; i < n; i++) {
      const s = seq[i] as number;
      if (s >= 0) {
        const name = this.#names[s] as string;
        out.push(name);
        // advance over the source pieces this symbol covers
        let covered = '';
        while (covered.length < name.length) covered += pieces[src++] as string;
      } else {
        out.push(pieces[src++] as string);
      }
    }
    return out;
  }
}
