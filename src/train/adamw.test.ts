import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../model/config.js';
import type { JaxArray } from '../model/jax.js';
import { np, ready, tree } from '../model/jax.js';
import { paramsToDevice, paramsToHost } from '../model/model.js';
import type { ModelParams } from '../model/params.js';
import { flattenParams, initParams } from '../model/params.js';
import { Rng } from '../model/rng.js';
import { createTrainStep, stepScalars, zeroMoments } from './adamw.js';

const baseConfig: ModelConfig = { imageSize: 4, patchSize: 2, dModel: 4, nLayers: 1, nHeads: 1, mlpRatio: 1, vocabSize: 5, promptLength: 1, targetLength: 2, coordinateBins: 0 };

describe('AdamW step', () => {
  it.each([0, 3])('matches a hand computation: clipping, bias correction, decoupled decay on matrices only (patch MLP width %i)', async (patchHidden) => {
    await ready();
    const config: ModelConfig = { ...baseConfig, ...(patchHidden > 0 ? { patchHidden } : {}) };
    const host = initParams(config, new Rng(1));
    const o = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 0.5 };
    // loss = sum over leaves of sum(p * c) with c = 1: gradient of every element is 1.
    const loss = (p: ModelParams<JaxArray>, scale: JaxArray): JaxArray =>
      flattenParams(p)
        .map(([, a]) => a.sum())
        .reduce((a, b) => a.add(b))
        .mul(scale);
    const step = createTrainStep(loss, o);
    let params = paramsToDevice(host);
    let state = zeroMoments(params);
    const lr = 0.01;
    for (let t = 1; t <= 2; t++) {
      const r = step(params, state, np.array(1), stepScalars(lr, t, o));
      params = r.params;
      state = r.state;
      const norm = (await r.gradNorm.data())[0] as number;
      const count = flattenParams(host).reduce((n, [, x]) => n + x.data.length, 0);
      expect(norm).toBeCloseTo(Math.sqrt(count), 3);
      r.loss.dispose();
    }
    // Clipped gradient g = 0.5 / sqrt(count) (1e-6 in the denominator aside), constant, so m̂ = g and v̂ = g²:
    // each step moves by lr · g / (g + eps) ≈ lr, and matrices are also scaled by (1 - lr·wd).
    const after = new Map(flattenParams(await paramsToHost(params)));
    for (const [name, before] of flattenParams(host)) {
      const now = after.get(name)?.data as Float32Array;
      const matrix = before.shape.length >= 2;
      for (let i = 0; i < Math.min(5, now.length); i++) {
        let expected = before.data[i] as number;
        for (let t = 0; t < 2; t++) expected = (matrix ? expected * (1 - lr * 0.1) : expected) - lr;
        expect(now[i]).toBeCloseTo(expected, 5);
      }
    }
    tree.dispose([params, state]);
    step.dispose();
  });
});
