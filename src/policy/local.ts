/**
 * The local policy: the small VLA model of a checkpoint, run in-process (jax-js, wasm).
 *
 * Images are decoded with sharp and stretched to the model's input size; the instruction is tokenised with
 * the checkpoint's tokenizer and the task kind becomes the prompt's task token (the official suffix is
 * implied by it). Decoding is grammar-constrained, greedy unless a temperature is given.
 */
import { UserError } from '../errors.js';
import { encodePrompt } from '../model/answer-tokens.js';
import { Generator } from '../model/generate.js';
import { loadModelImage, patchify } from '../model/image.js';
import { disposeModel, loadModel } from '../model/load.js';
import type { GenerateOptions, Policy, PolicyRequest } from './types.js';

/** Options of {@link createLocalPolicy}. */
export interface LocalPolicyOptions {
  /** Largest batch generated at once. Default 64. */
  readonly batchSize?: number;
}

/**
 * A {@link Policy} backed by a local checkpoint (a checkpoint folder, or a training run folder holding
 * `checkpoint/`).
 *
 * @throws UserError naming the file when the checkpoint cannot be loaded.
 * @example
 * const policy = await createLocalPolicy('runs/demo/cot-sft');
 * const [answer] = await policy.generate([{ image, instruction: 'pick up the red mug.', kind: 'affordance' }]);
 * await policy.close();
 */
export async function createLocalPolicy(checkpointDir: string, options: LocalPolicyOptions = {}): Promise<Policy> {
  const model = await loadModel(checkpointDir);
  const generator = new Generator(model);
  const c = model.config;
  let closed = false;
  return {
    name: `local:${checkpointDir}`,
    async generate(requests: readonly PolicyRequest[], generateOptions: GenerateOptions = {}): Promise<string[]> {
      if (closed) throw new Error('local policy: generate() after close()');
      generateOptions.signal?.throwIfAborted();
      const inputs = await Promise.all(
        requests.map(async (r, i) => {
          let rgb: Uint8Array;
          try {
            rgb = await loadModelImage(r.image.bytes, c.imageSize);
          } catch (error: unknown) {
            throw new UserError(`request ${i}: image: ${(error as Error).message}`);
          }
          return {
            patches: patchify(rgb, c),
            prompt: encodePrompt(model.tokenizer, r.instruction, r.kind),
            kind: r.kind,
          };
        }),
      );
      generateOptions.signal?.throwIfAborted();
      const outs = await generator.generate(inputs, {
        temperature: generateOptions.temperature ?? 0,
        topP: generateOptions.topP ?? 1,
        ...(generateOptions.maxTokens !== undefined ? { maxTokens: generateOptions.maxTokens } : {}),
        seed: generateOptions.seed ?? 0,
        batchSize: options.batchSize ?? 64,
      });
      return outs.map((o) => o.text);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      generator.dispose();
      disposeModel(model);
    },
  };
}
