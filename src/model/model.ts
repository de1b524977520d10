/**
 * A loaded model: its shape, tokenizer, answer grammar and weights on the engine's device.
 */
import type { ModelConfig } from './config.js';
import type { GrammarOptions } from './grammar.js';
import type { JaxArray } from './jax.js';
import { np } from './jax.js';
import type { HostTensor, ModelParams } from './params.js';
import { flattenParams, mapParams, paramShapes } from './params.js';
import type { Tokenizer } from './tokenizer.js';

/** Everything needed to run the model. */
export interface VlaModel {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly grammar: GrammarOptions;
  /** Weights on the device (owned by the model; callers pass `tree.ref(model.params)` to consuming functions). */
  params: ModelParams<JaxArray>;
}

/** Move host tensors to the device. */
export function paramsToDevice(host: ModelParams<HostTensor>): ModelParams<JaxArray> {
  return mapParams(host, (t) => np.array(t.data).reshape([...t.shape]));
}

/** Read device weights back to the host (does not consume them). */
export async function paramsToHost(params: ModelParams<JaxArray>): Promise<ModelParams<HostTensor>> {
  const entries = flattenParams(params);
  const data = await Promise.all(entries.map(([, a]) => a.ref.data()));
  const byName = new Map(entries.map(([name, a], i) => [name, { shape: a.shape, data: Float32Array.from(data[i] as ArrayLike<number>) }]));
  return mapParams(params, (_, name) => byName.get(name) as HostTensor);
}

/** Check that host tensors have the shapes a config implies; returns the first mismatch as text. */
export function shapeMismatch(host: ModelParams<{ shape: readonly number[] }>, c: ModelConfig): string | undefined {
  const expected = new Map(flattenParams(paramShapes(c)));
  for (const [name, t] of flattenParams(host)) {
    const want = expected.get(name);
    if (want === undefined) return `unexpected tensor ${name}`;
    if (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) {
      return `tensor ${name} has shape [${t.shape.join(', ')}], the config needs [${want.join(', ')}]`;
    }
  }
  return undefined;
}
