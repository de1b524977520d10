import { describe, expect, it } from 'vitest';
import type { ModelConfig } from './config.js';
import { patchCount, patchDim, prefixLength, sequenceLength } from './config.js';
import type { JaxArray } from './jax.js';
import { jit, np, ready, tree } from './jax.js';
import { paramsToDevice } from './model.js';
import type { ModelParams } from './params.js';
import { initParams } from './params.js';
import { Rng } from './rng.js';
import { alignPrompt, keyValidity, structureMask } from './sequence-layout.js';
import type { LayerCache, PrefixCache } from './transformer.js';
import { decodeStep, emptyGenerationCache, forwardLogits, generatedPositionRow, prefill } from './transformer.js';

const baseConfig: ModelConfig = {
  imageSize: 8,
  patchSize: 4,
  dModel: 16,
  nLayers: 2,
  nHeads: 2,
  mlpRatio: 2,
  vocabSize: 20,
  promptLength: 4,
  targetLength: 5,
  coordinateBins: 6, // vocabulary: 6 special tokens, 2 × 6 coordinate tokens, 2 text pieces
};

describe('transformer', () => {
  it.each([
    { patchHidden: 0, pointerPrior: false },
    { patchHidden: 8, pointerPrior: false },
    { patchHidden: 0, pointerPrior: true },
    { patchHidden: 8, pointerPrior: true, patchContext: 2 },
    { patchHidden: 0, pointerPrior: false, answerPositions: true },
    { patchHidden: 8, pointerPrior: true, answerPositions: true },
  ])('KV-cache decoding gives the same logits as the teacher-forced forward pass (%o)', async ({ patchHidden, pointerPrior, patchContext, answerPositions }) => {
    await ready();
    const config: ModelConfig = {
      ...baseConfig,
      ...(patchHidden > 0 ? { patchHidden } : {}),
      ...(pointerPrior ? { pointerPrior } : {}),
      ...(patchContext !== undefined ? { patchContext } : {}),
      ...(answerPositions ? { answerPositions } : {}),
    };
    const rng = new Rng(7);
    // Larger weights than the default init so that mistakes in masking or positions show up clearly.
    const host = initParams(config, rng);
    for (const [, t] of Object.entries(host)) if (!Array.isArray(t)) t.data.forEach((v: number, i: number) => (t.data[i] = v * 20));
    // Answer positions unlike any absolute position, so that a row taken from the wrong table shows up.
    host.answerPositions?.data.forEach((_, i, a) => (a[i] = rng.normal()));
    const params = paramsToDevice(host);
    const B = 2;
    const Np = patchCount(config);
    const Pd = patchDim(config);
    const patches = Float32Array.from({ length: B * Np * Pd }, () => rng.normal());
    const prompts = [alignPrompt([3, 7, 8], config.promptLength), alignPrompt([4, 9], config.promptLength)];
    // `<answer>` (2) at different offsets, so that answer positions differ between the two sequences
    const targets = [
      [10, 2, 12, 13, 1],
      [14, 15, 2, 16, 1],
    ];
    const T = sequenceLength(config);
    const Tp = prefixLength(config);
    const tokens = Int32Array.from(prompts.flatMap((p, b) => [...p, ...(targets[b] as number[])]));
    const valid = new Float32Array(B * T);
    prompts.forEach((p, b) => valid.set(keyValidity(p, config, true), b * T));

    const full = forwardLogits(
      tree.ref(params),
      np.array(patches).reshape([B, Np, Pd]),
      np.array(tokens, { dtype: np.int32 }).reshape([B, -1]),
      np.array(valid).reshape([B, T]),
      np.array(structureMask(config)).reshape([T, T]),
      config,
    );
    const fullData = (await full.data()) as Float32Array;
    const V = config.vocabSize;
    const L = config.targetLength;

    const prefixValid = new Float32Array(B * Tp);
    prompts.forEach((p, b) => prefixValid.set(keyValidity(p, config, false), b * Tp));
    const first = prefill(
      tree.ref(params),
      np.array(patches).reshape([B, Np, Pd]),
      np.array(Int32Array.from(prompts.flat()), { dtype: np.int32 }).reshape([B, -1]),
      np.array(prefixValid).reshape([B, Tp]),
      config,
    );
    const step = jit((p: ModelParams<JaxArray>, pre: PrefixCache, gen: LayerCache, tok: JaxArray, s: JaxArray, v: JaxArray, rows: JaxArray) =>
      decodeStep(p, pre, gen, tok, s, v, rows, config),
    );
    const stepped: Float32Array[] = [(await first.logits.data()) as Float32Array];
    let gen = emptyGenerationCache(B, config);
    for (let t = 0; t < L - 1; t++) {
      const out = step(
        tree.ref(params),
        tree.ref(first.prefix),
        gen,
        np.array(Int32Array.from(targets.map((r) => r[t] as number)), { dtype: np.int32 }),
        np.array(t, { dtype: np.int32 }),
        np.array(prefixValid).reshape([B, Tp]),
        np.array(Int32Array.from(targets.map((r) => generatedPositionRow(t, r.indexOf(2) <= t ? r.indexOf(2) : -1, config))), { dtype: np.int32 }),
      );
      gen = out.generated;
      stepped.push((await out.logits.data()) as Float32Array);
    }
    for (let t = 0; t < L; t++) {
      for (let b = 0; b < B; b++) {
        for (let v = 0; v < V; v++) {
          const a = fullData[(b * L + t) * V + v] as number;
          const s = (stepped[t] as Float32Array)[b * V + v] as number;
          expect(Math.abs(a - s)).toBeLessThan(1e-3 * Math.max(1, Math.abs(a)));
        }
      }
    }
    step.dispose();
    tree.dispose([gen, first.prefix, params]);
  });
  it('answer positions restart at `<answer>`: they change the logits from the answer on, and none before it', async () => {
    await ready();
    const config: ModelConfig = { ...baseConfig, answerPositions: true };
    const host = initParams(config, new Rng(5));
    const rng = new Rng(6);
    const B = 1;
    const Np = patchCount(config);
    const Pd = patchDim(config);
    const T = sequenceLength(config);
    const patches = Float32Array.from({ length: B * Np * Pd }, () => rng.normal());
    const prompt = alignPrompt([3, 18, 19], config.promptLength);
    const tokens = Int32Array.from([...prompt, 10, 11, 2, 13, 1]); // `<answer>` fed at generated position 2
    const logits = async (answerRows: Float32Array): Promise<Float32Array> => {
      host.answerPositions?.data.set(answerRows);
      const params = paramsToDevice(host);
      const out = forwardLogits(
        params,
        np.array(patches).reshape([B, Np, Pd]),
        np.array(tokens, { dtype: np.int32 }).reshape([B, -1]),
        np.array(keyValidity(prompt, config, true)).reshape([B, T]),
        np.array(structureMask(config)).reshape([T, T]),
        config,
      );
      return (await out.data()) as Float32Array;
    };
    const size = config.targetLength * config.dModel;
    const a = await logits(Float32Array.from({ length: size }, () => rng.normal()));
    const b = await logits(new Float32Array(size));
    const V = config.vocabSize;
    const differs = (t: number): boolean => a.subarray(t * V, (t + 1) * V).some((v, i) => Math.abs(v - (b[t * V + i] as number)) > 1e-6);
    // logits at generated position t are computed at the input token of position t − 1 (t = 0: the last prompt token)
    expect([0, 1, 2, 3, 4].map(differs)).toEqual([false, false, false, true, true]);
  });

  it('the pointer prior moves only the coordinate logits', async () => {
    await ready();
    const host = initParams(baseConfig, new Rng(3));
    const B = 1;
    const Np = patchCount(baseConfig);
    const Pd = patchDim(baseConfig);
    const rng = new Rng(4);
    const patches = Float32Array.from({ length: B * Np * Pd }, () => rng.normal());
    const prompt = alignPrompt([3, 18, 19], baseConfig.promptLength);
    const tokens = Int32Array.from([...prompt, 10, 11, 12, 13, 1]);
    const T = sequenceLength(baseConfig);
    const run = async (config: ModelConfig): Promise<Float32Array> => {
      const logits = forwardLogits(
        paramsToDevice(host),
        np.array(patches).reshape([B, Np, Pd]),
        np.array(tokens, { dtype: np.int32 }).reshape([B, -1]),
        np.array(keyValidity(prompt, config, true)).reshape([B, T]),
        np.array(structureMask(config)).reshape([T, T]),
        config,
      );
      return (await logits.data()) as Float32Array;
    };
    const plain = await run(baseConfig);
    const withPrior = await run({ ...baseConfig, pointerPrior: true });
    const V = baseConfig.vocabSize;
    const coordinate = (v: number): boolean => v >= 6 && v < 6 + 2 * (baseConfig.coordinateBins ?? 0);
    let moved = 0;
    for (let i = 0; i < plain.length; i++) {
      const changed = Math.abs((plain[i] as number) - (withPrior[i] as number)) > 1e-6;
      if (!coordinate(i % V)) expect(changed).toBe(false);
      else if (changed) moved++;
    }
    expect(moved).toBeGreaterThan(0);
  });
});
