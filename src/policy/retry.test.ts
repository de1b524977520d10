import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  BadResponseError,
  HttpStatusError,
  isRetryable,
  mulberry32,
  NetworkError,
  parseRetryAfter,
  RequestTimeoutError,
  RetriesExhaustedError,
  retryDelay,
  withRetry,
} from './retry.js';

const http = (status: number, retryAfterMs?: number): HttpStatusError => new HttpStatusError(status, 'http://h/x', 'body', retryAfterMs);

describe('isRetryable', () => {
  it('retries 429, 5xx, timeouts and network failures, nothing else', () => {
    expect([429, 500, 502, 503, 504].map((s) => isRetryable(http(s)))).toEqual([true, true, true, true, true]);
    expect([400, 401, 403, 404, 413, 422].map((s) => isRetryable(http(s)))).toEqual([false, false, false, false, false, false]);
    expect(isRetryable(new RequestTimeoutError('u', 5))).toBe(true);
    expect(isRetryable(new NetworkError('u', 'ECONNREFUSED'))).toBe(true);
    expect(isRetryable(new BadResponseError('not json'))).toBe(false);
    expect(isRetryable(new RetriesExhaustedError(3, http(500)))).toBe(false);
    expect(isRetryable(new Error('boom'))).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:29:00 GMT'))).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt with equal jitter, capped', () => {
    expect(backoffDelay(1, 0, { baseDelayMs: 500 })).toBe(250);
    expect(backoffDelay(1, 0.5, { baseDelayMs: 500 })).toBe(375);
    expect(backoffDelay(2, 0, { baseDelayMs: 500 })).toBe(500);
    expect(backoffDelay(4, 0, { baseDelayMs: 500 })).toBe(2000);
    expect(backoffDelay(20, 0, { baseDelayMs: 500, maxDelayMs: 8000 })).toBe(4000);
  });

  it('always lies in [step/2, step]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, u) => {
        const step = Math.min(30_000, 500 * 2 ** (attempt - 1));
        const d = backoffDelay(attempt, u);
        return d >= Math.round(step / 2) && d <= step;
      }),
    );
  });

  it('honours Retry-After over backoff, capped', () => {
    expect(retryDelay(http(429, 7000), 1, 0.3)).toBe(7000);
    expect(retryDelay(http(429, 900_000), 1, 0.3, { maxRetryAfterMs: 60_000 })).toBe(60_000);
    expect(retryDelay(http(503), 1, 0, { baseDelayMs: 100 })).toBe(50);
  });
});

describe('withRetry', () => {
  it('retries retryable errors, then succeeds, waiting the computed delays', async () => {
    const delays: number[] = [];
    const errors = [http(500), http(429, 1234), new RequestTimeoutError('u', 10)];
    const result = await withRetry(
      async (n) => {
        const error = errors[n - 1];
        if (error) throw error;
        return `ok after ${n}`;
      },
      { retries: 5, baseDelayMs: 100, random: () => 0, sleep: async (ms) => void delays.push(ms) },
    );
    expect(result).toBe('ok after 4');
    expect(delays).toEqual([50, 1234, 200]);
  });

  it('does not retry a 400', async () => {
    let calls = 0;
    const promise = withRetry(
      async () => {
        calls++;
        throw http(400);
      },
      { retries: 5, sleep: async () => {} },
    );
    await expect(promise).rejects.toBeInstanceOf(HttpStatusError);
    expect(calls).toBe(1);
  });

  it('wraps the last error once the retries run out', async () => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw http(503);
      },
      { retries: 2, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).attempts).toBe(3);
    expect((error as Error).message).toMatch(/^failed after 3 attempts: HTTP 503 from http:\/\/h\/x: body$/);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const promise = withRetry(
      async () => {
        calls++;
        controller.abort(new Error('cancelled'));
        throw http(500);
      },
      { retries: 5, signal: controller.signal, sleep: async () => {} },
    );
    await expect(promise).rejects.toBeInstanceOf(HttpStatusError);
    expect(calls).toBe(1);
  });
});

describe('mulberry32', () => {
  it('is deterministic and in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });
});
