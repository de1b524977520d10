import { describe, expect, it } from 'vitest';
import { ModelConfigSchema } from './config.js';
import { decodeStepFlops, forwardFlops, trainStepFlops } from './flops.js';

const bare = ModelConfigSchema.parse({
  imageSize: 32,
  patchSize: 16,
  dModel: 8,
  nLayers: 1,
  nHeads: 2,
  mlpRatio: 4,
  vocabSize: 20,
  promptLength: 3,
  targetLength: 5,
  coordinateBins: 0,
});

describe('forwardFlops', () => {
  it('counts the matmuls of a bare transformer by hand', () => {
    // T = 4 patches + 3 + 5 = 12; patch 16×16×3 = 768 values.
    const layer = 2 * 12 * 8 * 24 + 2 * 12 * 8 * 8 + 2 * 2 * 12 * 8 * 32 + 2 * 2 * 12 * 12 * 8;
    const embed = 2 * 4 * 768 * 8;
    const head = 2 * 5 * 8 * 20;
    expect(forwardFlops(bare, 1)).toBe(layer + embed + head);
    expect(forwardFlops(bare, 3)).toBe(3 * forwardFlops(bare, 1));
    expect(trainStepFlops(bare, 2)).toBe(3 * forwardFlops(bare, 2));
  });
  it('adds the patch MLP, the pointer head and its word prior', () => {
    const mlp = ModelConfigSchema.parse({ ...bare, patchHidden: 16 });
    expect(forwardFlops(mlp, 1) - forwardFlops(bare, 1)).toBe(2 * 4 * (768 * 16 + 16 * 8) - 2 * 4 * 768 * 8);
    const pointer = ModelConfigSchema.parse({ ...bare, coordinateBins: 4 });
    // query 2·5·8·8, keys 2·4·8·8, scores 2·5·4·8, grid → tokens 2·5·(2·2)·20
    expect(forwardFlops(pointer, 1) - forwardFlops(bare, 1)).toBe(640 + 512 + 320 + 800);
    const prior = ModelConfigSchema.parse({ ...bare, coordinateBins: 4, pointerPrior: true });
    // one more score column, the head over the patches 2·4·8·20 and the bag product 2·4·20
    expect(forwardFlops(prior, 1) - forwardFlops(pointer, 1)).toBe(2 * 5 * 4 + 1280 + 160);
  });
});

describe('decodeStepFlops', () => {
  it('grows with the batch', () => {
    expect(decodeStepFlops(bare, 4, 0)).toBe(4 * decodeStepFlops(bare, 1, 0));
  });
});
