import { describe, expect, it } from 'vitest';
import { encodePrompt } from './answer-tokens.js';
import type { ModelConfig } from './config.js';
import { TINY_MODEL_SHAPE, patchCount, patchDim } from './config.js';
import { Generator } from './generate.js';
import { ready } from './jax.js';
import { paramsToDevice } from './model.js';
import { initParams } from './params.js';
import { Rng } from './rng.js';
import { ANSWER, Tokenizer } from './tokenizer.js';

const tokenizer = Tokenizer.train(['the cup is red', 'the red cup is on the table', 'reach the cup'], { coordinateBins: 16, minCount: 1 });
const config: ModelConfig = {
  ...TINY_MODEL_SHAPE,
  vocabSize: tokenizer.vocabSize,
  promptLength: 6,
  targetLength: 40,
  coordinateBins: tokenizer.coordinateBins,
};

async function generator(seed: number): Promise<Generator> {
  await ready();
  return new Generator({ config, tokenizer, grammar: { maxPoints: 3, thinking: true }, params: paramsToDevice(initParams(config, new Rng(seed))) });
}

const patches = (fill: number): Float32Array => new Float32Array(patchCount(config) * patchDim(config)).fill(fill);
const inputs = [0.1, 0.5, 0.9].flatMap((v) => [
  { patches: patches(v), prompt: encodePrompt(tokenizer, 'reach the cup', 'trajectory'), kind: 'trajectory' as const },
  { patches: patches(v), prompt: encodePrompt(tokenizer, 'reach the cup', 'affordance'), kind: 'affordance' as const },
]);

/** The reasoning tokens of a completion (before `<answer>`). */
function reasoning(tokens: readonly number[]): number[] {
  const end = tokens.findIndex((t) => !tokenizer.isText(t) && !tokenizer.isCoordinate(t));
  return tokens.slice(0, end < 0 ? tokens.length : end);
}

describe('Generator sampling with a reasoning temperature', () => {
  it('is the plain sampling when it equals the temperature, and a colder rationale is surer of itself', async () => {
    const gen = await generator(4);
    const plain = await gen.generate(inputs, { temperature: 1, seed: 9 });
    const same = await gen.generate(inputs, { temperature: 1, reasoningTemperature: 1, seed: 9 });
    expect(same.map((o) => o.tokens)).toEqual(plain.map((o) => o.tokens));
    expect(same.map((o) => o.logProbs)).toEqual(plain.map((o) => o.logProbs));
    // mean −log p of the sampled rationale words
    const surprisal = (outs: typeof plain): number => {
      let sum = 0;
      let count = 0;
      for (const o of outs) {
        o.tokens.forEach((t, i) => {
          if (tokenizer.isText(t)) {
            sum -= o.logProbs[i] as number;
            count++;
          }
        });
      }
      return sum / Math.max(1, count);
    };
    const many = [...inputs, ...inputs, ...inputs];
    const cold = await gen.generate(many, { temperature: 1, reasoningTemperature: 0.25, seed: 9 });
    const warm = await gen.generate(many, { temperature: 1, seed: 9 });
    expect(surprisal(cold)).toBeLessThan(surprisal(warm));
    gen.dispose();
  });
});

describe('Generator sampling with a greedy answer', () => {
  it('samples the rationale as plain sampling does, and answers it as greedy decoding would', async () => {
    const gen = await generator(6);
    const many = [...inputs, ...inputs];
    let answers = 0;
    for (const [i, input] of many.entries()) {
      // one sequence per call, so that the sampler's draws of the rationale come before any of its answer
      const [plain] = await gen.generate([input], { temperature: 1.5, seed: i, noRepeatNgram: 0 });
      const [o] = await gen.generate([input], { temperature: 1.5, seed: i, answerDecoding: 'greedy', noRepeatNgram: 0 });
      if (o === undefined || plain === undefined) throw new Error('no output');
      const r = reasoning(o.tokens);
      expect(r).toEqual(reasoning(plain.tokens));
      expect(o.logProbs.slice(0, r.length)).toEqual(plain.logProbs.slice(0, r.length));
      expect(o.finished).toBe(true);
      if (o.tokens.length > r.length + 1) answers++;
    }
    expect(answers).toBeGreaterThan(0);
    // With a budget of 6 tokens only an answer fits (the rationale is empty): sampled answers vary with the
    // seed, greedy ones are greedy decoding's whatever the seed.
    const short = { temperature: 1.5, maxTokens: 6, noRepeatNgram: 0 };
    const greedy = (await gen.generate(many, { maxTokens: 6 })).map((o) => o.text);
    const sampledTexts = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const answered = await gen.generate(many, { ...short, seed, answerDecoding: 'greedy' });
      expect(answered.map((o) => o.text)).toEqual(greedy);
      expect(answered.every((o) => o.tokens[0] === ANSWER)).toBe(true);
      sampledTexts.add(JSON.stringify((await gen.generate(many, { ...short, seed })).map((o) => o.text)));
    }
    expect(sampledTexts.size).toBe(3);
    gen.dispose();
  });
});

describe('Generator greedy decoding', () => {
  it('never repeats an n-gram ending in a text or coordinate token while reasoning, with the guard on', async () => {
    for (const seed of [1, 2, 3]) {
      const gen = await generator(seed);
      const outs = await gen.generate(inputs, { noRepeatNgram: 2 });
      for (const o of outs) {
        const r = reasoning(o.tokens);
        const seen = new Set<string>();
        for (let i = 0; i + 2 <= r.length; i++) {
          const key = `${r[i]},${r[i + 1]}`;
          expect(seen.has(key)).toBe(false);
          seen.add(key);
        }
      }
      gen.dispose();
    }
  });

  it('ends reasoning in time to write a whole answer, however short the token budget', async () => {
    const gen = await generator(7);
    for (const maxTokens of [6, 9, 12, 40]) {
      for (const temperature of [0, 1.5]) {
        const outs = await gen.generate(inputs, { maxTokens, temperature, seed: 3, noRepeatNgram: 0 });
        for (const o of outs) {
          expect(o.tokens.length).toBeLessThanOrEqual(maxTokens);
          expect(o.finished).toBe(true);
          expect(o.text).toMatch(/<output>.+<\/output>$/);
        }
      }
    }
    gen.dispose();
  });

  it('decodes box coordinates by mode and trajectory coordinates by expectation by default', async () => {
    const gen = await generator(5);
    const byDefault = await gen.generate(inputs);
    const byMode = await gen.generate(inputs, { coordinates: 'mode' });
    const byExpectation = await gen.generate(inputs, { coordinates: 'expectation' });
    inputs.forEach((input, i) => {
      expect(byDefault[i]?.text).toBe((input.kind === 'affordance' ? byMode : byExpectation)[i]?.text);
    });
    gen.dispose();
  });
});
