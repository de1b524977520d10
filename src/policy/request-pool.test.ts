import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HttpStatusError, RetriesExhaustedError } from './retry.js';
import { isFinalError, requestEach, type PoolItem, type PoolResult } from './request-pool.js';
import type { GenerateOptions, Policy, PolicyRequest } from './types.js';

const IMAGE = fileURLToPath(new URL('../../test/fixtures/official-samples/trajectory-424x240.png', import.meta.url));
const items = (names: string[]): PoolItem[] => names.map((instruction, index) => ({ index, instruction, kind: 'trajectory', imagePath: IMAGE }));

function fakePolicy(answer: (r: PolicyRequest) => string): { policy: Policy; calls: { instructions: string[]; seed?: number }[] } {
  const calls: { instructions: string[]; seed?: number }[] = [];
  return {
    calls,
    policy: {
      name: 'fake',
      generate: async (requests: readonly PolicyRequest[], options: GenerateOptions = {}) => {
        calls.push({ instructions: requests.map((r) => r.instruction), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
        return requests.map(answer);
      },
      close: async () => {},
    },
  };
}

describe('requestEach', () => {
  it('batches, offsets the seed by the first index, and reports image sizes', async () => {
    const { policy, calls } = fakePolicy((r) => `answer to ${r.instruction}`);
    const results = new Map<number, PoolResult>();
    await requestEach(items(['a', 'b', 'c', 'd', 'e']), { policy, batchSize: 2, concurrency: 1, generate: { seed: 100 }, onResult: (item, r) => void results.set(item.index, r) });
    expect(calls).toEqual([
      { instructions: ['a', 'b'], seed: 100 },
      { instructions: ['c', 'd'], seed: 102 },
      { instructions: ['e'], seed: 104 },
    ]);
    expect([...results.values()].map((r) => [r.text, r.ok, r.imageSize.width, r.imageSize.height])).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((x) => [`answer to ${x}`, true, 424, 240]),
    );
  });

  it('re-asks a failing batch record by record, so only the bad record fails', async () => {
    const { policy, calls } = fakePolicy((r) => {
      if (r.instruction === 'bad') throw new Error('model exploded');
      return r.instruction.toUpperCase();
    });
    const results = new Map<number, PoolResult>();
    await requestEach(items(['a', 'bad', 'c']), { policy, batchSize: 3, retries: 1, sleep: async () => {}, onResult: (item, r) => void results.set(item.index, r) });
    expect(results.get(0)).toMatchObject({ text: 'A', ok: true });
    expect(results.get(1)).toMatchObject({ text: '', ok: false, error: 'failed after 2 attempts: model exploded' });
    expect(results.get(2)).toMatchObject({ text: 'C', ok: true });
    // batch (2 attempts), then a (1), bad (2), c (1)
    expect(calls.map((c) => c.instructions.join(','))).toEqual(['a,bad,c', 'a,bad,c', 'a', 'bad', 'bad', 'c']);
  });

  it('does not re-ask final errors', async () => {
    expect(isFinalError(new HttpStatusError(400, 'u', ''))).toBe(true);
    expect(isFinalError(new RetriesExhaustedError(5, new HttpStatusError(503, 'u', '')))).toBe(true);
    expect(isFinalError(new HttpStatusError(503, 'u', ''))).toBe(false);
    expect(isFinalError(new Error('other'))).toBe(false);
    let calls = 0;
    const policy: Policy = {
      name: 'p',
      generate: async () => {
        calls++;
        throw new HttpStatusError(400, 'u', 'bad request');
      },
      close: async () => {},
    };
    const results: PoolResult[] = [];
    await requestEach(items(['a']), { policy, retries: 5, onResult: (_, r) => void results.push(r) });
    expect(calls).toBe(1);
    expect(results[0]).toMatchObject({ ok: false, error: 'HTTP 400 from u: bad request' });
  });

  it('stops on abort without reporting the requests in flight', async () => {
    const controller = new AbortController();
    const reported: number[] = [];
    const policy: Policy = {
      name: 'slow',
      generate: async (requests, options = {}) => {
        if (requests[0]?.instruction === 'c') controller.abort(new Error('stop'));
        await new Promise((resolve) => setTimeout(resolve, 5));
        options.signal?.throwIfAborted();
        return requests.map(() => 'ok');
      },
      close: async () => {},
    };
    const error = await requestEach(items(['a', 'b', 'c', 'd', 'e', 'f']), { policy, concurrency: 1, signal: controller.signal, onResult: (item) => void reported.push(item.index) }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('stop');
    expect(reported).toEqual([0, 1]);
  });
});
