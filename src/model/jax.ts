/**
 * The one entry point to the array engine (`@jax-js/jax`, wasm backend). Every model module imports jax
 * from here, so the Node 20 iterator-helper polyfill and the optional worker-thread shim are in place
 * before the engine is evaluated, and the engine can be swapped in one file.
 *
 * @example
 * import { np, ready } from './jax.js';
 * await ready();
 * np.ones([2, 2]).sum();
 */
import './worker-shim.js';
import './iterator-helpers.js';
import { defaultDevice, init } from '@jax-js/jax';

export {
  numpy as np,
  nn,
  lax,
  random,
  tree,
  jit,
  grad,
  valueAndGrad,
  vmap,
  blockUntilReady,
  type Array as JaxArray,
  type OwnedFunction,
  type JsTree,
} from '@jax-js/jax';
export { stopWorkerThreads, requestedThreads } from './worker-shim.js';

let initialised: Promise<void> | undefined;

/**
 * Initialise the wasm backend once and make it the default device.
 *
 * @example
 * await ready();
 */
export function ready(): Promise<void> {
  initialised ??= init('wasm').then((devices) => {
    if (!devices.includes('wasm')) throw new Error('jax-js: the wasm backend is not available');
    defaultDevice('wasm');
  });
  return initialised;
}
