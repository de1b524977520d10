import { describe, expect, it } from 'vitest';
import type { GenerateOptions, Policy, PolicyRequest } from '../policy/types.js';
import { PolicyBatcher, batchKey } from './policy-batcher.js';

const image = { bytes: new Uint8Array([1]), mimeType: 'image/png' as const };
const req = (instruction: string): PolicyRequest => ({ image, instruction, kind: 'affordance' });

/** A policy that echoes instructions (with the seed) and records its calls; instruction 'bad' fails. */
function echoPolicy(): { policy: Policy; calls: { instructions: string[]; options: GenerateOptions }[] } {
  const calls: { instructions: string[]; options: GenerateOptions }[] = [];
  const policy: Policy = {
    name: 'echo',
    generate: async (requests, options = {}) => {
      calls.push({ instructions: requests.map((r) => r.instruction), options });
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (requests.some((r) => r.instruction === 'bad')) throw new Error('bad request');
      return requests.map((r) => `${r.instruction}/${options.seed ?? '-'}`);
    },
    close: async () => {},
  };
  return { policy, calls };
}

describe('batchKey', () => {
  it('lets greedy jobs share whatever their seed, and keeps client-seeded sampling alone', () => {
    expect(batchKey({ temperature: 0, seed: 4, topP: 0.5 }, true)).toBe(batchKey({ temperature: 0 }, false));
    expect(batchKey({ temperature: 0, maxTokens: 8 }, false)).not.toBe(batchKey({ temperature: 0 }, false));
    expect(batchKey({ temperature: 1, topP: 0.9 }, false)).toBe(batchKey({ temperature: 1, topP: 0.9 }, false));
    expect(batchKey({ temperature: 1, topP: 0.9 }, false)).not.toBe(batchKey({ temperature: 0.5, topP: 0.9 }, false));
    expect(batchKey({ temperature: 1, seed: 3 }, true)).not.toBe(batchKey({ temperature: 1, seed: 3 }, true));
  });
});

describe('PolicyBatcher', () => {
  it('merges jobs arriving within the window into one generate call and splits the answers back', async () => {
    const { policy, calls } = echoPolicy();
    const batcher = new PolicyBatcher(policy, { maxBatch: 8, windowMs: 20, seed: 100 });
    const answers = await Promise.all([
      batcher.submit([req('a'), req('a')], { temperature: 0 }, false),
      batcher.submit([req('b')], { temperature: 0 }, false),
      batcher.submit([req('c')], { temperature: 0, seed: 9 }, true),
    ]);
    expect(answers).toEqual([['a/100', 'a/100'], ['b/100'], ['c/100']]);
    expect(calls.map((c) => c.instructions)).toEqual([['a', 'a', 'b', 'c']]);
    expect(batcher.stats).toEqual({ batches: 1, jobs: 3, requests: 4 });
  });

  it('never exceeds maxBatch, and batches what queued during a running batch', async () => {
    const { policy, calls } = echoPolicy();
    const batcher = new PolicyBatcher(policy, { maxBatch: 2, windowMs: 1 });
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((x) => batcher.submit([req(x)], { temperature: 0 }, false)));
    expect(answers.flat().map((a) => a.split('/')[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(calls.map((c) => c.instructions)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('keeps different sampling settings apart and gives unseeded sampled batches successive seeds', async () => {
    const { policy, calls } = echoPolicy();
    const batcher = new PolicyBatcher(policy, { maxBatch: 8, windowMs: 10, seed: 5 });
    const answers = await Promise.all([
      batcher.submit([req('hot')], { temperature: 1 }, false),
      batcher.submit([req('cold')], { temperature: 0 }, false),
      batcher.submit([req('hot2')], { temperature: 1 }, false),
      batcher.submit([req('mine')], { temperature: 1, seed: 42 }, true),
    ]);
    expect(calls.map((c) => c.instructions)).toEqual([['hot', 'hot2'], ['cold'], ['mine']]);
    expect(answers).toEqual([['hot/5'], ['cold/6'], ['hot2/5'], ['mine/42']]);
  });

  it('reruns a failed merged batch job by job, so only the bad job fails', async () => {
    const { policy, calls } = echoPolicy();
    const batcher = new PolicyBatcher(policy, { maxBatch: 8, windowMs: 10 });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((x) => batcher.submit([req(x)], { temperature: 0 }, false)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls.map((c) => c.instructions)).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('drops a job whose client went away before its batch started', async () => {
    const { policy, calls } = echoPolicy();
    const batcher = new PolicyBatcher(policy, { maxBatch: 8, windowMs: 10 });
    const abort = new AbortController();
    const gone = batcher.submit([req('gone')], { temperature: 0 }, false, abort.signal);
    const kept = batcher.submit([req('kept')], { temperature: 0 }, false);
    abort.abort(new Error('client left'));
    await expect(gone).rejects.toThrow('client left');
    expect(await kept).toEqual(['kept/0']);
    expect(calls.map((c) => c.instructions)).toEqual([['kept']]);
    expect(batcher.queued).toBe(0);
  });
});
