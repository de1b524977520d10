/**
 * The policy service: a {@link Policy} (normally the small local model) behind an OpenAI-compatible API, so
 * any OpenAI client, and `vla-r1 eval --policy openai`, can use it.
 *
 * - `POST /v1/chat/completions`: one user message with the prompt text and a `data:` image (see
 *   `chat-requests.ts`) → a `chat.completion` with `n` choices;
 * - `GET /v1/models`: the one served model;
 * - `GET /health`: liveness and counters; never behind the token.
 *
 * Concurrent requests are merged into batched `generate` calls (see {@link PolicyBatcher}). Loopback by
 * default; optional bearer token; body size limit (413); field-named 4xx errors; graceful {@link PolicyServer.close}.
 *
 * `usage` counts are approximate: the prompt is counted as the task token plus the instruction's
 * pre-tokenizer pieces (the image patches are not counted), the completion as the answer's pieces.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { UserError } from '../errors.js';
import { splitPieces } from '../model/tokenizer.js';
import type { Policy } from '../policy/types.js';
import { presentedToken, tokenMatches } from './bearer-auth.js';
import { readChatRequest } from './chat-requests.js';
import type { ChatJob } from './chat-requests.js';
import { ClientGoneError, HttpError, answerClientError, errorBody, parseJsonBody, readBody, sendJson } from './http-json.js';
import { gracefulClose, listenOn, serviceUrl } from './http-lifecycle.js';
import { PolicyBatcher } from './policy-batcher.js';
import { isLoopbackHost } from './reward-server.js';

export { isLoopbackHost };

/** Default body size limit: 32 MiB (a few large base64 images). */
export const DEFAULT_POLICY_BODY_LIMIT = 32 * 1024 * 1024;

/** Options of {@link startPolicyServer}. */
export interface PolicyServerOptions {
  readonly policy: Policy;
  /** The model id clients name and `GET /v1/models` lists (default `vla-r1`). */
  readonly modelName?: string;
  /** Interface to bind; default `127.0.0.1`. */
  readonly host?: string;
  /** Port; default 8000. 0 picks a free port. */
  readonly port?: number;
  /** When set, the `/v1` endpoints need `Authorization: Bearer TOKEN`. */
  readonly token?: string;
  /** Most policy requests (choices) per `generate` call (default 32). */
  readonly maxBatch?: number;
  /** How long an idle service waits for more requests to batch (default 5 ms). */
  readonly batchWindowMs?: number;
  /** Largest accepted body in bytes (default {@link DEFAULT_POLICY_BODY_LIMIT}). */
  readonly bodyLimitBytes?: number;
  /** Time a client has to send its headers (default 10 s) and its whole request (default 120 s). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Called before each `generate` call (tests and logs). */
  readonly onBatch?: (requests: number, jobs: number) => void;
  /** Where to log errors; default nowhere. */
  readonly log?: (line: string) => void;
}

/** Counters reported by `GET /health`. */
export interface PolicyServerStats {
  requests: number;
  completions: number;
  errors4xx: number;
  errors5xx: number;
  inFlight: number;
}

/** A running policy service. */
export interface PolicyServer {
  /** Base URL, e.g. `http://127.0.0.1:8000` (the OpenAI base URL is this + `/v1`). */
  readonly url: string;
  readonly port: number;
  readonly modelName: string;
  readonly server: Server;
  readonly stats: Readonly<PolicyServerStats>;
  readonly batcher: PolicyBatcher;
  /** Graceful stop (in-flight requests finish; cut after `graceMs`, default 10 s). Does not close the policy. */
  close(graceMs?: number): Promise<void>;
}

const ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/v1/chat/completions': ['POST'],
  '/v1/models': ['GET'],
  '/health': ['GET', 'HEAD'],
};

/**
 * The `chat.completion` body for a job and its answers.
 *
 * @example
 * chatCompletion('vla-r1', job, ['<think>…</think> so, the answer is <output>[[0.1, 0.2]]</output>'], 1700000000);
 * // { id: 'chatcmpl-…', object: 'chat.completion', created: 1700000000, model: 'vla-r1', choices: [{ index: 0, message: { role: 'assistant', content: '…' }, finish_reason: 'stop', logprobs: null }], usage: {…} }
 */
export function chatCompletion(model: string, job: ChatJob, texts: readonly string[], created: number): Record<string, unknown> {
  const promptTokens = 1 + splitPieces(job.request.instruction).length;
  const completionTokens = texts.reduce((sum, text) => sum + splitPieces(text).length, 0);
  return {
    id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
    object: 'chat.completion',
    created,
    model,
    choices: texts.map((text, index) => ({
      index,
      message: { role: 'assistant', content: text, refusal: null },
      logprobs: null,
      finish_reason: /<\/output>/i.test(text) ? 'stop' : 'length',
    })),
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/**
 * Start the policy service and resolve once it listens.
 *
 * @example
 * const service = await startPolicyServer({ policy: await createLocalPolicy('runs/demo/grpo'), port: 0 });
 * const client = new OpenAI({ baseURL: `${service.url}/v1`, apiKey: 'unused' });
 * await service.close();
 */
export async function startPolicyServer(options: PolicyServerOptions): Promise<PolicyServer> {
  const host = options.host ?? '127.0.0.1';
  const modelName = options.modelName ?? 'vla-r1';
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_POLICY_BODY_LIMIT;
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const log = options.log ?? (() => undefined);
  const stats: PolicyServerStats = { requests: 0, completions: 0, errors4xx: 0, errors5xx: 0, inFlight: 0 };
  const batcher = new PolicyBatcher(options.policy, {
    maxBatch: options.maxBatch ?? 32,
    windowMs: options.batchWindowMs ?? 5,
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  });
  const createdAt = Math.floor(Date.now() / 1000);
  let closing = false;

  const server = createServer({
    headersTimeout,
    requestTimeout: Math.max(options.requestTimeoutMs ?? 120_000, headersTimeout),
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 2))),
  });
  server.keepAliveTimeout = 5_000;

  const fail = (res: ServerResponse, error: HttpError, closeConnection = false): void => {
    if (error.status >= 500) stats.errors5xx += 1;
    else stats.errors4xx += 1;
    const headers: Record<string, string> = { ...error.headers };
    if (closeConnection || closing) headers.Connection = 'close';
    sendJson(res, error.status, errorBody(error), headers);
  };

  const complete = async (req: IncomingMessage, signal: AbortSignal): Promise<Record<string, unknown>> => {
    const job = readChatRequest(parseJsonBody(await readBody(req, bodyLimit)));
    if (job.model !== undefined && job.model !== modelName) {
      throw new HttpError(404, `model: ${JSON.stringify(job.model)} is not served here; this service serves ${JSON.stringify(modelName)}`);
    }
    let texts: string[];
    try {
      texts = await batcher.submit(new Array(job.n).fill(job.request), job.sampling, job.seeded, signal);
    } catch (error: unknown) {
      if (error instanceof UserError) {
        throw new HttpError(400, `${job.imageField}: cannot use the image: ${error.message.replace(/^request \d+: image: /, '')}`);
      }
      throw error;
    }
    if (texts.length !== job.n) throw new Error(`the policy answered ${texts.length} of ${job.n} requests`);
    stats.completions += texts.length;
    return chatCompletion(modelName, job, texts, Math.floor(Date.now() / 1000));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const methods = ROUTES[url.pathname];
    const closeUnread = req.method !== 'GET' && req.method !== 'HEAD';
    if (methods === undefined) {
      fail(res, new HttpError(404, `no such endpoint: ${url.pathname} (try POST /v1/chat/completions, GET /v1/models, GET /health)`), closeUnread);
      return;
    }
    if (!methods.includes(req.method ?? '')) {
      fail(res, new HttpError(405, `${url.pathname} accepts ${methods.join(', ')}, not ${req.method ?? '?'}`, undefined, { Allow: methods.join(', ') }), closeUnread);
      return;
    }
    if (url.pathname === '/health') {
      const body = { status: closing ? 'closing' : 'ok', service: 'vla-r1-policy', model: modelName, pid: process.pid, ...stats, batches: batcher.stats.batches, queued: batcher.queued };
      sendJson(res, closing ? 503 : 200, body, closing ? { Connection: 'close' } : {});
      return;
    }
    if (closing) {
      fail(res, new HttpError(503, 'the service is shutting down'), true);
      return;
    }
    if (options.token !== undefined && !tokenMatches(presentedToken(req, url), options.token)) {
      fail(res, new HttpError(401, 'missing or wrong bearer token (Authorization: Bearer TOKEN)', undefined, { 'WWW-Authenticate': 'Bearer' }), closeUnread);
      return;
    }
    if (url.pathname === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: [{ id: modelName, object: 'model', created: createdAt, owned_by: 'vla-r1' }] });
      return;
    }
    stats.inFlight += 1;
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new ClientGoneError('client disconnected before the response'));
    });
    try {
      const body = await complete(req, abort.signal);
      sendJson(res, 200, body, closing ? { Connection: 'close' } : {});
    } catch (error: unknown) {
      if (error instanceof ClientGoneError || abort.signal.aborted) return;
      if (error instanceof HttpError) {
        fail(res, error, error.status === 413);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      log(`policy service: internal error: ${error instanceof Error ? (error.stack ?? message) : message}`);
      fail(res, new HttpError(500, `internal error: ${message}`));
    } finally {
      stats.inFlight -= 1;
      if (closing) server.closeIdleConnections();
    }
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      log(`policy service: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' }, { Connection: 'close' });
    });
  });
  server.on('clientError', answerClientError);

  const port = await listenOn(server, options.port ?? 8000, host, (error) => log(`policy service: server error: ${error.message}`));
  const url = serviceUrl(host, port);
  const close = gracefulClose(server, () => {
    closing = true;
  });

  return { url, port, modelName, server, stats, batcher, close };
}
