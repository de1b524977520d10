/**
 * A minimal HTTP client for probing services (tests, benchmarks, health checks): one request per
 * connection, no pooling, no retries, the raw status, headers and text.
 *
 * @module
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

/** What came back. */
export interface ProbeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** Options of {@link probe}. */
export interface ProbeOptions {
  readonly method?: string;
  /** A string or Buffer is sent as is; anything else is JSON-encoded. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Abort after this many ms (default 30 s). */
  readonly timeoutMs?: number;
}

/**
 * Send one request to `url` and read the whole answer.
 *
 * @example
 * const { status, text } = await probe('http://127.0.0.1:5000/v1/reward', { method: 'POST', body: [{ response, ground_truth }] });
 */
export function probe(url: string, options: ProbeOptions = {}): Promise<ProbeResponse> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string' || Buffer.isBuffer(options.body)
        ? options.body
        : JSON.stringify(options.body);
  return new Promise<ProbeResponse>((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        agent: false,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
