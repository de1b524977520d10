import type { ModelConfig } from './config.js';
import { patchDim, prefixLength, sequenceLength } from './config.js';
import type { Rng } from './rng.js';

/** The weights of one pre-LN transformer block; weights are stored `[in, out]` and applied as `x @ W + b`. */
export type BlockParams<T> = {
  ln1Scale: T;
  ln1Bias: T;
  qkvWeight: T;
  qkvBias: T;
  outWeight: T;
  outBias: T;
  ln2Scale: T;
  ln2Bias: T;
  mlpInWeight: T;
  mlpInBias: T;
  mlpOutWeight: T;
  mlpOutBias: T;
};

/** All weights of the model, generic over the leaf type (device arrays, host tensors, shapes). */
export type ModelParams<T> = {
  /** Patch embedding: `[patchDim, dModel]`, or `[patchDim, patchHidden]` when the config has a hidden layer. */
  patchWeight: T;
  patchBias: T;
  /** Second layer of the patch embedding `[patchHidden, dModel]` (only when the config's `patchHidden` > 0). */
  patchOutWeight?: T;
  patchOutBias?: T;
  positions: T;
  tokenEmbedding: T;
  /** Projects the pooled prompt embedding into a conditioning vector added at every position. */
  promptWeight: T;
  /** Per-token pooling scores of the prompt (softmax over the prompt's tokens). */
  promptScore: T;
  /** Pointer head: query projection of generated states (see `pointer-head.ts`). */
  pointerQuery: T;
  /** Pointer head: key projection of the final image-patch states. */
  pointerKey: T;
  blocks: BlockParams<T>[];
  finalScale: T;
  finalBias: T;
  headWeight: T;
  /** Position embeddings of the answer, by offset from `<answer>` `[targetLength, dModel]` (only when the config's `answerPositions`). */
  answerPositions?: T;
};

/** A tensor on the host: shape and row-major float32 data. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

const BLOCK_KEYS = [
  'ln1Scale',
  'ln1Bias',
  'qkvWeight',
  'qkvBias',
  'outWeight',
  'outBias',
  'ln2Scale',
  'ln2Bias',
  'mlpInWeight',
  'mlpInBias',
  'mlpOutWeight',
  'mlpOutBias',
] as const satisfies readonly (keyof BlockParams<unknown>)[];

const TOP_KEYS = ['patchWeight', 'patchBias', 'positions', 'tokenEmbedding', 'promptWeight', 'promptScore', 'pointerQuery', 'pointerKey'] as const;
const TAIL_KEYS = ['finalScale', 'finalBias', 'headWeight'] as const;
const PATCH_HIDDEN_KEYS = ['patchOutWeight', 'patchOutBias'] as const;

/** Which optional parameters a tree has (see {@link unflattenParams}). */
export interface OptionalParams {
  /** The patch embedding's second layer (`patchHidden` > 0). */
  readonly patchHidden?: boolean;
  /** The answer's own position embeddings (`answerPositions`). */
  readonly answerPositions?: boolean;
}

/** The optional parameters a config asks for. */
export function optionalParamsOf(c: ModelConfig): OptionalParams {
  return { patchHidden: (c.patchHidden ?? 0) > 0, answerPositions: c.answerPositions === true };
}

/**
 * The parameter shapes of a config.
 *
 * @example
 * paramShapes(config).blocks[0]?.qkvWeight; // [dModel, 3 * dModel]
 */
export function paramShapes(c: ModelConfig): ModelParams<number[]> {
  const d = c.dModel;
  const h = d * c.mlpRatio;
  const block = (): BlockParams<number[]> => ({
    ln1Scale: [d],
    ln1Bias: [d],
    qkvWeight: [d, 3 * d],
    qkvBias: [3 * d],
    outWeight: [d, d],
    outBias: [d],
    ln2Scale: [d],
    ln2Bias: [d],
    mlpInWeight: [d, h],
    mlpInBias: [h],
    mlpOutWeight: [h, d],
    mlpOutBias: [d],
  });
  const hidden = c.patchHidden ?? 0;
  return {
    patchWeight: [patchDim(c), hidden > 0 ? hidden : d],
    patchBias: [hidden > 0 ? hidden : d],
    ...(hidden > 0 ? { patchOutWeight: [hidden, d], patchOutBias: [d] } : {}),
    positions: [sequenceLength(c), d],
    tokenEmbedding: [c.vocabSize, d],
    promptWeight: [d, d],
    promptScore: [c.vocabSize],
    pointerQuery: [d, d],
    pointerKey: [d, d],
    blocks: Array.from({ length: c.nLayers }, block),
    finalScale: [d],
    finalBias: [d],
    headWeight: [d, c.vocabSize],
    ...(c.answerPositions === true ? { answerPositions: [c.targetLength, d] } : {}),
  };
}

/**
 * Flatten a parameter tree to `[name, leaf]` pairs in a fixed order, with safetensors-style names
 * (`patchWeight`, `blocks.0.qkvWeight`, …).
 */
export function flattenParams<T>(p: ModelParams<T>): [string, T][] {
  const out: [string, T][] = TOP_KEYS.map((k) => [k, p[k]]);
  for (const k of PATCH_HIDDEN_KEYS) {
    const leaf = p[k];
    if (leaf !== undefined) out.push([k, leaf]);
  }
  p.blocks.forEach((b, i) => {
    for (const k of BLOCK_KEYS) out.push([`blocks.${i}.${k}`, b[k]]);
  });
  for (const k of TAIL_KEYS) out.push([k, p[k]]);
  if (p.answerPositions !== undefined) out.push(['answerPositions', p.answerPositions]);
  return out;
}

/**
 * Rebuild a parameter tree from named leaves; `get` is called once per expected name (and for the optional
 * parameters `optional` names).
 */
export function unflattenParams<T>(nLayers: number, get: (name: string) => T, optional: OptionalParams = {}): ModelParams<T> {
  const blocks = Array.from({ length: nLayers }, (_, i) => {
    const entries = BLOCK_KEYS.map((k) => [k, get(`blocks.${i}.${k}`)] as const);
    return Object.fromEntries(entries) as BlockParams<T>;
  });
  return {
    patchWeight: get('patchWeight'),
    patchBias: get('patchBias'),
    ...(optional.patchHidden === true ? { patchOutWeight: get('patchOutWeight'), patchOutBias: get('patchOutBias') } : {}),
    positions: get('positions'),
    tokenEmbedding: get('tokenEmbedding'),
    promptWeight: get('promptWeight'),
    promptScore: get('promptScore'),
    pointerQuery: get('pointerQuery'),
    pointerKey: get('pointerKey'),
    blocks,
    finalScale: get('finalScale'),
    finalBias: get('finalBias'),
    headWeight: get('headWeight'),
    ...(optional.answerPositions === true ? { answerPositions: get('answerPositions') } : {}),
  };
}

/** Map every leaf of a parameter tree. */
export function mapParams<A, B>(p: ModelParams<A>, f: (leaf: A, name: string) => B): ModelParams<B> {
  const named = new Map(flattenParams(p));
  return unflattenParams(p.blocks.length, (name) => f(named.get(name) as A, name), {
    patchHidden: p.patchOutWeight !== undefined,
    answerPositions: p.answerPositions !== undefined,
  });
}

/** Number of scalar parameters of a config. */
export function countParams(c: ModelConfig): number {
  return flattenParams(paramShapes(c)).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
}

/**
 * Fresh weights on the host, GPT-2 style: normal(0, 0.02) for matrices and embeddings, residual output
 * projections scaled by 1/√(2·layers), zero biases, unit LayerNorm scales; except query and key projections
 * (of attention and of the pointer head), normal(0, 1/√d), `promptWeight`, which starts as the identity, and `promptScore`, zero (the conditioning
 * vector is then the mean prompt embedding itself; see `applyPromptWeighting` for a better start).
 *
 * @example
 * const host = initParams(config, new Rng(0));
 */
export function initParams(c: ModelConfig, rng: Rng): ModelParams<HostTensor> {
  const residualStd = 0.02 / Math.sqrt(2 * c.nLayers);
  const queryKeyStd = 1 / Math.sqrt(c.dModel);
  const params = mapParams(paramShapes(c), (shape, name) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const leaf = name.split('.').pop() ?? name;
    if (leaf.endsWith('Scale')) data.fill(1);
    else if (leaf === 'promptScore') data.fill(0);
    else if (leaf === 'promptWeight') for (let i = 0; i < (shape[0] as number); i++) data[i * (shape[1] as number) + i] = 1;
    else if (leaf.endsWith('Bias')) data.fill(0);
    else {
      const std = leaf === 'outWeight' || leaf === 'mlpOutWeight' ? residualStd : 0.02;
      for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
      if (leaf === 'pointerQuery' || leaf === 'pointerKey') for (let i = 0; i < size; i++) data[i] = rng.normal() * queryKeyStd;
      if (leaf === 'qkvWeight') {
        // Queries and keys: 1/√d, so attention scores are not all ~0 at the start (a bilinear form grows from
        // its own size: from 0.02 the model would sit long in the slow start of attention learning).
        const [rows, cols] = shape as [number, number];
        for (let r = 0; r < rows; r++) for (let k = 0; k < (2 * cols) / 3; k++) data[r * cols + k] = rng.normal() * queryKeyStd;
      }
    }
    return { shape, data };
  });
  // The answer's positions start as the absolute positions of the generated region: a plain answer (which
  // starts at the region's first position) sees the same model either way.
  const start = prefixLength(c) * c.dModel;
  params.answerPositions?.data.set(params.positions.data.subarray(start, start + c.targetLength * c.dModel));
  return params;
}
