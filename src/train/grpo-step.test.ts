import { beforeAll, describe, expect, it } from 'vitest';
import { ModelConfigSchema, sequenceLength, TINY_MODEL_SHAPE } from '../model/config.js';
import { classTemperatures, maskTable } from '../model/grammar.js';
import type { JaxArray } from '../model/jax.js';
import { np, ready, tree, valueAndGrad } from '../model/jax.js';
import { paramsToDevice } from '../model/model.js';
import type { ModelParams } from '../model/params.js';
import { flattenParams, initParams } from '../model/params.js';
import { Rng } from '../model/rng.js';
import { structureMask } from '../model/sequence-layout.js';
import { ANSWER, EOS, TASK_AFFORDANCE, Tokenizer } from '../model/tokenizer.js';
import { stepScalars, zeroMoments } from './adamw.js';
import type { SampledSequence } from './grpo-batch.js';
import { grpoTensors, hostRollouts, rolloutTensors } from './grpo-batch.js';
import type { GrpoLossOptions } from './grpo-step.js';
import { maskCounts, sliceRollouts } from './grpo-micro-batch.js';
import {
  createAdamWUpdate,
  createGrpoGradientStep,
  createGrpoUpdate,
  createPolicyGradient,
  createReferenceLogProbs,
  grpoLoss,
  zeroGradients,
} from './grpo-step.js';

beforeAll(() => ready());

// Vocabulary: 6 special tokens, 4 x bins (6–9), 4 y bins (10–13), then text pieces.
const tok = new Tokenizer({ format: 'vla-r1-tokenizer/1', coordinateBins: 4, pieces: ['a', 'b'] });
const [A, B] = [tok.textOffset, tok.textOffset + 1];
const config = ModelConfigSchema.parse({
  ...TINY_MODEL_SHAPE,
  vocabSize: tok.vocabSize,
  promptLength: 2,
  // one token longer than the answers, so the grammar's budget lets them reason one token before <answer>
  targetLength: 8,
});
const grammar = { maxPoints: 2, thinking: true };
const adam = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };
const lossOptions: GrpoLossOptions = { temperature: 1, clip: { low: 0.2, high: 0.28, dual: 3 }, klCoef: 0.01, aggregation: 'token-mean' };
const L = config.targetLength;
const T = sequenceLength(config);

// One prompt, two answers (one box each): a group of 2.
const patches = new Float32Array(4 * 48).map((_, i) => Math.sin(i));
const answers = [
  [A, ANSWER, 7, 11, 8, 12, EOS],
  [B, ANSWER, 6, 10, 9, 13, EOS],
];

const structure = (): JaxArray => np.array(structureMask(config)).reshape([T, T]);
const classMasks = (): JaxArray => {
  const m = maskTable(tok);
  return np.array(m).reshape([m.length / tok.vocabSize, tok.vocabSize]);
};

function sequences(logProbs: number[][]): SampledSequence[] {
  return answers.map((tokens, i) => ({ patches, prompt: [TASK_AFFORDANCE, A], kind: 'affordance', tokens, logProbs: logProbs[i] as number[] }));
}

/** Per-token log-probabilities of the two answers under `params` (does not consume `params`). */
async function logProbsOf(params: ModelParams<JaxArray>, temperature: number | Float32Array = 1): Promise<number[][]> {
  const pass = createReferenceLogProbs(config, temperature);
  const host = hostRollouts(sequences(answers.map((a) => new Array<number>(a.length).fill(0))), config, grammar, tok);
  const lp = Array.from((await pass(tree.ref(params), rolloutTensors(host, config, structure(), classMasks())).data()) as Float32Array);
  pass.dispose();
  return answers.map((a, i) => lp.slice(i * L, i * L + a.length));
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('GRPO log-probabilities with a temperature per grammar class', () => {
  it('equal the single temperature when the classes share it, and change only the rationale steps otherwise', async () => {
    const params = paramsToDevice(initParams(config, new Rng(5)));
    const plain = await logProbsOf(params, 1);
    expect(await logProbsOf(params, classTemperatures(1, 1))).toEqual(plain);
    const colder = await logProbsOf(params, classTemperatures(1, 0.5));
    answers.forEach((tokens, i) => {
      const answerAt = tokens.indexOf(ANSWER);
      tokens.forEach((_, t) => {
        const [a, b] = [colder[i]?.[t] as number, plain[i]?.[t] as number];
        if (t > answerAt) expect(a).toBeCloseTo(b, 6); // the answer's steps keep temperature 1
      });
      // the reasoning steps before <answer> (which is forced, log-prob 0 either way) are rescored
      expect(tokens.slice(0, answerAt).some((_, t) => Math.abs((colder[i]?.[t] as number) - (plain[i]?.[t] as number)) > 1e-4)).toBe(answerAt > 0);
    });
    tree.dispose(params);
  });
});

describe('GRPO update', () => {
  it('raises the likelihood of the better answer and lowers the worse one; KL and clipping start at 0', async () => {
    const params = paramsToDevice(initParams(config, new Rng(3)));
    const reference = tree.ref(params);
    const before = await logProbsOf(params);
    // the final <eos> of a box is forced by the grammar (log-probability 0); the other tokens are choices
    for (const row of before) expect(row.map((lp) => lp < 0)).toEqual([true, true, true, true, true, true, false]);

    const host = hostRollouts(sequences(before), config, grammar, tok);
    const rollout = rolloutTensors(host, config, structure(), classMasks());
    const refPass = createReferenceLogProbs(config, 1);
    const refLogProbs = refPass(tree.ref(reference), tree.ref(rollout));
    const update = createGrpoUpdate(config, lossOptions, adam);
    const state = zeroMoments(params);
    const result = update(params, state, grpoTensors(rollout, config, host.mask, [1, -1], host.oldLogProbs, refLogProbs), stepScalars(1e-2, 1, adam));

    // ratio 1 everywhere: the surrogate is −A per token, which averages to 0 over the 7 + 7 tokens
    expect(((await result.loss.data()) as Float32Array)[0]).toBeCloseTo(0, 5);
    expect(((await result.aux.kl.data()) as Float32Array)[0]).toBeCloseTo(0, 6);
    expect(((await result.aux.approxKl.data()) as Float32Array)[0]).toBeCloseTo(0, 5);
    expect(((await result.aux.clipFraction.data()) as Float32Array)[0]).toBe(0);
    expect(((await result.aux.entropy.data()) as Float32Array)[0]).toBeGreaterThan(0);
    expect(((await result.gradNorm.data()) as Float32Array)[0]).toBeGreaterThan(0);

    const after = await logProbsOf(result.params);
    expect(sum(after[0] as number[])).toBeGreaterThan(sum(before[0] as number[]));
    expect(sum(after[1] as number[])).toBeLessThan(sum(before[1] as number[]));
    update.dispose();
    refPass.dispose();
    tree.dispose([result.params, result.state, reference]);
  });

  it('gives no gradient where the ratio is clipped (old log-probs 0.5 below, positive advantages)', async () => {
    const params = paramsToDevice(initParams(config, new Rng(4)));
    const before = await logProbsOf(params);
    const host = hostRollouts(sequences(before.map((row) => row.map((lp) => lp - 0.5))), config, grammar, tok);
    const rollout = rolloutTensors(host, config, structure(), classMasks());
    const update = createGrpoUpdate(config, { ...lossOptions, klCoef: 0 }, adam);
    const result = update(params, zeroMoments(params), grpoTensors(rollout, config, host.mask, [1, 1], host.oldLogProbs, np.zeros([2, L])), stepScalars(1e-2, 1, adam));
    // ratio e^0.5 = 1.65 > 1 + ε_high: every token takes the clipped, constant branch −A·1.28
    expect(((await result.loss.data()) as Float32Array)[0]).toBeCloseTo(-1.28, 5);
    expect(((await result.aux.clipFraction.data()) as Float32Array)[0]).toBe(1);
    expect(((await result.aux.approxKl.data()) as Float32Array)[0]).toBeCloseTo(-0.5, 4);
    expect(((await result.gradNorm.data()) as Float32Array)[0]).toBe(0);
    const after = await logProbsOf(result.params);
    expect(after).toEqual(before);
    update.dispose();
    tree.dispose([result.params, result.state]);
  });
});

/** Every leaf of a gradient tree in one array (consumes the tree). */
async function flat(grads: ModelParams<JaxArray>): Promise<number[]> {
  const datas = await Promise.all(flattenParams(grads).map(([, leaf]) => leaf.data()));
  return datas.flatMap((d: unknown) => Array.from(d as Float32Array));
}

describe('policy gradient', () => {
  async function policyGradient(params: ModelParams<JaxArray>, logProbs: number[][], advantages: number[]): Promise<number[]> {
    const host = hostRollouts(sequences(logProbs), config, grammar, tok);
    const rollout = rolloutTensors(host, config, structure(), classMasks());
    const gradient = createPolicyGradient(config, 1);
    const mask = np.array(host.mask).reshape([2, L]);
    const grads = gradient(tree.ref(params), { ...rollout, mask, advantages: np.array(Float32Array.from(advantages)).reshape([2, 1]) });
    gradient.dispose();
    return flat(grads);
  }

  it("is the gradient of GRPO's loss at the sampling policy (ratio 1, no KL term)", async () => {
    const params = paramsToDevice(initParams(config, new Rng(6)));
    const current = await logProbsOf(params);
    const ours = await policyGradient(params, current, [1, -1]);
    const host = hostRollouts(sequences(current), config, grammar, tok);
    const batch = grpoTensors(rolloutTensors(host, config, structure(), classMasks()), config, host.mask, [1, -1], host.oldLogProbs, np.zeros([2, L]));
    const [[value, aux], grads] = valueAndGrad((p: ModelParams<JaxArray>) => grpoLoss(p, batch, config, { ...lossOptions, klCoef: 0 }), { hasAux: true })(
      tree.ref(params),
    );
    tree.dispose([value, aux]);
    const theirs = await flat(grads as ModelParams<JaxArray>);
    expect(ours.length).toBe(theirs.length);
    const scale = Math.max(...theirs.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    ours.forEach((g, k) => expect(Math.abs(g - (theirs[k] as number))).toBeLessThan(1e-4 * scale));
    tree.dispose(params);
  });

  it('is linear in the advantages, and zero without them', async () => {
    const params = paramsToDevice(initParams(config, new Rng(7)));
    const current = await logProbsOf(params);
    const once = await policyGradient(params, current, [1, -0.5]);
    const twice = await policyGradient(params, current, [2, -1]);
    const none = await policyGradient(params, current, [0, 0]);
    const scale = Math.max(...once.map(Math.abs));
    twice.forEach((g, k) => expect(Math.abs(g - 2 * (once[k] as number))).toBeLessThan(1e-5 * scale));
    expect(none.every((g) => g === 0)).toBe(true);
    tree.dispose(params);
  });
});

describe('micro-batched GRPO update', () => {
  it.each(['token-mean', 'seq-mean'] as const)('equals the one-pass update, loss and diagnostics (%s)', async (aggregation) => {
    const params = paramsToDevice(initParams(config, new Rng(8)));
    const reference = paramsToDevice(initParams(config, new Rng(9)));
    // the second answer is one token shorter in the mask, so the two rows weigh differently in each aggregation
    const host = hostRollouts(sequences(await logProbsOf(params)), config, grammar, tok);
    host.mask[L + 5] = 0;
    const options: GrpoLossOptions = { ...lossOptions, aggregation };
    const refPass = createReferenceLogProbs(config, 1);
    const rollout = (h = host): ReturnType<typeof rolloutTensors> => rolloutTensors(h, config, structure(), classMasks());
    const advantages = [0.7, -1.3];

    const update = createGrpoUpdate(config, options, adam);
    const whole = update(
      tree.ref(params),
      zeroMoments(params),
      grpoTensors(rollout(), config, host.mask, advantages, host.oldLogProbs, refPass(tree.ref(reference), rollout())),
      stepScalars(1e-2, 1, adam),
    );

    const gradientStep = createGrpoGradientStep(config, options);
    const counts = maskCounts(host.mask, L);
    let grads = zeroGradients(params);
    let loss = 0;
    let kl = 0;
    let entropy = 0;
    for (const [a, b] of [
      [0, 1],
      [1, 2],
    ] as const) {
      const part = sliceRollouts(host, a, b);
      const batch = grpoTensors(rollout(part), config, part.mask, advantages.slice(a, b), part.oldLogProbs, refPass(tree.ref(reference), rollout(part)));
      const result = gradientStep(tree.ref(params), grads, batch, { tokens: np.array(counts.tokens), sequences: np.array(counts.sequences) });
      grads = result.grads;
      loss += ((await result.loss.data()) as Float32Array)[0] as number;
      kl += ((await result.aux.kl.data()) as Float32Array)[0] as number;
      entropy += ((await result.aux.entropy.data()) as Float32Array)[0] as number;
      tree.dispose([result.aux.pgLoss, result.aux.clipFraction, result.aux.approxKl]);
    }
    // the summed gradient is the one-pass gradient of the loss
    const oneBatch = grpoTensors(rollout(), config, host.mask, advantages, host.oldLogProbs, refPass(tree.ref(reference), rollout()));
    const [[value, aux], oneGrads] = valueAndGrad((p: ModelParams<JaxArray>) => grpoLoss(p, oneBatch, config, options), { hasAux: true })(tree.ref(params));
    tree.dispose([value, aux]);
    const [summedFlat, oneFlat] = await Promise.all([flat(tree.ref(grads)), flat(oneGrads as ModelParams<JaxArray>)]);
    const scale = Math.max(...oneFlat.map(Math.abs));
    summedFlat.forEach((g, k) => expect(Math.abs(g - (oneFlat[k] as number))).toBeLessThan(1e-5 * scale));

    const adamUpdate = createAdamWUpdate(adam);
    const summed = adamUpdate(tree.ref(params), zeroMoments(params), grads, stepScalars(1e-2, 1, adam));

    expect(loss).toBeCloseTo(((await whole.loss.data()) as Float32Array)[0] as number, 6);
    expect(kl).toBeCloseTo(((await whole.aux.kl.data()) as Float32Array)[0] as number, 6);
    expect(kl).toBeGreaterThan(0);
    expect(entropy).toBeCloseTo(((await whole.aux.entropy.data()) as Float32Array)[0] as number, 5);
    expect(((await summed.gradNorm.data()) as Float32Array)[0]).toBeCloseTo(((await whole.gradNorm.data()) as Float32Array)[0] as number, 5);
    const [after, expected] = await Promise.all([flat(summed.params), flat(whole.params)]);
    expect(after.length).toBe(expected.length);
    // AdamW's first step is about lr · g / (|g| + ε) per weight: where a gradient is within rounding of ε, the
    // summation order moves its step by a fraction of lr (1e-2); everywhere else the weights agree to rounding
    const moved = after.map((v, k) => Math.abs(v - (expected[k] as number)));
    expect(Math.max(...moved)).toBeLessThan(1e-2 * 1e-2);
    expect(moved.filter((d) => d > 1e-6).length).toBeLessThan(after.length / 100);
    update.dispose();
    gradientStep.dispose();
    adamUpdate.dispose();
    refPass.dispose();
    tree.dispose([params, reference, whole.state, summed.state, whole.aux.pgLoss, whole.aux.clipFraction, whole.aux.approxKl]);
  });
});
