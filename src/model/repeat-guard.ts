/**
 * Repetition guard for greedy reasoning: the tokens that would complete an n-gram already written (the
 * `no_repeat_ngram_size` rule of common generation libraries). An undertrained model decoded greedily can
 * fall into a loop ("picking up the green mug, picking up the green mug, …") until it runs out of tokens;
 * banning the repeat makes it move on. The training rationales never repeat a 6-token sequence.
 */

/** The n-gram size greedy decoding bans repeats of, by default. */
export const DEFAULT_NO_REPEAT_NGRAM = 6;

/**
 * The tokens that, appended to `history`, would repeat one of its `n`-grams: every token that followed an
 * earlier occurrence of the last `n − 1` tokens.
 *
 * @example
 * repeatedNgramTokens([1, 2, 3, 1, 2], 3); // [3]
 */
export function repeatedNgramTokens(history: readonly number[], n: number): number[] {
  const k = n - 1;
  const len = history.length;
  if (n < 1 || len < k) return [];
  const out: number[] = [];
  for (let start = 0; start + k < len; start++) {
    let match = true;
    for (let j = 0; j < k; j++) {
      if (history[start + j] !== history[len - k + j]) {
        match = false;
        break;
      }
    }
    if (match) out.push(history[start + k] as number);
  }
  return out;
}
