import { z } from 'zod';

/**
 * The shape of the small VLA transformer: a patch embedding of the (resized) image, the prompt's text
 * tokens, and a pre-LN causal decoder over `[image patches | prompt | rationale + answer]`.
 *
 * The sequence layout is fixed so that every sequence of a batch starts generating at the same position:
 * `patchCount` image positions, then `promptLength` prompt positions (the prompt is right-aligned and
 * left-padded; padding is masked out of attention), then `targetLength` generated positions. The image and
 * prompt form a bidirectional prefix; the generated part is causal.
 */
export const ModelConfigSchema = z
  .object({
    /** The square side the image is resized to, in pixels. */
    imageSize: z.number().int().min(8).max(512),
    /** The square side of one image patch, in pixels (must divide `imageSize`). */
    patchSize: z.number().int().min(1).max(64),
    /** Width of the residual stream. */
    dModel: z.number().int().min(8).max(2048),
    nLayers: z.number().int().min(1).max(48),
    nHeads: z.number().int().min(1).max(64),
    /** Hidden width of the MLP as a multiple of `dModel`. */
    mlpRatio: z.number().int().min(1).max(8),
    /** Tokens in the vocabulary (text pieces, coordinate bins and special tokens). */
    vocabSize: z.number().int().min(4),
    /** Maximum prompt tokens (task token + instruction). */
    promptLength: z.number().int().min(1).max(1024),
    /** Maximum generated tokens (rationale, answer marker, answer tokens, end). */
    targetLength: z.number().int().min(2).max(4096),
    /**
     * Coordinate bins per axis of the tokenizer; when set (> 0) the model has a pointer head that maps its
     * patch-grid scores onto the coordinate tokens (see `pointer-head.ts`). 0: no pointer head.
     */
    coordinateBins: z.number().int().min(0).max(4096).default(0),
    /**
     * Hidden width of the patch embedding: 0 embeds each patch linearly (a ViT's patch projection); > 0 runs
     * it through a one-hidden-layer MLP of this width first (`patch → hidden → GELU → dModel`). Absent = 0.
     */
    patchHidden: z.number().int().min(0).max(4096).optional(),
    /**
     * Add to the pointer head's score of each patch the patch's log-probability (under the vocabulary head) of
     * the instruction's words, pooled like the prompt condition: a direct match of the words to the patches the
     * perception term teaches to name (see `pointer-head.ts`). Needs `coordinateBins` > 0. Absent = false.
     */
    pointerPrior: z.boolean().optional(),
    /**
     * Pixels of surrounding image each patch token also sees, on every side: the token embeds a
     * `(patchSize + 2·patchContext)²` window centred on its patch (windows overlap; outside the image is mid-grey),
     * so an object cut by a patch border is still seen whole. Absent = 0 (non-overlapping patches).
     */
    patchContext: z.number().int().min(0).max(64).optional(),
    /**
     * Positions that restart at the answer: from the `<answer>` token on, a generated token takes its position
     * embedding from a table of its own (`answerPositions`, indexed by the offset from `<answer>`) instead of
     * the absolute one, so the answer's k-th token sits at the same position whether a rationale of 20 or of 60
     * tokens came before it, as in a plain answer. What a model learned answering plainly then carries over to
     * answering after a rationale. Absent = false.
     */
    answerPositions: z.boolean().optional(),
  })
  .strict()
  .refine((c) => c.imageSize % c.patchSize === 0, { message: 'patchSize must divide imageSize', path: ['patchSize'] })
  .refine((c) => c.dModel % c.nHeads === 0, { message: 'nHeads must divide dModel', path: ['nHeads'] });

export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/**
 * The model shape used by default, and by the demo: 64 wide and 2 layers deep (about 0.6 M parameters with the
 * tabletop's vocabulary), on 128-pixel images cut into 16-pixel patches, each seen with 4 pixels of context and
 * embedded by a 128-wide MLP, with the pointer's word prior and positions that restart at the answer. docs/MODEL.md
 * has the measurements behind each choice
 * (a wider and deeper model does not learn faster on 2 cores).
 */
export const DEFAULT_MODEL_SHAPE = {
  imageSize: 128,
  patchSize: 16,
  patchHidden: 128,
  patchContext: 4,
  dModel: 64,
  nLayers: 2,
  nHeads: 2,
  mlpRatio: 4,
  pointerPrior: true,
  answerPositions: true,
} as const;

/**
 * A tiny model shape (8-pixel images, one 16-wide layer, linear patches, no word prior): for tests and examples
 * that only need the machinery.
 */
export const TINY_MODEL_SHAPE = {
  imageSize: 8,
  patchSize: 4,
  patchHidden: 0,
  patchContext: 0,
  dModel: 16,
  nLayers: 1,
  nHeads: 2,
  mlpRatio: 2,
  pointerPrior: false,
} as const;

/** Image patches in the prefix. */
export function patchCount(c: ModelConfig): number {
  return (c.imageSize / c.patchSize) ** 2;
}

/** Floats per image patch token (RGB of its window: the patch and `patchContext` pixels around it). */
export function patchDim(c: ModelConfig): number {
  const side = patchWindow(c);
  return side * side * 3;
}

/** The side in pixels of the window one patch token embeds: `patchSize + 2 · patchContext`. */
export function patchWindow(c: Pick<ModelConfig, 'patchSize' | 'patchContext'>): number {
  return c.patchSize + 2 * (c.patchContext ?? 0);
}

/** Length of the bidirectional prefix (image patches + prompt). */
export function prefixLength(c: ModelConfig): number {
  return patchCount(c) + c.promptLength;
}

/** Total sequence length (prefix + generated part). */
export function sequenceLength(c: ModelConfig): number {
  return prefixLength(c) + c.targetLength;
}

/** Width of one attention head. */
export function headDim(c: ModelConfig): number {
  return c.dModel / c.nHeads;
}
