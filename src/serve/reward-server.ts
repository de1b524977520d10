/**
 * The reward service: VLA-R1's verifiable reward over HTTP (node:http, no framework).
 *
 * - `POST /get_reward`: OpenRLHF's remote reward format (`{query, prompts, labels}` →
 *   `{rewards, scores, extra_logs}`).
 * - `POST /v1/reward`: our batch form (`[{response, ground_truth, options?}]` →
 *   `[{score, format_score, task_score, mode, iou, giou, alaf, dfd}]`).
 * - `GET /health`: liveness and counters; never behind the token.
 *
 * Loopback by default; optional bearer token; body size limit (413); field-named 4xx errors; slow
 * clients cut off by `headersTimeout` / `requestTimeout`; big batches scored in slices that yield to
 * the event loop, so health checks keep answering; graceful {@link RewardServer.close}.
 *
 * @module
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { RewardOptions } from '../rewards/index.js';
import { presentedToken, tokenMatches } from './bearer-auth.js';
import { gracefulClose, listenOn, serviceUrl } from './http-lifecycle.js';
import {
  ClientGoneError,
  HttpError,
  answerClientError,
  assertDeclaredLengthWithin,
  errorBody,
  readBody,
  sendJson,
  sendText,
} from './http-json.js';
import { batchReward, openRlhfReward } from './reward-routes.js';
import type { RouteContext, ScoreFn } from './reward-routes.js';
import { SliceQueue } from './slice-queue.js';

/** Default body size limit: 8 MiB (about 8,000 answers of 1 KB in one batch). */
export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

/** Options of {@link startRewardServer}. */
export interface RewardServerOptions {
  /** Interface to bind; default `127.0.0.1` (loopback only). */
  readonly host?: string;
  /** Port; default 5000 (OpenRLHF's). 0 picks a free port. */
  readonly port?: number;
  /** When set, reward endpoints need `Authorization: Bearer TOKEN` (or `?token=TOKEN`). */
  readonly token?: string;
  /** Largest accepted body in bytes (default {@link DEFAULT_BODY_LIMIT}). */
  readonly bodyLimitBytes?: number;
  /** Time a client has to send its headers (default 10 s; slowloris guard). */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send its whole request (default 120 s). */
  readonly requestTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this long (default 5 s). */
  readonly keepAliveTimeoutMs?: number;
  /** Longest stretch of scoring before the event loop turns, over all requests (default 4 ms; see SliceQueue). */
  readonly sliceMs?: number;
  /** Reward options applied to every request (a `/v1/reward` item's own options override them). */
  readonly rewardOptions?: RewardOptions;
  /** The reward function; default `computeScore` from `src/rewards`. */
  readonly score?: ScoreFn;
  /** Where to log errors and lifecycle lines; default nowhere. */
  readonly log?: (line: string) => void;
}

/** Counters reported by `GET /health`. */
export interface RewardServerStats {
  requests: number;
  itemsScored: number;
  errors4xx: number;
  errors5xx: number;
  inFlight: number;
  /** Requests whose body has arrived: queued or being parsed and scored. */
  scoring: number;
}

/** A running reward service. */
export interface RewardServer {
  /** Base URL, e.g. `http://127.0.0.1:5000`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly server: Server;
  readonly stats: Readonly<RewardServerStats>;
  /**
   * Graceful stop: stop accepting connections, close idle keep-alive connections, let in-flight
   * requests finish (new requests on open connections get 503), then resolve. Connections still open
   * after `graceMs` (default 10 s) are cut.
   */
  close(graceMs?: number): Promise<void>;
}

type Route = 'health' | 'get_reward' | 'v1_reward';

const ROUTES: Readonly<Record<string, { route: Route; methods: readonly string[] }>> = {
  '/health': { route: 'health', methods: ['GET', 'HEAD'] },
  '/get_reward': { route: 'get_reward', methods: ['POST'] },
  '/v1/reward': { route: 'v1_reward', methods: ['POST'] },
};

/** CPU time this process has used (user + system), in seconds. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Start the reward service and resolve once it listens.
 *
 * @example
 * const service = await startRewardServer({ port: 0 });
 * const res = await fetch(`${service.url}/v1/reward`, { method: 'POST', body: JSON.stringify([{ response, ground_truth }]) });
 * await service.close();
 */
export async function startRewardServer(options: RewardServerOptions = {}): Promise<RewardServer> {
  const host = options.host ?? '127.0.0.1';
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = Math.max(options.requestTimeoutMs ?? 120_000, headersTimeout);
  const log = options.log ?? (() => undefined);
  const score = options.score ?? (await import('../rewards/index.js')).computeScore;
  const stats: RewardServerStats = { requests: 0, itemsScored: 0, errors4xx: 0, errors5xx: 0, inFlight: 0, scoring: 0 };
  const startedAt = Date.now();
  let closing = false;
  const queue = new SliceQueue({ sliceMs: options.sliceMs });

  const server = createServer({
    headersTimeout,
    requestTimeout,
    // How often Node checks the two timeouts above (its default, 30 s, would let a slow client linger).
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 2))),
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5_000;

  const fail = (res: ServerResponse, error: HttpError, closeConnection: boolean): void => {
    if (error.status >= 500) stats.errors5xx += 1;
    else stats.errors4xx += 1;
    const headers: Record<string, string> = { ...error.headers };
    if (closeConnection || closing) headers.Connection = 'close';
    sendJson(res, error.status, errorBody(error), headers);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> => {
    stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const entry = ROUTES[url.pathname];
    // A request whose body we will not read: answer, then close the connection (the unread body
    // cannot be skipped reliably on a keep-alive connection).
    const closeUnread = !expectsContinue && req.method !== 'GET' && req.method !== 'HEAD';
    if (entry === undefined) {
      fail(res, new HttpError(404, `no such endpoint: ${url.pathname} (try POST /get_reward, POST /v1/reward, GET /health)`), closeUnread);
      return;
    }
    if (!entry.methods.includes(req.method ?? '')) {
      fail(
        res,
        new HttpError(405, `${url.pathname} accepts ${entry.methods.join(', ')}, not ${req.method ?? '?'}`, undefined, {
          Allow: entry.methods.join(', '),
        }),
        closeUnread,
      );
      return;
    }
    if (entry.route === 'health') {
      const body = {
        status: closing ? 'closing' : 'ok',
        service: 'vla-r1-reward',
        pid: process.pid,
        uptime_s: (Date.now() - startedAt) / 1000,
        cpu_s: cpuSeconds(),
        in_flight: stats.inFlight,
        scoring: stats.scoring,
        requests: stats.requests,
        items_scored: stats.itemsScored,
        errors_4xx: stats.errors4xx,
        errors_5xx: stats.errors5xx,
      };
      sendJson(res, closing ? 503 : 200, body, closing ? { Connection: 'close' } : {});
      return;
    }
    if (closing) {
      fail(res, new HttpError(503, 'the service is shutting down'), true);
      return;
    }
    if (options.token !== undefined && !tokenMatches(presentedToken(req, url), options.token)) {
      fail(res, new HttpError(401, 'missing or wrong bearer token (Authorization: Bearer TOKEN)', undefined, { 'WWW-Authenticate': 'Bearer' }), !expectsContinue);
      return;
    }

    stats.inFlight += 1;
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new ClientGoneError('client disconnected before the response'));
    });
    try {
      if (expectsContinue) {
        assertDeclaredLengthWithin(req, bodyLimit); // refuse before the client sends the body
        res.writeContinue();
      }
      const raw = await readBody(req, bodyLimit);
      const ctx: RouteContext = { score, defaults: options.rewardOptions ?? {}, queue, signal: abort.signal };
      stats.scoring += 1;
      try {
        if (entry.route === 'get_reward') {
          const out = await openRlhfReward(raw, ctx);
          stats.itemsScored += out.rewards.length;
          sendJson(res, 200, out, closing ? { Connection: 'close' } : {});
        } else {
          const answer = await batchReward(raw, ctx);
          stats.itemsScored += answer.count;
          sendText(res, 200, answer.json, closing ? { Connection: 'close' } : {});
        }
      } finally {
        stats.scoring -= 1;
      }
    } catch (error: unknown) {
      if (error instanceof ClientGoneError || abort.signal.aborted) return;
      if (error instanceof HttpError) {
        // An oversized body is left unread: the connection cannot be reused.
        fail(res, error, error.status === 413);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      log(`reward service: internal error on ${req.method ?? '?'} ${url.pathname}: ${error instanceof Error ? (error.stack ?? message) : message}`);
      fail(res, new HttpError(500, `internal error: ${message}`), false);
    } finally {
      stats.inFlight -= 1;
      if (closing) server.closeIdleConnections();
    }
  };

  const dispatch = (expectsContinue: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, expectsContinue).catch((error: unknown) => {
      log(`reward service: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' }, { Connection: 'close' });
    });
  };
  server.on('request', dispatch(false));
  server.on('checkContinue', dispatch(true));
  // A malformed request line or headers, or a client too slow: answer instead of dropping the socket silently.
  server.on('clientError', answerClientError);

  const port = await listenOn(server, options.port ?? 5000, host, (error) => log(`reward service: server error: ${error.message}`));
  const url = serviceUrl(host, port);
  const close = gracefulClose(server, () => {
    closing = true;
  });

  return { url, host, port, server, stats, close };
}
