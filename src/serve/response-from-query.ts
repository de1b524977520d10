/**
 * The shortest tail of the prompt we accept as an anchor when the full prompt is not in the query
 * (left-truncated prompts, tokenizer round trips that changed an early character).
 */
export const MIN_PROMPT_TAIL = 32;

/**
 * The response part of an OpenRLHF query.
 *
 * OpenRLHF sends `query` = the decoded prompt + response (special tokens kept) and `prompts` = the
 * prompt alone. Scoring the whole query would be wrong for VLA-R1: its prompt contains an `<output>`
 * template (`<output>{"x": value, …}</output>`), which would be the *first* `<output>` match and never
 * parses, so every answer would score 0. The response is therefore:
 *
 * 1. the query after the prompt, when the query starts with it (the normal case; an empty prompt
 *    gives the whole query);
 * 2. otherwise the query after the **last** occurrence of the prompt (e.g. padding or a BOS token
 *    before it). The last one, because the prompt cannot follow the response; a response that
 *    repeats the prompt verbatim loses the part up to the repeat, which only happens with (1) failed;
 * 3. otherwise the query after the last occurrence of the longest tail of the prompt that occurs in
 *    it, if that tail has at least {@link MIN_PROMPT_TAIL} characters (or is the whole prompt);
 * 4. otherwise `undefined`: the caller reports which query did not contain its prompt.
 *
 * Trailing special tokens such as `<|im_end|>` stay in the response; they cannot change the score
 * (the reward looks for the first `<output>…</output>` and a `<think>…</think>` anywhere).
 *
 * @example
 * responseFromQuery('<|im_start|>user\nQ<output>T</output><|im_end|>\n<|im_start|>assistant\nA',
 *                   '<|im_start|>user\nQ<output>T</output><|im_end|>\n<|im_start|>assistant\n'); // 'A'
 */
export function responseFromQuery(query: string, prompt: string): string | undefined {
  if (query.startsWith(prompt)) return query.slice(prompt.length);
  const at = query.lastIndexOf(prompt);
  if (at >= 0) return query.slice(at + prompt.length);
  const tail = longestOccurringTail(query, prompt);
  if (tail === 0 || tail < Math.min(MIN_PROMPT_TAIL, prompt.length)) return undefined;
  const anchor = prompt.slice(prompt.length - tail);
  return query.slice(query.lastIndexOf(anchor) + tail);
}

/**
 * Length of the longest suffix of `prompt` that occurs somewhere in `query`. Occurrence is monotone
 * in the suffix length (a suffix of an occurring string occurs too), so a binary search finds it.
 */
function longestOccurringTail(query: string, prompt: string): number {
  let lo = 0;
  let hi = prompt.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (query.includes(prompt.slice(prompt.length - mid))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
