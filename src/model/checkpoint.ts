/**
 * Checkpoints: a folder holding
 *
 * - `config.json`: format tag, model shape ({@link ModelConfigSchema}), answer grammar, free-form `info`;
 * - `tokenizer.json`;
 * - `model.safetensors`: the weights (float32, names like `blocks.0.qkvWeight`);
 * - optionally `optimizer.safetensors` (AdamW moments, `m.<name>` / `v.<name>`) and `trainer-state.json`
 *   (step, RNG state, data cursor…; its schema belongs to the trainer).
 *
 * Saving is atomic: everything is written to a temporary sibling folder which is then renamed into place
 * (the previous checkpoint is moved aside first and deleted last). Loading validates every file and throws a
 * {@link UserError} naming the file and what is wrong.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { ModelConfigSchema } from './config.js';
import type { ModelConfig } from './config.js';
import type { GrammarOptions } from './grammar.js';
import { shapeMismatch } from './model.js';
import type { HostTensor, ModelParams } from './params.js';
import { flattenParams, optionalParamsOf, unflattenParams } from './params.js';
import type { NamedTensor } from './safetensors.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { Tokenizer } from './tokenizer.js';

export const CHECKPOINT_FORMAT = 'vla-r1-checkpoint/1';

const CheckpointConfigSchema = z
  .object({
    format: z.literal(CHECKPOINT_FORMAT),
    model: ModelConfigSchema,
    grammar: z.object({ maxPoints: z.number().int().min(1), thinking: z.boolean() }).strict(),
    info: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** The `config.json` of a checkpoint. */
export interface CheckpointConfig {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly model: ModelConfig;
  readonly grammar: GrammarOptions;
  /** Free-form facts about how the weights were made (stage, steps, data…). */
  readonly info: Record<string, unknown>;
}

/** Adam moments, one tree per moment. */
export interface OptimizerMoments {
  readonly m: ModelParams<HostTensor>;
  readonly v: ModelParams<HostTensor>;
}

/** Everything a checkpoint folder holds. */
export interface Checkpoint {
  readonly config: CheckpointConfig;
  readonly tokenizer: Tokenizer;
  readonly params: ModelParams<HostTensor>;
  readonly optimizer?: OptimizerMoments;
  readonly trainerState?: unknown;
}

const FILES = {
  config: 'config.json',
  tokenizer: 'tokenizer.json',
  weights: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  trainer: 'trainer-state.json',
} as const;

function toMap(params: ModelParams<HostTensor>, prefix = ''): Map<string, NamedTensor> {
  return new Map(flattenParams(params).map(([name, t]) => [prefix + name, t]));
}

/**
 * Write a checkpoint folder atomically (replacing any previous one at `dir`).
 *
 * @example
 * await saveCheckpoint('runs/demo/sft', { config, tokenizer, params });
 */
export async function saveCheckpoint(dir: string, ckpt: Checkpoint): Promise<void> {
  const parent = dirname(dir);
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const temp = join(parent, `.${basename(dir)}.${tag}.tmp`);
  const old = join(parent, `.${basename(dir)}.${tag}.old`);
  try {
    await mkdir(temp, { recursive: true });
    await writeFile(join(temp, FILES.config), `${JSON.stringify(ckpt.config, null, 2)}\n`);
    await writeFile(join(temp, FILES.tokenizer), `${JSON.stringify(ckpt.tokenizer.toJSON())}\n`);
    await writeFile(join(temp, FILES.weights), encodeSafetensors(toMap(ckpt.params), { producer: 'vla-r1' }));
    if (ckpt.optimizer) {
      const moments = new Map([...toMap(ckpt.optimizer.m, 'm.'), ...toMap(ckpt.optimizer.v, 'v.')]);
      await writeFile(join(temp, FILES.optimizer), encodeSafetensors(moments, { producer: 'vla-r1' }));
    }
    if (ckpt.trainerState !== undefined) await writeFile(join(temp, FILES.trainer), `${JSON.stringify(ckpt.trainerState, null, 2)}\n`);
    const existed = await exists(dir);
    if (existed) await rename(dir, old);
    await rename(temp, dir);
    if (existed) await rm(old, { recursive: true, force: true });
  } catch (error: unknown) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    if (!(await exists(dir)) && (await exists(old))) await rename(old, dir).catch(() => undefined);
    throw new UserError(`${dir}: cannot write checkpoint: ${(error as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The checkpoint folder a user path names: the folder itself when it holds `config.json`, or its
 * `checkpoint/` subfolder (a training run's output folder).
 *
 * @throws UserError when neither holds a checkpoint.
 */
export async function resolveCheckpointDir(path: string): Promise<string> {
  if (await exists(join(path, FILES.config))) return path;
  if (await exists(join(path, 'checkpoint', FILES.config))) return join(path, 'checkpoint');
  throw new UserError(`${path}: not a checkpoint (no ${FILES.config} in it or in ${join(path, 'checkpoint')})`);
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file}: missing` : `${file}: cannot read: ${(error as Error).message}`);
  }
}

async function readJson(file: string): Promise<unknown> {
  const text = Buffer.from(await readBytes(file)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    throw new UserError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return `${path === '' ? '' : `${path}: `}${issue.message}`;
}

function readTensors(file: string, bytes: Uint8Array): Map<string, NamedTensor> {
  try {
    return decodeSafetensors(bytes).tensors;
  } catch (error: unknown) {
    throw new UserError(`${file}: ${(error as Error).message}`);
  }
}

function treeFrom(file: string, tensors: Map<string, NamedTensor>, c: ModelConfig, prefix: string): ModelParams<HostTensor> {
  const used = new Set<string>();
  const tree = unflattenParams(c.nLayers, (name) => {
    const t = tensors.get(prefix + name);
    if (!t) throw new UserError(`${file}: tensor ${prefix + name} is missing`);
    used.add(prefix + name);
    return t;
  }, optionalParamsOf(c));
  const extra = [...tensors.keys()].find((k) => k.startsWith(prefix) && !used.has(k));
  if (extra !== undefined) throw new UserError(`${file}: unexpected tensor ${extra} (the config has ${c.nLayers} layers)`);
  const mismatch = shapeMismatch(tree, c);
  if (mismatch !== undefined) throw new UserError(`${file}: ${mismatch}`);
  return tree;
}

/**
 * Read and validate a checkpoint folder (or a run folder holding `checkpoint/`).
 *
 * @param options.training also read the optimizer moments and trainer state when present.
 * @throws UserError naming the file and the problem.
 */
export async function loadCheckpoint(path: string, options: { training?: boolean } = {}): Promise<Checkpoint> {
  const dir = await resolveCheckpointDir(path);
  const configFile = join(dir, FILES.config);
  const parsedConfig = CheckpointConfigSchema.safeParse(await readJson(configFile));
  if (!parsedConfig.success) throw new UserError(`${configFile}: ${zodMessage(parsedConfig.error)}`);
  const config: CheckpointConfig = parsedConfig.data;

  const tokenizerFile = join(dir, FILES.tokenizer);
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromJSON(await readJson(tokenizerFile));
  } catch (error: unknown) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${tokenizerFile}: ${error instanceof z.ZodError ? zodMessage(error) : (error as Error).message}`);
  }
  if (tokenizer.vocabSize !== config.model.vocabSize) {
    throw new UserError(`${tokenizerFile}: the tokenizer has ${tokenizer.vocabSize} tokens, ${configFile} says vocabSize ${config.model.vocabSize}`);
  }

  const weightsFile = join(dir, FILES.weights);
  const params = treeFrom(weightsFile, readTensors(weightsFile, await readBytes(weightsFile)), config.model, '');
  if (!options.training) return { config, tokenizer, params };

  const optimizerFile = join(dir, FILES.optimizer);
  const trainerFile = join(dir, FILES.trainer);
  let optimizer: OptimizerMoments | undefined;
  if (await exists(optimizerFile)) {
    const tensors = readTensors(optimizerFile, await readBytes(optimizerFile));
    optimizer = { m: treeFrom(optimizerFile, tensors, config.model, 'm.'), v: treeFrom(optimizerFile, tensors, config.model, 'v.') };
  }
  const trainerState = (await exists(trainerFile)) ? await readJson(trainerFile) : undefined;
  return { config, tokenizer, params, ...(optimizer ? { optimizer } : {}), ...(trainerState !== undefined ? { trainerState } : {}) };
}

/** The file names inside a checkpoint folder. */
export const CHECKPOINT_FILES = FILES;
