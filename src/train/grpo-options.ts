/**
 * Options of a GRPO run, validated with zod and saved in the trainer state so a resumed run uses the same ones.
 *
 * Defaults follow the official VLA-R1 launch script (verl GRPO: group size 5, KL as a loss term with the
 * low-variance k3 estimator and coefficient 0.01, token-mean aggregation, one update per batch, std-scaled
 * advantages, temperature 1) except where the small model on a CPU budget needs otherwise: far fewer prompts
 * per step, a learning rate suited to a 1 M-parameter model, and DAPO's clip-higher ε_high = 0.28.
 */
import { z } from 'zod';
import { ALAF_DEFAULTS } from '../geometry/alafDistance.js';

export const GrpoOptionsSchema = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    /** Optimiser steps (one batch of prompts each; the learning-rate schedule spans them). */
    steps: z.number().int().positive().default(20),
    /** Sampled answers per prompt (G). */
    groupSize: z.number().int().min(2).default(5),
    /** Prompts per step (B); each step samples B × G answers. */
    promptsPerStep: z.number().int().positive().default(8),
    /** Sampling temperature (also applied to the policy's and the reference's log-probabilities). */
    temperature: z.number().positive().default(1),
    /**
     * Sampling temperature of the rationale's steps (words and coordinates, up to `<answer>`); the answer's steps
     * keep `temperature`. Applied alike in sampling and in the log-probabilities. Default: `temperature`.
     */
    reasoningTemperature: z.number().positive().optional(),
    /**
     * How a sampled answer's steps are decoded: `sample` (from the policy, like the rationale) or `greedy` (as
     * evaluation decodes them), so that only the rationale is explored and trained: the loss covers the rationale's
     * tokens up to `<answer>`, and each sample's reward is that of the answer its rationale leads to. Needs a
     * model that reasons (CoT).
     */
    answerDecoding: z.enum(['sample', 'greedy']).default('sample'),
    /**
     * λθ of the reward's trajectory term (ALAF's weight of the angle between local directions). Default: the
     * official 0.25. Another value is a different reward, for experiments.
     */
    lambdaAngle: z.number().min(0).default(ALAF_DEFAULTS.lambdaAngle),
    /** λr of the reward's trajectory term (the log length ratio's weight). Default: the official 0.1. */
    lambdaLength: z.number().min(0).default(ALAF_DEFAULTS.lambdaLength),
    /** Nucleus mass of sampling (1 = none). */
    topP: z.number().gt(0).max(1).default(1),
    learningRate: z.number().positive().default(1e-4),
    warmupSteps: z.number().int().nonnegative().default(2),
    /** Final learning rate as a fraction of the peak (1 = constant after warm-up). */
    minLrRatio: z.number().min(0).max(1).default(1),
    /** Weight of the KL-to-reference loss term (k3 estimator); 0 = no reference pass. */
    klCoef: z.number().min(0).default(0.01),
    clipLow: z.number().min(0).max(1).default(0.2),
    clipHigh: z.number().min(0).default(0.28),
    /** Dual-clip bound for negative advantages (verl's clip_ratio_c). */
    dualClip: z.number().gt(1).default(3),
    /** Updates per sampled batch (μ), each against the sampler's log-probabilities. */
    mu: z.number().int().positive().default(1),
    /**
     * Sequences per gradient pass and per sampling batch: a step of more (prompts × group size) is sampled in
     * turns and split into micro-batches whose gradients are summed into one update, the same update one pass
     * would make. The engine's memory (4 GiB) bounds a pass: 160 sequences of the demo's model fit, 320 do not.
     */
    microBatch: z.number().int().positive().default(64),
    /** Divide advantages by the group's std (GRPO); false = Dr. GRPO. */
    stdScaling: z.boolean().default(true),
    lossAggregation: z.enum(['token-mean', 'seq-mean']).default('token-mean'),
    /** Drop groups whose rewards do not spread from the loss. */
    filterZeroSpread: z.boolean().default(false),
    maxGradNorm: z.number().positive().default(1),
    weightDecay: z.number().min(0).default(0),
    beta1: z.number().min(0).max(1).default(0.9),
    beta2: z.number().min(0).max(1).default(0.99),
    /** Evaluate greedily on the test split every N steps (0 = only at the end). */
    evalEvery: z.number().int().nonnegative().default(0),
    /** Test records used by the periodic evaluation (0 = no evaluation). */
    evalSamples: z.number().int().nonnegative().default(64),
    /** Save a checkpoint every N steps (0 = only at the end). */
    saveEvery: z.number().int().nonnegative().default(10),
  })
  .strict();

/** Validated GRPO options (all defaults filled). */
export type GrpoOptions = z.infer<typeof GrpoOptionsSchema>;
/** GRPO options as a caller gives them (any subset). */
export type GrpoOptionsInput = z.input<typeof GrpoOptionsSchema>;
