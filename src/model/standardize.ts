/**
 * Zero-mean, unit-variance normalisation over the last axis (eps 1e-5), without an affine part: the core of
 * LayerNorm, also used on its own by the pointer head. Consumes `x`.
 */
import type { JaxArray } from './jax.js';
import { np } from './jax.js';

/**
 * `(x − mean) / √(var + 1e-5)` over the last axis.
 *
 * @example
 * standardize(np.array([1, 2, 3])); // ≈ [-1.2247, 0, 1.2247]
 */
export function standardize(x: JaxArray): JaxArray {
  const mean = x.ref.mean(-1, { keepdims: true });
  const centred = x.sub(mean);
  const variance = np.square(centred.ref).mean(-1, { keepdims: true });
  return centred.mul(np.reciprocal(np.sqrt(variance.add(1e-5))));
}
