import { beforeAll, describe, expect, it } from 'vitest';
import type { JaxArray } from '../model/jax.js';
import { np, ready } from '../model/jax.js';
import { aggregateLoss, clippedPolicyLoss, lowVarKl, maskedMean, tokenLogProbs } from './policy-loss.js';

beforeAll(() => ready());

async function values(a: JaxArray): Promise<number[]> {
  return Array.from((await a.data()) as Float32Array);
}

const clip = { low: 0.2, high: 0.28, dual: 3 };

describe('clippedPolicyLoss', () => {
  // Each column is one hand-computed case: log-ratio, advantage → loss, clipped.
  const cases = [
    { logRatio: 0.5, advantage: 1, loss: -1.28, clipped: 1 }, // ratio 1.6487 > 1.28: clipped above
    { logRatio: 0, advantage: -2, loss: 2, clipped: 0 }, // ratio 1: plain −A
    { logRatio: Math.log(0.5), advantage: 1, loss: -0.5, clipped: 0 }, // ratio 0.5, A > 0: the unclipped term is the max
    { logRatio: Math.log(5), advantage: -1, loss: 3, clipped: 0 }, // ratio 5, A < 0: 5, capped by the dual clip at 3
    { logRatio: Math.log(0.5), advantage: -1, loss: 0.8, clipped: 1 }, // ratio 0.5, A < 0: clipped to 0.8
    { logRatio: 0.3, advantage: 0, loss: 0, clipped: 0 },
  ];

  it('matches hand-computed losses and clip indicators', async () => {
    const { loss, clipped } = clippedPolicyLoss(
      np.array([cases.map((c) => c.logRatio)]),
      np.zeros([1, cases.length]),
      np.array([cases.map((c) => c.advantage)]),
      clip,
    );
    const l = await values(loss);
    cases.forEach((c, i) => expect(l[i]).toBeCloseTo(c.loss, 5));
    expect(await values(clipped)).toEqual(cases.map((c) => c.clipped));
  });

  it('without the dual clip keeps the pessimistic term for negative advantages', async () => {
    const { loss } = clippedPolicyLoss(np.array([[Math.log(5)]]), np.array([[0]]), np.array([[-1]]), { low: 0.2, high: 0.2, dual: Infinity });
    expect((await values(loss))[0]).toBeCloseTo(5, 5);
  });

  it('broadcasts sequence-level advantages [N, 1] over tokens', async () => {
    const { loss } = clippedPolicyLoss(np.zeros([2, 3]), np.zeros([2, 3]), np.array([[2], [-1]]), clip);
    expect(await values(loss)).toEqual([-2, -2, -2, 1, 1, 1]);
  });
});

describe('lowVarKl', () => {
  it('is the k3 estimator exp(d) − d − 1 with d = log π_ref − log π, clipped to 10', async () => {
    const kl = await values(lowVarKl(np.array([0, -1, -0.7, 0]), np.array([-1, 0, -0.7, 30])));
    expect(kl[0]).toBeCloseTo(Math.exp(-1), 6); // 0.367879
    expect(kl[1]).toBeCloseTo(Math.E - 2, 5); // 0.718282
    expect(kl[2]).toBe(0);
    expect(kl[3]).toBe(10);
  });
});

describe('aggregateLoss', () => {
  const loss = (): JaxArray => np.array([[1, 2], [3, 0], [7, 7]]);
  const mask = (): JaxArray => np.array([[1, 1], [1, 0], [0, 0]]);

  it('token-mean weighs every response token the same', async () => {
    expect(await values(aggregateLoss(loss(), mask(), 'token-mean'))).toEqual([2]);
  });

  it('seq-mean averages each sequence first and skips empty sequences', async () => {
    expect(await values(aggregateLoss(loss(), mask(), 'seq-mean'))).toEqual([2.25]);
  });

  it('gives 0 for an empty mask', async () => {
    expect(await values(aggregateLoss(loss(), np.zeros([3, 2]), 'token-mean'))).toEqual([0]);
    expect(await values(aggregateLoss(loss(), np.zeros([3, 2]), 'seq-mean'))).toEqual([0]);
    expect(await values(maskedMean(loss(), np.zeros([3, 2])))).toEqual([0]);
  });
});

describe('tokenLogProbs', () => {
  it('applies the grammar mask and the temperature like the sampler', async () => {
    const logits = (): JaxArray => np.array([[[1, 2, 3]]]);
    const mask = (): JaxArray => np.array([[[0, 0, -1e9]]]);
    const target = (): JaxArray => np.array([[1]], { dtype: np.int32 });
    const t1 = tokenLogProbs(logits(), target(), mask(), 1);
    expect((await values(t1.logProbs))[0]).toBeCloseTo(-0.3132617, 5); // log(e²/(e¹+e²))
    expect((await values(t1.entropy))[0]).toBeCloseTo(0.5822031, 5);
    const t2 = tokenLogProbs(logits(), target(), mask(), 2);
    expect((await values(t2.logProbs))[0]).toBeCloseTo(-0.474077, 5);
    expect((await values(t2.entropy))[0]).toBeCloseTo(0.6628473, 5);
    // A temperature per position ([N, L]) is that position's temperature.
    const perPosition = tokenLogProbs(logits(), target(), mask(), np.array([[2]]));
    expect((await values(perPosition.logProbs))[0]).toBeCloseTo(-0.474077, 5);
    const two = tokenLogProbs(np.array([[[1, 2, 3], [1, 2, 3]]]), np.array([[1, 1]], { dtype: np.int32 }), np.array([[[0, 0, -1e9], [0, 0, -1e9]]]), np.array([[1, 2]]));
    const [first, second] = await values(two.logProbs);
    expect(first).toBeCloseTo(-0.3132617, 5);
    expect(second).toBeCloseTo(-0.474077, 5);
  });
});
