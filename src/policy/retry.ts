/**
 * Retries with exponential backoff and jitter for requests to model servers.
 *
 * What is retried: timeouts, network failures (connection refused/reset), HTTP 429 (waiting what the server's
 * `Retry-After` asks) and HTTP 5xx. Not retried: other 4xx (a bad request stays bad), bad replies, and
 * cancellation by the caller's signal. When the attempts run out the last error is wrapped in a
 * {@link RetriesExhaustedError}, which is itself not retryable, so an outer loop does not multiply attempts.
 */

/** A non-2xx HTTP reply. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';

  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
    /** The server's `Retry-After`, in milliseconds, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status} from ${url}${body ? `: ${body.slice(0, 300)}` : ''}`);
  }
}

/** A request that did not complete (headers and body) within its time limit. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';

  constructor(
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`request to ${url} timed out after ${timeoutMs} ms`);
  }
}

/** The connection failed (refused, reset, DNS): the server may come back. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';

  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${url}: ${message}`, options);
  }
}

/** A 2xx reply whose body is not what the API promises (not JSON, wrong shape). Not retried. */
export class BadResponseError extends Error {
  override readonly name = 'BadResponseError';
}

/** Every attempt failed; `cause` is the last error. Not retryable. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';

  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${errorMessage(lastError)}`, { cause: lastError });
  }
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether another attempt may succeed: timeouts, network failures, HTTP 429 and 5xx.
 *
 * @example
 * isRetryable(new HttpStatusError(503, 'http://h/v1', '')); // true
 * isRetryable(new HttpStatusError(400, 'http://h/v1', '')); // false
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status === 429 || error.status >= 500;
  return error instanceof RequestTimeoutError || error instanceof NetworkError;
}

/**
 * Parse an HTTP `Retry-After` header (delta seconds or an HTTP date) into milliseconds, or `undefined`.
 *
 * @example
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')); // 60000
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** How to retry. */
export interface RetryOptions {
  /** Extra attempts after the first (0 = try once). */
  readonly retries: number;
  /** First backoff step, before jitter (default 500 ms). */
  readonly baseDelayMs?: number;
  /** Cap of one backoff step (default 30 s). */
  readonly maxDelayMs?: number;
  /** Cap on a server's `Retry-After` (default 5 min). */
  readonly maxRetryAfterMs?: number;
  /** Uniform [0, 1) source for the jitter (default: a PRNG seeded with `seed`). */
  readonly random?: () => number;
  /** Seed of the default jitter PRNG (default 0). */
  readonly seed?: number;
  /** Waits `ms`; injectable so tests can record delays instead of sleeping. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Decides which errors are retried (default {@link isRetryable}). */
  readonly shouldRetry?: (error: unknown) => boolean;
  /** Called before each wait. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  readonly signal?: AbortSignal;
}

/**
 * The backoff before retry number `attempt` (1-based) with "equal jitter": half the exponential step is fixed,
 * half is random, so retries spread out but never collapse to zero.
 *
 * @example
 * backoffDelay(1, 0, { baseDelayMs: 500 }); // 250 (u = 0: half of 500)
 * backoffDelay(3, 0.999, { baseDelayMs: 500 }); // ~2000 (step 2000)
 */
export function backoffDelay(attempt: number, u: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'> = {}): number {
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  const step = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + u * (step / 2));
}

/**
 * The wait before retry `attempt` after `error`: the server's `Retry-After` when it gave one (capped),
 * else {@link backoffDelay}.
 */
export function retryDelay(error: unknown, attempt: number, u: number, options: Omit<RetryOptions, 'retries'> = {}): number {
  if (error instanceof HttpStatusError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, options.maxRetryAfterMs ?? 300_000);
  }
  return backoffDelay(attempt, u, options);
}

/**
 * A small seeded PRNG (mulberry32) returning floats in [0, 1).
 *
 * @example
 * const random = mulberry32(42);
 * random() === mulberry32(42)(); // true
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolve after `ms`, or reject when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Run `attempt` until it succeeds, retrying retryable errors with backoff. A non-retryable error is thrown as is;
 * when the retries run out, a {@link RetriesExhaustedError} wrapping the last error is thrown.
 *
 * @example
 * const text = await withRetry(() => postChat(body), { retries: 4 });
 */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const shouldRetry = options.shouldRetry ?? isRetryable;
  const random = options.random ?? mulberry32(options.seed ?? 0);
  const wait = options.sleep ?? sleep;
  const total = Math.max(0, Math.floor(options.retries)) + 1;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error: unknown) {
      if (options.signal?.aborted || !shouldRetry(error)) throw error;
      if (n >= total) throw new RetriesExhaustedError(n, error);
      const delayMs = retryDelay(error, n, random(), options);
      options.onRetry?.({ attempt: n, delayMs, error });
      await wait(delayMs, options.signal);
    }
  }
}
