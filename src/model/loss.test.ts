import { describe, expect, it } from 'vitest';
import { np, ready } from './jax.js';
import { coordinatePlaces, gatherLogProbs, perceptionLoss, targetLogLikelihood } from './loss.js';

describe('loss helpers', () => {
  it('gathers log-probabilities, optionally under an additive mask', async () => {
    await ready();
    const logits = np.array(new Float32Array([0, 1, 2, 0, 0, 0])).reshape([1, 2, 3]);
    const targets = np.array(new Int32Array([2, 1]), { dtype: np.int32 }).reshape([1, 2]);
    const lp = (await gatherLogProbs(logits.ref, targets.ref).data()) as Float32Array;
    const z = Math.log(1 + Math.E + Math.E ** 2);
    expect(lp[0]).toBeCloseTo(2 - z, 5);
    expect(lp[1]).toBeCloseTo(-Math.log(3), 5);
    const mask = np.array(new Float32Array([-1e9, 0, 0, -1e9, 0, -1e9])).reshape([1, 2, 3]);
    const masked = (await gatherLogProbs(logits, targets, mask).data()) as Float32Array;
    expect(masked[0]).toBeCloseTo(2 - Math.log(Math.E + Math.E ** 2), 5);
    expect(masked[1]).toBeCloseTo(0, 5);
  });

  it('places x bins, y bins and other tokens far apart', () => {
    const places = coordinatePlaces({ vocabSize: 10, coordinateOffset: 2, coordinateBins: 3 });
    expect(Array.from(places)).toEqual([1e6, 1e6, 0, 1, 2, 10000, 10001, 10002, 1e6, 1e6]);
  });

  it('scores a coordinate target against a Gaussian over its neighbouring bins', async () => {
    await ready();
    // vocabulary: 2 other tokens, x bins 0..3 (ids 2..5), y bins 0..3 (ids 6..9)
    const places = coordinatePlaces({ vocabSize: 10, coordinateOffset: 2, coordinateBins: 4 });
    const raw = [0.5, -1, 2, 0.1, -0.3, 1, 0, 0.2, 0.4, -2];
    const logits = np.array(new Float32Array([...raw, ...raw])).reshape([1, 2, 10]);
    const targets = np.array(new Int32Array([3, 1]), { dtype: np.int32 }).reshape([1, 2]);
    const targetPlaces = np.array(new Float32Array([1, -1])).reshape([1, 2]);
    const ll = (await targetLogLikelihood(logits, targets, { places: np.array(places.subarray(2, 10)), offset: 2, targetPlaces, sigma: 1 }).data()) as Float32Array;
    const z = Math.log(raw.reduce((a, b) => a + Math.exp(b), 0));
    const g = [0, 1, 2, 3].map((b) => Math.exp(-((b - 1) ** 2) / 2));
    const sum = g.reduce((a, b) => a + b, 0);
    const expected = g.reduce((acc, w, b) => acc + (w / sum) * ((raw[2 + b] as number) - z), 0);
    expect(ll[0]).toBeCloseTo(expected, 5);
    expect(ll[1]).toBeCloseTo(-1 - z, 5);
  });

  it('averages the cross-entropy of the labelled patch words and ignores the unlabelled ones', async () => {
    await ready();
    // 1 image, 2 patches, 3 label words, 2 labels per patch
    const raw = [0, 1, 2, 1, 1, 1];
    const logits = np.array(new Float32Array(raw)).reshape([1, 2, 3]);
    const tokens = np.array(new Int32Array([2, 0, 1, 0]), { dtype: np.int32 }).reshape([1, 2, 2]);
    const weights = np.array(new Float32Array([1, 1, 1, 0])).reshape([1, 2, 2]);
    const loss = ((await perceptionLoss(logits, tokens, weights).data()) as Float32Array)[0] as number;
    const z = Math.log(1 + Math.E + Math.E ** 2);
    expect(loss).toBeCloseTo(-((2 - z) + (0 - z) + -Math.log(3)) / 3, 5);
  });

  it('is 0 when no patch is labelled (no NaN)', async () => {
    await ready();
    const logits = np.array(new Float32Array([0, 1, 2])).reshape([1, 1, 3]);
    const tokens = np.array(new Int32Array([0]), { dtype: np.int32 }).reshape([1, 1, 1]);
    const loss = ((await perceptionLoss(logits, tokens, np.zeros([1, 1, 1])).data()) as Float32Array)[0];
    expect(loss).toBe(0);
  });
});
