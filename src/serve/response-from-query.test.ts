import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPrompt } from '../protocol/prompts.js';
import { MIN_PROMPT_TAIL, responseFromQuery } from './response-from-query.js';

const chatPrompt = (text: string): string =>
  `<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n${text}<|vision_start|><|image_pad|><|vision_end|><|im_end|>\n<|im_start|>assistant\n`;

describe('responseFromQuery', () => {
  const prompt = chatPrompt(buildPrompt('pick up the red mug by its handle.', 'affordance'));
  const answer = '<think>the handle is on the right</think> so, the answer is <output>{"x": 0.6, "y": 0.4, "width": 0.1, "height": 0.2}</output>';

  it('returns the text after the prompt when the query starts with it', () => {
    expect(responseFromQuery(prompt + answer + '<|im_end|>', prompt)).toBe(answer + '<|im_end|>');
  });

  it('returns the whole query for an empty prompt', () => {
    expect(responseFromQuery(answer, '')).toBe(answer);
  });

  it('uses the last occurrence of the prompt when something precedes it', () => {
    expect(responseFromQuery('<|endoftext|><|endoftext|>' + prompt + answer, prompt)).toBe(answer);
  });

  it('prefers the leading prompt even when the response repeats the prompt', () => {
    expect(responseFromQuery(prompt + 'echo: ' + prompt + answer, prompt)).toBe('echo: ' + prompt + answer);
  });

  it('falls back to the longest tail of a left-truncated prompt', () => {
    const truncated = prompt.slice(40);
    expect(responseFromQuery(truncated + answer, prompt)).toBe(answer);
  });

  it('falls back to the tail when an early character of the prompt changed in the round trip', () => {
    const altered = 'X' + prompt.slice(1);
    expect(responseFromQuery(altered + answer, prompt)).toBe(answer);
  });

  it('gives undefined when no tail of at least MIN_PROMPT_TAIL characters occurs', () => {
    expect(responseFromQuery(answer, prompt)).toBeUndefined();
    // the last 31 characters of the prompt occur, but that is below the threshold
    const shortTail = prompt.slice(prompt.length - (MIN_PROMPT_TAIL - 1));
    expect(responseFromQuery('zz' + shortTail + answer, 'Q'.repeat(100) + shortTail)).toBeUndefined();
    // exactly MIN_PROMPT_TAIL characters is enough
    const tail = prompt.slice(prompt.length - MIN_PROMPT_TAIL);
    expect(responseFromQuery('zz' + tail + answer, 'Q'.repeat(100) + tail)).toBe(answer);
  });

  it('accepts a short prompt whose full text occurs', () => {
    expect(responseFromQuery('xxABCyy', 'ABC')).toBe('yy');
  });

  it('property: prompt + response always gives the response back', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (p, r) => {
        expect(responseFromQuery(p + r, p)).toBe(r);
      }),
    );
  });

  it('property: the result, when defined, is a suffix of the query', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (q, p) => {
        const out = responseFromQuery(q, p);
        if (out !== undefined) expect(q.endsWith(out)).toBe(true);
      }),
    );
  });

  it('property: junk before the last occurrence of the prompt is skipped', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), fc.string(), (junk, p, r) => {
        const query = junk + p + r;
        // (a query that happens to start with the prompt is case 1, tested above)
        fc.pre(query.lastIndexOf(p) === junk.length && !query.startsWith(p));
        expect(responseFromQuery(query, p)).toBe(r);
      }),
      { numRuns: 1000 },
    );
  });
});
