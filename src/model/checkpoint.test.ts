import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';
import { CHECKPOINT_FORMAT, loadCheckpoint, resolveCheckpointDir, saveCheckpoint } from './checkpoint.js';
import { prefixLength, type ModelConfig } from './config.js';
import { flattenParams, initParams } from './params.js';
import { Rng } from './rng.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { Tokenizer } from './tokenizer.js';

const tokenizer = Tokenizer.train(['pick the mug', 'pick the mug'], { coordinateBins: 16 });
const model: ModelConfig = {
  imageSize: 8,
  patchSize: 4,
  dModel: 8,
  nLayers: 1,
  nHeads: 2,
  mlpRatio: 2,
  vocabSize: tokenizer.vocabSize,
  promptLength: 3,
  targetLength: 4,
  coordinateBins: 0,
};
const ckpt: Checkpoint = {
  config: { format: CHECKPOINT_FORMAT, model, grammar: { maxPoints: 4, thinking: true }, info: { stage: 'test' } },
  tokenizer,
  params: initParams(model, new Rng(1)),
  optimizer: { m: initParams(model, new Rng(2)), v: initParams(model, new Rng(3)) },
  trainerState: { step: 3 },
};

const root = await mkdtemp(join(tmpdir(), 'vla-ckpt-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function expectUserError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toMatch(pattern);
}

describe('checkpoints', () => {
  it('round-trips weights, moments, tokenizer and trainer state', async () => {
    const dir = join(root, 'a', 'checkpoint');
    await saveCheckpoint(dir, ckpt);
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors', 'optimizer.safetensors', 'tokenizer.json', 'trainer-state.json']);
    const back = await loadCheckpoint(join(root, 'a'), { training: true });
    expect(back.config).toEqual(ckpt.config);
    expect(back.trainerState).toEqual({ step: 3 });
    expect(back.tokenizer.toJSON()).toEqual(tokenizer.toJSON());
    const want = flattenParams(ckpt.params);
    const got = new Map(flattenParams(back.params));
    for (const [name, t] of want) expect(Array.from(got.get(name)?.data ?? [])).toEqual(Array.from(t.data));
    expect(Array.from(back.optimizer?.v.blocks[0]?.qkvWeight.data ?? [])).toEqual(Array.from(ckpt.optimizer?.v.blocks[0]?.qkvWeight.data ?? []));
    expect((await loadCheckpoint(dir)).optimizer).toBeUndefined();
  });

  it('round-trips a model with an MLP patch embedding, and names its missing tensors', async () => {
    const withHidden: ModelConfig = { ...model, patchHidden: 6 };
    const dir = join(root, 'h');
    const params = initParams(withHidden, new Rng(4));
    expect(params.patchWeight.shape).toEqual([48, 6]);
    expect(params.patchOutWeight?.shape).toEqual([6, 8]);
    await saveCheckpoint(dir, { ...ckpt, config: { ...ckpt.config, model: withHidden }, params, optimizer: undefined });
    const back = await loadCheckpoint(dir);
    expect(Array.from(back.params.patchOutWeight?.data ?? [])).toEqual(Array.from(params.patchOutWeight?.data ?? []));
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { model: ModelConfig };
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, model: { ...config.model, patchHidden: 0 } }));
    await expectUserError(loadCheckpoint(dir), /model\.safetensors: (unexpected tensor patchOut|tensor patchWeight has shape \[48, 6\])/);
  });

  it('round-trips a model whose patches see context, and names the patch weight when the config disagrees', async () => {
    const withContext: ModelConfig = { ...model, patchContext: 1 };
    const dir = join(root, 'c');
    const params = initParams(withContext, new Rng(5));
    expect(params.patchWeight.shape).toEqual([108, 8]);
    await saveCheckpoint(dir, { ...ckpt, config: { ...ckpt.config, model: withContext }, params, optimizer: undefined });
    const back = await loadCheckpoint(dir);
    expect(back.config.model.patchContext).toBe(1);
    expect(Array.from(back.params.patchWeight.data)).toEqual(Array.from(params.patchWeight.data));
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { model: ModelConfig };
    const { patchContext: _dropped, ...without } = config.model;
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, model: without }));
    await expectUserError(loadCheckpoint(dir), /model\.safetensors: tensor patchWeight has shape \[108, 8\]/);
  });

  it('round-trips a model with answer positions, which start as the absolute positions of the generated region', async () => {
    const withAnswer: ModelConfig = { ...model, answerPositions: true };
    const dir = join(root, 'ap');
    const params = initParams(withAnswer, new Rng(6));
    expect(params.answerPositions?.shape).toEqual([4, 8]);
    const start = prefixLength(withAnswer) * 8;
    expect(Array.from(params.answerPositions?.data ?? [])).toEqual(Array.from(params.positions.data.subarray(start, start + 4 * 8)));
    // the other weights are drawn as without the option
    expect(Array.from(params.headWeight.data)).toEqual(Array.from(initParams(model, new Rng(6)).headWeight.data));
    await saveCheckpoint(dir, { ...ckpt, config: { ...ckpt.config, model: withAnswer }, params, optimizer: { m: params, v: params } });
    const back = await loadCheckpoint(dir, { training: true });
    expect(Array.from(back.params.answerPositions?.data ?? [])).toEqual(Array.from(params.answerPositions?.data ?? []));
    expect(back.optimizer?.m.answerPositions?.shape).toEqual([4, 8]);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { model: ModelConfig };
    const { answerPositions: _dropped, ...without } = config.model;
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, model: without }));
    await expectUserError(loadCheckpoint(dir), /model\.safetensors: unexpected tensor answerPositions/);
  });

  it('replaces an existing checkpoint atomically, leaving no temporary folders', async () => {
    const dir = join(root, 'b');
    await saveCheckpoint(dir, ckpt);
    await saveCheckpoint(dir, { ...ckpt, trainerState: { step: 4 } });
    expect((await loadCheckpoint(dir, { training: true })).trainerState).toEqual({ step: 4 });
    expect((await readdir(root)).filter((f) => /\.tmp$|\.old$/.test(f))).toEqual([]);
  });

  it('names the file and the problem when a checkpoint is bad', async () => {
    const dir = join(root, 'c');
    await saveCheckpoint(dir, ckpt);
    await expectUserError(resolveCheckpointDir(join(root, 'nothing')), /nothing: not a checkpoint/);

    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { model: { dModel: number; nLayers: number } };
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, model: { ...config.model, dModel: 16 } }));
    await expectUserError(loadCheckpoint(dir), /model\.safetensors: tensor patchWeight has shape \[48, 8\], the config needs \[48, 16\]/);

    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, model: { ...config.model, nLayers: 2 } }));
    await expectUserError(loadCheckpoint(dir), /model\.safetensors: tensor blocks\.1\.ln1Scale is missing/);

    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, model: { ...config.model, vocabSize: 3 } }));
    await expectUserError(loadCheckpoint(dir), /config\.json: model\.vocabSize/);

    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, model: { ...config.model, vocabSize: 99 } }));
    await expectUserError(loadCheckpoint(dir), /tokenizer\.json: the tokenizer has \d+ tokens, .*config\.json says vocabSize 99/);

    await writeFile(join(dir, 'config.json'), '{oops');
    await expectUserError(loadCheckpoint(dir), /config\.json: not valid JSON/);

    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    const weights = decodeSafetensors(new Uint8Array(await readFile(join(dir, 'model.safetensors')))).tensors;
    weights.set('extra', { shape: [1], data: new Float32Array(1) });
    await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(weights));
    await expectUserError(loadCheckpoint(dir), /model\.safetensors: unexpected tensor extra/);

    await writeFile(join(dir, 'model.safetensors'), new Uint8Array(3));
    await expectUserError(loadCheckpoint(dir), /model\.safetensors: too short/);

    await rm(join(dir, 'model.safetensors'));
    await expectUserError(loadCheckpoint(dir), /model\.safetensors: missing/);
  });
});
