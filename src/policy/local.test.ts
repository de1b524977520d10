import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { CHECKPOINT_FORMAT, saveCheckpoint } from '../model/checkpoint.js';
import type { ModelConfig } from '../model/config.js';
import { initParams } from '../model/params.js';
import { Rng } from '../model/rng.js';
import { Tokenizer } from '../model/tokenizer.js';
import { parseAnswer } from '../protocol/answer.js';
import { createLocalPolicy } from './local.js';
import { TINY_MODEL_SHAPE } from '../model/config.js';

const root = await mkdtemp(join(tmpdir(), 'vla-local-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const tokenizer = Tokenizer.train(['reach the cup.', 'reach the cup.'], { coordinateBins: 16 });
const config: ModelConfig = {
  ...TINY_MODEL_SHAPE,
  vocabSize: tokenizer.vocabSize,
  promptLength: 6,
  targetLength: 12,
  coordinateBins: tokenizer.coordinateBins,
};
const image = { bytes: new Uint8Array(await sharp(Buffer.alloc(20 * 10 * 3, 90), { raw: { width: 20, height: 10, channels: 3 } }).png().toBuffer()), mimeType: 'image/png' as const };

describe('createLocalPolicy', () => {
  it('answers every request in the VLA-R1 form, deterministically when greedy', async () => {
    const dir = join(root, 'ckpt');
    // A model that never reasons: with `thinking: false` the grammar makes the rationale empty, so even random
    // weights must produce a complete, parseable answer within the token budget.
    await saveCheckpoint(dir, {
      config: { format: CHECKPOINT_FORMAT, model: config, grammar: { maxPoints: 3, thinking: false }, info: {} },
      tokenizer,
      params: initParams(config, new Rng(4)),
    });
    const policy = await createLocalPolicy(dir);
    expect(policy.name).toBe(`local:${dir}`);
    const requests = [
      { image, instruction: 'reach the cup.', kind: 'trajectory' as const },
      { image, instruction: 'pick the cup.', kind: 'affordance' as const },
      { image, instruction: 'reach the cup.', kind: 'trajectory' as const },
    ];
    const answers = await policy.generate(requests);
    expect(answers).toHaveLength(3);
    expect(answers[0]).toBe(answers[2]);
    answers.forEach((a, i) => {
      const parsed = parseAnswer(a, requests[i]?.kind);
      expect(parsed.ok).toBe(true);
      expect(a.startsWith('<think></think> so, the answer is <output>')).toBe(true);
    });
    const sampled = await policy.generate(requests, { temperature: 1, seed: 3 });
    expect(await policy.generate(requests, { temperature: 1, seed: 3 })).toEqual(sampled);
    await policy.close();
    await expect(policy.generate(requests)).rejects.toThrow(/after close/);
  });

  it('reports a bad checkpoint or image as a user error', async () => {
    await expect(createLocalPolicy(join(root, 'missing'))).rejects.toThrow(UserError);
    const dir = join(root, 'ckpt2');
    await saveCheckpoint(dir, {
      config: { format: CHECKPOINT_FORMAT, model: config, grammar: { maxPoints: 3, thinking: true }, info: {} },
      tokenizer,
      params: initParams(config, new Rng(4)),
    });
    await writeFile(join(dir, 'tokenizer.json'), '{"format": "other"}');
    await expect(createLocalPolicy(dir)).rejects.toThrow(/tokenizer\.json: format/);
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.toJSON()));
    const policy = await createLocalPolicy(dir);
    const bad = { bytes: new Uint8Array([1, 2, 3]), mimeType: 'image/png' as const };
    await expect(policy.generate([{ image: bad, instruction: 'x', kind: 'affordance' }])).rejects.toThrow(/request 0: image/);
    await policy.close();
  });
});
