/**
 * AdamW with global-norm gradient clipping, fused with the loss and its gradient into one jitted step.
 *
 * Weight decay (decoupled, Loshchilov & Hutter) applies to matrices only (2-D tensors: projections,
 * embeddings, positions), not to biases or LayerNorm scales.
 */
import type { JaxArray, JsTree, OwnedFunction } from '../model/jax.js';
import { jit, np, tree, valueAndGrad } from '../model/jax.js';
import type { ModelParams } from '../model/params.js';
import { flattenParams, mapParams } from '../model/params.js';

/** Hyper-parameters fixed for a run. */
export interface AdamWOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Clip the global gradient norm to this value (Infinity = no clipping). */
  readonly maxGradNorm: number;
}

export const DEFAULT_ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 };

type Params = ModelParams<JaxArray>;

/** The optimiser state on the device. */
export type AdamWState = { m: Params; v: Params };

/** Zero moments shaped like `params` (does not consume `params`). */
export function zeroMoments(params: Params): AdamWState {
  return { m: mapParams(params, (p) => np.zerosLike(p.ref)), v: mapParams(params, (p) => np.zerosLike(p.ref)) };
}

/** What one step returns (all on the device). */
export type StepResult = { params: Params; state: AdamWState; loss: JaxArray; gradNorm: JaxArray };

/** Per-step scalars: learning rate and the bias corrections `1 - β^t`. */
export type StepScalars = { lr: JaxArray; correction1: JaxArray; correction2: JaxArray };

/** Host values of {@link StepScalars} for step `t` (1-based). */
export function stepScalars(lr: number, t: number, o: AdamWOptions): StepScalars {
  return {
    lr: np.array(lr),
    correction1: np.array(1 - o.beta1 ** t),
    correction2: np.array(1 - o.beta2 ** t),
  };
}

/** A compiled training step (consumes its arguments). */
export type TrainStep<B> = OwnedFunction<(params: Params, state: AdamWState, batch: B, s: StepScalars) => StepResult>;

/**
 * Build a jitted training step for a scalar loss `loss(params, batch)`: value and gradient, global-norm
 * clipping, AdamW update. Consumes params, state, batch and scalars; returns the new ones.
 *
 * @example
 * const step = createTrainStep((p, b) => sftLoss(p, b, structure, config), DEFAULT_ADAMW);
 * ({ params, state } = step(params, state, batch, stepScalars(lr, t, DEFAULT_ADAMW)));
 */
export function createTrainStep<B extends JsTree<JaxArray>>(loss: (p: Params, batch: B) => JaxArray, o: AdamWOptions): TrainStep<B> {
  return jit((params: Params, state: AdamWState, batch: B, s: StepScalars): StepResult => {
    const [value, grads] = valueAndGrad((p: Params) => loss(p, batch))(tree.ref(params));
    const { params: next, state: nextState, gradNorm } = applyAdamW(params, state, grads as Params, s, o);
    return {
      params: next,
      state: nextState,
      loss: value,
      gradNorm,
    };
  }) as unknown as TrainStep<B>;
}

/**
 * One AdamW update from gradients (inside a traced step): global-norm clipping, bias-corrected moments,
 * decoupled weight decay on matrices only. Consumes `params`, `state`, `grads` and the scalars; the new
 * moments follow the params' own tree (optional parameters included).
 *
 * @example
 * const { params: next, state: moments, gradNorm } = applyAdamW(params, state, grads, scalars, DEFAULT_ADAMW);
 */
export function applyAdamW(params: Params, state: AdamWState, grads: Params, s: StepScalars, o: AdamWOptions): { params: Params; state: AdamWState; gradNorm: JaxArray } {
  const g = new Map(flattenParams(grads));
  const m0 = new Map(flattenParams(state.m));
  const v0 = new Map(flattenParams(state.v));
  const norm = np.sqrt([...g.values()].map((x) => np.square(x.ref).sum()).reduce((a, b) => a.add(b)));
  const clip = Number.isFinite(o.maxGradNorm) ? np.minimum(np.reciprocal(norm.ref.add(1e-6)).mul(o.maxGradNorm), 1) : np.array(1);
  const m = new Map<string, JaxArray>();
  const v = new Map<string, JaxArray>();
  const next = mapParams(params, (p, name) => {
    const gi = (g.get(name) as JaxArray).mul(clip.ref);
    const mi = (m0.get(name) as JaxArray).mul(o.beta1).add(gi.ref.mul(1 - o.beta1));
    const vi = (v0.get(name) as JaxArray).mul(o.beta2).add(np.square(gi).mul(1 - o.beta2));
    m.set(name, mi.ref);
    v.set(name, vi.ref);
    const update = mi.div(s.correction1.ref).div(np.sqrt(vi.div(s.correction2.ref)).add(o.eps));
    const decayed = p.ndim >= 2 && o.weightDecay > 0 ? p.mul(s.lr.ref.mul(-o.weightDecay).add(1)) : p;
    return decayed.sub(update.mul(s.lr.ref));
  });
  clip.dispose();
  tree.dispose([s.lr, s.correction1, s.correction2]);
  return { params: next, state: { m: mapParams(next, (_, n) => m.get(n) as JaxArray), v: mapParams(next, (_, n) => v.get(n) as JaxArray) }, gradNorm: norm };
}
