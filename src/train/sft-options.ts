/**
 * Options of a CoT-SFT run, validated with zod and saved in the trainer state so a resumed run uses the
 * same ones.
 */
import { z } from 'zod';
import type { ModelConfig } from '../model/config.js';
import { DEFAULT_MODEL_SHAPE } from '../model/config.js';

export const SftOptionsSchema = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    /** Train on rationale + answer (CoT-SFT) or on the answer alone (plain SFT, empty `<think></think>`). */
    cot: z.boolean().default(true),
    /**
     * Learn the vocabulary from the rationales too, and size the target region for rationale + answer, even
     * when training on answers alone (`cot: false`): a CoT-SFT run can then start from this checkpoint
     * (`initCheckpoint`). Default: as `cot`.
     */
    rationaleVocabulary: z.boolean().optional(),
    /** Planned optimiser steps (the schedule spans them). */
    steps: z.number().int().positive().default(800),
    batchSize: z.number().int().positive().default(16),
    learningRate: z.number().positive().default(2e-3),
    warmupSteps: z.number().int().nonnegative().default(20),
    minLrRatio: z.number().min(0).max(1).default(0.05),
    weightDecay: z.number().min(0).default(0.01),
    maxGradNorm: z.number().positive().default(1),
    beta1: z.number().min(0).max(1).default(0.9),
    beta2: z.number().min(0).max(1).default(0.98),
    /** Evaluate on the test split every N steps (0 = only at the end). */
    evalEvery: z.number().int().nonnegative().default(100),
    /** Test examples used by the periodic evaluation. */
    evalSamples: z.number().int().nonnegative().default(64),
    /** Save a checkpoint every N steps (0 = only at the end). */
    saveEvery: z.number().int().nonnegative().default(100),
    imageSize: z.number().int().positive().default(DEFAULT_MODEL_SHAPE.imageSize),
    patchSize: z.number().int().positive().default(DEFAULT_MODEL_SHAPE.patchSize),
    dModel: z.number().int().positive().default(DEFAULT_MODEL_SHAPE.dModel),
    nLayers: z.number().int().positive().default(DEFAULT_MODEL_SHAPE.nLayers),
    nHeads: z.number().int().positive().default(DEFAULT_MODEL_SHAPE.nHeads),
    mlpRatio: z.number().int().positive().default(DEFAULT_MODEL_SHAPE.mlpRatio),
    /** Hidden width of the patch embedding's MLP; 0 = a linear patch embedding (see `ModelConfig.patchHidden`). */
    patchHidden: z.number().int().nonnegative().default(DEFAULT_MODEL_SHAPE.patchHidden),
    /** Pixels of context each patch token sees around its patch (see `ModelConfig.patchContext`); 0 = none. */
    patchContext: z.number().int().nonnegative().default(DEFAULT_MODEL_SHAPE.patchContext),
    /** Give the pointer head the instruction-word prior (see `ModelConfig.pointerPrior`). */
    pointerPrior: z.boolean().default(DEFAULT_MODEL_SHAPE.pointerPrior),
    /** Positions that restart at `<answer>` (see `ModelConfig.answerPositions`). */
    answerPositions: z.boolean().default(DEFAULT_MODEL_SHAPE.answerPositions),
    coordinateBins: z.number().int().min(2).default(100),
    /** Coordinate targets as a Gaussian over neighbouring bins of this width (in bins); 0 = one-hot. */
    coordinateSigma: z.number().min(0).default(1),
    /**
     * Loss weight of a coordinate target (in the rationale or the answer) relative to a text target. With
     * CoT most targets are rationale words, which are easy; the few coordinates are what grounding learns from.
     */
    coordinateWeight: z.number().positive().default(1),
    /** Caps on the sequence regions (the actual lengths come from the training data). */
    maxPromptLength: z.number().int().positive().default(48),
    maxTargetLength: z.number().int().positive().default(256),
    /** Padded target lengths per batch (length-grouped batches); 1 = always the longest. */
    lengthBuckets: z.number().int().positive().default(8),
    /** Keep vocabulary pieces seen at least this often in the training split. */
    minPieceCount: z.number().int().positive().default(2),
    /** Phrase merges learned from the training texts (0 = word pieces only). */
    maxMerges: z.number().int().nonnegative().default(500),
    /** Merge only word pairs seen at least this often. */
    mergeMinCount: z.number().int().positive().default(20),
    /** Initialise positions and coordinate tokens with the shared Fourier position code. */
    positionCode: z.boolean().default(true),
    /** Give the model a pointer head from the image-patch grid to the coordinate tokens (`pointer-head.ts`). */
    pointerHead: z.boolean().default(true),
    /**
     * Weight of the perception term (`perception.ts`): every image patch learns to name what it shows, from
     * the scene labels beside the training split (`train.labels.jsonl`); 0, or data without labels: off.
     */
    perceptionWeight: z.number().min(0).default(1),
  })
  .strict();

/** Validated SFT options (all defaults filled). */
export type SftOptions = z.infer<typeof SftOptionsSchema>;
/**
 * The shape options of a model config: what a run that starts from a checkpoint (`initCheckpoint`) trains,
 * whatever its own options say.
 *
 * @example
 * shapeOptionsOf(checkpoint.config.model).dModel; // 64
 */
export function shapeOptionsOf(c: ModelConfig): SftOptionsInput {
  return {
    imageSize: c.imageSize,
    patchSize: c.patchSize,
    dModel: c.dModel,
    nLayers: c.nLayers,
    nHeads: c.nHeads,
    mlpRatio: c.mlpRatio,
    patchHidden: c.patchHidden ?? 0,
    patchContext: c.patchContext ?? 0,
    pointerPrior: c.pointerPrior === true,
    answerPositions: c.answerPositions === true,
    pointerHead: c.coordinateBins > 0,
  };
}

/** SFT options as a caller gives them (any subset). */
export type SftOptionsInput = z.input<typeof SftOptionsSchema>;
