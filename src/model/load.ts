/**
 * Loading a checkpoint folder into a runnable model.
 */
import { loadCheckpoint } from './checkpoint.js';
import { ready, tree } from './jax.js';
import type { VlaModel } from './model.js';
import { paramsToDevice } from './model.js';

/**
 * Read a checkpoint (or a run folder holding `checkpoint/`) and put its weights on the device.
 *
 * @throws UserError naming the file when the checkpoint is missing, malformed or inconsistent.
 * @example
 * const model = await loadModel('runs/demo/sft');
 * // … use it …
 * disposeModel(model);
 */
export async function loadModel(path: string): Promise<VlaModel> {
  const ckpt = await loadCheckpoint(path);
  await ready();
  return { config: ckpt.config.model, tokenizer: ckpt.tokenizer, grammar: ckpt.config.grammar, params: paramsToDevice(ckpt.params) };
}

/** Free a model's device weights. */
export function disposeModel(model: VlaModel): void {
  tree.dispose(model.params);
}
