/**
 * One HTTP exchange with a model server, with a time limit covering headers and body, and errors classified
 * for {@link withRetry}: {@link HttpStatusError}, {@link RequestTimeoutError}, {@link NetworkError}.
 *
 * Built on `node:http` / `node:https` with keep-alive agents rather than `fetch`: Node's fetch (undici) gives
 * up on any response whose headers take more than 300 s (`UND_ERR_HEADERS_TIMEOUT`), which a queue of long
 * generations on one GPU server easily exceeds; here the only limit is the caller's `timeoutMs`. It is also
 * lighter per request (see bench/eval-client.ts).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { z } from 'zod';
import { BadResponseError, HttpStatusError, NetworkError, parseRetryAfter, RequestTimeoutError } from './retry.js';

/** A request to send. */
export interface HttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Time limit for the whole exchange (connection, headers and body). */
  readonly timeoutMs: number;
  /** Cancels the request; not reported as a timeout. */
  readonly signal?: AbortSignal;
}

const agents = {
  http: new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
  https: new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
};

function networkMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * Send `request` and return the body text of a 2xx reply. Throws {@link HttpStatusError} for other statuses
 * (with `Retry-After` parsed), {@link RequestTimeoutError} past `timeoutMs`, {@link NetworkError} when the
 * connection fails or drops, and the caller's abort reason when `signal` aborts.
 *
 * @example
 * const text = await httpText({ url: 'http://127.0.0.1:8000/health', method: 'GET', timeoutMs: 5000 });
 */
export function httpText(request: HttpRequest): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const { signal } = request;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      reject(new NetworkError(request.url, 'not a URL'));
      return;
    }
    const secure = url.protocol === 'https:';
    const body = request.body === undefined ? undefined : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
    let settled = false;
    const finish = (error: unknown, text?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve(text ?? '');
      else reject(error);
    };
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => finish(new NetworkError(request.url, networkMessage(error), { cause: error })));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) finish(undefined, text);
        else {
          const retryAfter = res.headers['retry-after'];
          finish(new HttpStatusError(status, request.url, text, parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter)));
        }
      });
    };
    const req = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: request.method,
        headers: { ...request.headers, ...(body !== undefined ? { 'content-length': String(body.byteLength) } : {}) },
        agent: secure ? agents.https : agents.http,
      },
      onResponse,
    );
    const timer = setTimeout(() => {
      finish(new RequestTimeoutError(request.url, request.timeoutMs));
      req.destroy();
    }, request.timeoutMs);
    const onAbort = (): void => {
      finish(signal?.reason);
      req.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish(new NetworkError(request.url, networkMessage(error), { cause: error })));
    req.end(body);
  });
}

/**
 * {@link httpText}, then a JSON parse and a schema check of the reply; a reply that fails either is a
 * {@link BadResponseError}.
 *
 * @example
 * const { data } = await httpJson({ url, method: 'GET', timeoutMs: 5000 }, z.object({ data: z.array(z.unknown()) }));
 */
export async function httpJson<T>(request: HttpRequest, schema: z.ZodType<T>): Promise<T> {
  const text = await httpText(request);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadResponseError(`reply from ${request.url} is not JSON: ${text.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'reply';
    throw new BadResponseError(`reply from ${request.url}: ${where}: ${issue?.message ?? 'unexpected shape'}: ${text.slice(0, 200)}`);
  }
  return parsed.data;
}
