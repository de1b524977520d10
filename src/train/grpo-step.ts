/**
 * The jitted parts of a GRPO step, on fixed shapes (every batch has the same `N = prompts × group size`
 * sequences padded to the model's `targetLength`, so each function compiles once per run):
 *
 * - {@link createReferenceLogProbs}: per-token log-probabilities of the sampled answers under the frozen
 *   reference model (the SFT checkpoint), for the KL term;
 * - {@link createGrpoUpdate}: the GRPO loss ({@link grpoLoss}), its gradient, global-norm clipping and an AdamW
 *   update, returning the loss terms as diagnostics.
 *
 * Log-probabilities are taken under the distribution the sampler drew from: the grammar mask of each position
 * and the sampling temperature (as verl divides the actor's and the reference's logits by the temperature).
 */
import type { ModelConfig } from '../model/config.js';
import type { JaxArray, OwnedFunction } from '../model/jax.js';
import { grad, jit, np, tree, valueAndGrad } from '../model/jax.js';
import type { ModelParams } from '../model/params.js';
import { mapParams } from '../model/params.js';
import { forwardLogits } from '../model/transformer.js';
import type { AdamWOptions, AdamWState, StepScalars } from './adamw.js';
import { applyAdamW } from './adamw.js';
import type { ClipRange, LossAggregation } from './policy-loss.js';
import type { LossDenominators } from './policy-loss.js';
import { aggregateLoss, clippedPolicyLoss, lowVarKl, maskedMean, tokenLogProbs } from './policy-loss.js';

type Params = ModelParams<JaxArray>;

/** The sampled sequences of a step in the model's fixed layout, on the device. */
export type RolloutTensors = {
  /** `[N, patchCount, patchDim]` float32. */
  patches: JaxArray;
  /** `[N, promptLength + targetLength]` int32: aligned prompt, then the sampled tokens (PAD after them). */
  tokens: JaxArray;
  /** `[N, T]` float32, 0 on prompt padding. */
  keyValid: JaxArray;
  /** `[N, targetLength]` int32: the sampled tokens (PAD after them). */
  targets: JaxArray;
  /** `[N, targetLength]` int32: the grammar class each sampled token was drawn under. */
  classes: JaxArray;
  /** `[T, T]` float32 structure mask. */
  structure: JaxArray;
  /** `[classes, V]` float32 additive grammar masks. */
  classMasks: JaxArray;
};

/** What the loss needs beyond the sequences. */
export type GrpoTensors = RolloutTensors & {
  /** `[N, targetLength]` float32: 1 on sampled tokens that carry loss (0 on padding and on filtered groups). */
  mask: JaxArray;
  /** `[N, 1]` float32 sequence advantages. */
  advantages: JaxArray;
  /** `[N, targetLength]` float32 log-probabilities under the sampling policy. */
  oldLogProbs: JaxArray;
  /** `[N, targetLength]` float32 log-probabilities under the reference (ignored when `klCoef` is 0). */
  refLogProbs: JaxArray;
};

/** Fixed settings of the loss. */
export interface GrpoLossOptions {
  /** The sampling temperature, or one per grammar class (see `classTemperatures`). */
  readonly temperature: number | Float32Array;
  readonly clip: ClipRange;
  /** Weight of the KL-to-reference term (0 = no KL term). */
  readonly klCoef: number;
  readonly aggregation: LossAggregation;
}

/** Diagnostics of one update (scalars, masked token means). */
export type GrpoAux = {
  /** The policy-gradient part of the loss (aggregated like the loss). */
  pgLoss: JaxArray;
  /** Mean k3 KL to the reference per response token (0 without a KL term). */
  kl: JaxArray;
  /** Share of response tokens where the clipped branch was taken. */
  clipFraction: JaxArray;
  /** Mean entropy (nats) of the policy's per-token distribution. */
  entropy: JaxArray;
  /** Mean `log π_old − log π` (verl's `ppo_kl`): how far the policy has moved from the sampler. */
  approxKl: JaxArray;
};

function policyTokens(p: Params, b: RolloutTensors, c: ModelConfig, temperature: number | Float32Array): { logProbs: JaxArray; entropy: JaxArray } {
  const logits = forwardLogits(p, b.patches, b.tokens, b.keyValid, b.structure, c);
  // A temperature per grammar class becomes one per position, from each position's class.
  const perPosition = typeof temperature === 'number' ? temperature : np.take(np.array(temperature), b.classes.ref, 0);
  return tokenLogProbs(logits, b.targets, np.take(b.classMasks, b.classes, 0), perPosition);
}

/**
 * The GRPO loss: clipped surrogate + `klCoef` × k3 KL to the reference, aggregated over the masked tokens;
 * returns `[loss, aux]`. Consumes `b`.
 *
 * @example
 * const [loss, aux] = grpoLoss(params, batch, config, { temperature: 1, clip: { low: 0.2, high: 0.28 }, klCoef: 0.01, aggregation: 'token-mean' });
 */
export function grpoLoss(p: Params, b: GrpoTensors, c: ModelConfig, o: GrpoLossOptions, denominators?: LossDenominators): [JaxArray, GrpoAux] {
  const { mask, advantages, oldLogProbs, refLogProbs, ...rollout } = b;
  const tokens = denominators?.tokens;
  const shares = (): LossDenominators | undefined => (denominators === undefined ? undefined : { tokens: denominators.tokens.ref, sequences: denominators.sequences.ref });
  const { logProbs, entropy } = policyTokens(p, rollout, c, o.temperature);
  const approxKl = maskedMean(oldLogProbs.ref.sub(logProbs.ref), mask.ref, tokens?.ref);
  const surrogate = clippedPolicyLoss(logProbs.ref, oldLogProbs, advantages, o.clip);
  const clipFraction = maskedMean(surrogate.clipped, mask.ref, tokens?.ref);
  const pgLoss = aggregateLoss(surrogate.loss.ref, mask.ref, o.aggregation, shares());
  let total: JaxArray;
  let kl: JaxArray;
  if (o.klCoef > 0) {
    const perToken = lowVarKl(logProbs, refLogProbs);
    kl = maskedMean(perToken.ref, mask.ref, tokens?.ref);
    total = surrogate.loss.add(perToken.mul(o.klCoef));
  } else {
    logProbs.dispose();
    refLogProbs.dispose();
    kl = np.zeros([]);
    total = surrogate.loss;
  }
  const loss = aggregateLoss(total, mask.ref, o.aggregation, shares());
  const meanEntropy = maskedMean(entropy, mask, tokens?.ref);
  if (denominators !== undefined) tree.dispose(denominators);
  return [loss, { pgLoss, kl, clipFraction, entropy: meanEntropy, approxKl }];
}

/** What one update returns (all on the device). */
export type GrpoUpdateResult = { params: Params; state: AdamWState; loss: JaxArray; gradNorm: JaxArray; aux: GrpoAux };

/** A compiled GRPO update (consumes its arguments). */
export type GrpoUpdate = OwnedFunction<(params: Params, state: AdamWState, batch: GrpoTensors, s: StepScalars) => GrpoUpdateResult>;

/**
 * Build the jitted update: GRPO loss and gradient, global-norm clipping, AdamW (decoupled weight decay on
 * matrices only), the same update rule and state layout as `createTrainStep` in `adamw.ts`, so optimiser
 * moments are saved and resumed the same way.
 *
 * @example
 * const update = createGrpoUpdate(config, lossOptions, DEFAULT_ADAMW);
 * ({ params, state } = update(params, state, batch, stepScalars(lr, t, DEFAULT_ADAMW)));
 */
export function createGrpoUpdate(c: ModelConfig, lossOptions: GrpoLossOptions, o: AdamWOptions): GrpoUpdate {
  return jit((params: Params, state: AdamWState, batch: GrpoTensors, s: StepScalars): GrpoUpdateResult => {
    const [[value, aux], grads] = valueAndGrad((p: Params) => grpoLoss(p, batch, c, lossOptions), { hasAux: true })(tree.ref(params));
    const { params: next, state: nextState, gradNorm } = applyAdamW(params, state, grads as Params, s, o);
    return {
      params: next,
      state: nextState,
      loss: value as JaxArray,
      gradNorm,
      aux: aux as GrpoAux,
    };
  }) as unknown as GrpoUpdate;
}

/** What one micro-batch's gradient pass returns: the gradients added to the running sum, and its share of the loss and diagnostics. */
export type GrpoGradientResult = { grads: Params; loss: JaxArray; aux: GrpoAux };

/** A compiled micro-batch gradient pass (consumes its arguments). */
export type GrpoGradientStep = OwnedFunction<(params: Params, accumulated: Params, batch: GrpoTensors, denominators: LossDenominators) => GrpoGradientResult>;

/**
 * Build the jitted gradient pass of one micro-batch: the GRPO loss of `batch` over the whole batch's counts
 * (`denominators`), its gradient added to `accumulated`. The micro-batches' sums are the whole batch's loss and
 * gradient, which {@link createAdamWUpdate} then applies: the update a batch too large for one pass would get.
 *
 * @example
 * let grads = zeroGradients(params);
 * for (const batch of microBatches) ({ grads } = gradientStep(tree.ref(params), grads, batch, denominators()));
 * ({ params, state } = adamUpdate(params, state, grads, stepScalars(lr, t, adam)));
 */
export function createGrpoGradientStep(c: ModelConfig, lossOptions: GrpoLossOptions): GrpoGradientStep {
  return jit((params: Params, accumulated: Params, batch: GrpoTensors, denominators: LossDenominators): GrpoGradientResult => {
    const [[value, aux], grads] = valueAndGrad((p: Params) => grpoLoss(p, batch, c, lossOptions, denominators), { hasAux: true })(params);
    return { grads: tree.map((a: JaxArray, g: JaxArray) => a.add(g), accumulated, grads as Params) as Params, loss: value as JaxArray, aux: aux as GrpoAux };
  }) as unknown as GrpoGradientStep;
}

/** A compiled AdamW update from gradients (consumes its arguments). */
export type AdamWUpdate = OwnedFunction<(params: Params, state: AdamWState, grads: Params, s: StepScalars) => { params: Params; state: AdamWState; gradNorm: JaxArray }>;

/**
 * Build the jitted AdamW update of {@link createGrpoUpdate} from gradients computed elsewhere (summed micro-batches).
 *
 * @example
 * const adamUpdate = createAdamWUpdate(DEFAULT_ADAMW);
 */
export function createAdamWUpdate(o: AdamWOptions): AdamWUpdate {
  return jit((params: Params, state: AdamWState, grads: Params, s: StepScalars) => applyAdamW(params, state, grads, s, o)) as unknown as AdamWUpdate;
}

/**
 * Zero gradients shaped as `params` (does not consume them): the start of a micro-batch sum.
 *
 * @example
 * const grads = zeroGradients(params);
 */
export function zeroGradients(params: Params): Params {
  return mapParams(params, (p) => np.zerosLike(p.ref));
}

/** A compiled reference pass: per-token log-probabilities `[N, targetLength]` (consumes its arguments). */
export type ReferenceLogProbs = OwnedFunction<(params: Params, batch: RolloutTensors) => JaxArray>;

/**
 * Build the jitted log-probability pass used for the frozen reference model.
 *
 * @example
 * const refPass = createReferenceLogProbs(config, 1);
 * const refLogProbs = refPass(tree.ref(referenceParams), rolloutTensors);
 */
export function createReferenceLogProbs(c: ModelConfig, temperature: number | Float32Array): ReferenceLogProbs {
  return jit((params: Params, batch: RolloutTensors): JaxArray => {
    const { logProbs, entropy } = policyTokens(params, batch, c, temperature);
    entropy.dispose();
    return logProbs;
  }) as unknown as ReferenceLogProbs;
}

/** Sequences with a loss mask `[N, targetLength]` and one advantage per sequence `[N, 1]`. */
export type PolicyGradientTensors = RolloutTensors & { mask: JaxArray; advantages: JaxArray };

/** A compiled policy-gradient pass: the gradient of {@link createPolicyGradient}'s loss (consumes its arguments). */
export type PolicyGradient = OwnedFunction<(params: Params, batch: PolicyGradientTensors) => Params>;

/**
 * Build the jitted gradient of `−Σ A·log π(token) / Σ mask` over the masked tokens: GRPO's policy-gradient term at
 * the sampling policy (the first of the μ updates, where the importance ratio is 1 and the clip is inactive, has
 * exactly this gradient), and with the ground-truth answer as the sequence and A = 1, the gradient of supervised
 * fine-tuning's log-likelihood. Log-probabilities are under the grammar masks and `temperature`, as in the loss.
 *
 * @example
 * const gradient = createPolicyGradient(config, 1);
 * const grads = gradient(tree.ref(params), { ...rollout, mask, advantages });
 */
export function createPolicyGradient(c: ModelConfig, temperature: number | Float32Array): PolicyGradient {
  return jit((params: Params, batch: PolicyGradientTensors): Params => {
    const { mask, advantages, ...rollout } = batch;
    const loss = (p: Params): JaxArray => {
      const { logProbs, entropy } = policyTokens(p, rollout, c, temperature);
      entropy.dispose();
      return aggregateLoss(logProbs.mul(advantages).neg(), mask, 'token-mean');
    };
    return grad(loss)(params) as Params;
  }) as unknown as PolicyGradient;
}
