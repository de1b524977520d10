/**
 * The two reward endpoints as functions of the raw request body: parsing, validation (a fast check of
 * the common case, zod for field-named errors), scoring in the server's time-sliced queue, and the
 * response bodies.
 *
 * @module
 */
import type { z } from 'zod';
import { rewardResultJson } from '../rewards/index.js';
import type { RewardOptions, RewardResult } from '../rewards/index.js';
import { HttpError, parseJsonBody } from './http-json.js';
import { OpenRlhfRequestSchema, RewardBatchSchema } from './reward-requests.js';
import type { OpenRlhfRequest, RewardItem } from './reward-requests.js';
import { responseFromQuery } from './response-from-query.js';
import { MORE, mapUntil } from './slice-queue.js';
import type { SliceQueue } from './slice-queue.js';
import { describeZodError, fieldIssues } from './zod-issues.js';

/** The reward function the service calls: `computeScore` of `src/rewards` (tests may inject another). */
export type ScoreFn = (response: string, groundTruth: string, options?: RewardOptions) => RewardResult;

/** What a route needs besides the body. */
export interface RouteContext {
  readonly score: ScoreFn;
  /** Server-wide defaults; a batch item's own `options` override them key by key. */
  readonly defaults: RewardOptions;
  /** The server's work queue: scoring runs in its time slices. */
  readonly queue: SliceQueue;
  /** Aborted when the client goes away: the rest of its batch is skipped. */
  readonly signal?: AbortSignal;
}

/** OpenRLHF's remote reward response. `extra_logs` holds per-sample numbers only (OpenRLHF makes tensors of them). */
export interface OpenRlhfResponse {
  readonly rewards: number[];
  readonly scores: number[];
  readonly extra_logs: { readonly format_score: number[]; readonly task_score: number[] };
}

/**
 * Validate `body` with `schema`; `isValid` is a hand-written check of the common case (it must imply the schema),
 * which skips zod's copy of every item. zod runs when it fails, to name the field.
 */
function validate<T>(schema: z.ZodType<T>, body: unknown, isValid: (body: unknown) => body is T): T {
  if (isValid(body)) return body;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(400, describeZodError(parsed.error), { issues: fieldIssues(parsed.error) });
  }
  return parsed.data;
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** The common OpenRLHF request: three string arrays of one length. */
function isPlainOpenRlhfRequest(body: unknown): body is OpenRlhfRequest {
  if (typeof body !== 'object' || body === null) return false;
  const { query, prompts, labels } = body as Record<string, unknown>;
  return (
    isStringArray(query) && isStringArray(prompts) && isStringArray(labels) && prompts.length === query.length && labels.length === query.length
  );
}

/** The common batch: items with string `response` and `ground_truth` and no `options`. */
function isPlainBatch(body: unknown): body is RewardItem[] {
  return (
    Array.isArray(body) &&
    body.every((item: unknown) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
      const { response, ground_truth, options } = item as Record<string, unknown>;
      return typeof response === 'string' && typeof ground_truth === 'string' && options === undefined;
    })
  );
}

/**
 * `POST /get_reward` (OpenRLHF): score the response part of each query (see {@link responseFromQuery})
 * against its label. `rewards` and `scores` are both the VLA-R1 score in [0, 1].
 *
 * The body is parsed, validated and scored in one job of the queue (see {@link SliceQueue}).
 *
 * @example
 * await openRlhfReward(Buffer.from(JSON.stringify({ query: [prompt + answer], prompts: [prompt], labels: [gt] })), ctx);
 * // { rewards: [0.93], scores: [0.93], extra_logs: { format_score: [1], task_score: [0.92] } }
 */
export function openRlhfReward(raw: Buffer, ctx: RouteContext): Promise<OpenRlhfResponse> {
  let request: OpenRlhfRequest | undefined;
  let responses: string[] = [];
  let results: RewardResult[] = [];
  let next = 0;
  return ctx.queue.run((deadline) => {
    if (request === undefined) {
      request = validate(OpenRlhfRequestSchema, parseJsonBody(raw), isPlainOpenRlhfRequest);
      const prompts = request.prompts;
      responses = request.query.map((query, i) => {
        const response = responseFromQuery(query, prompts[i] as string);
        if (response === undefined) {
          throw new HttpError(422, `query[${i}]: does not contain its prompt (prompts[${i}]), so the response cannot be told apart`);
        }
        return response;
      });
      results = new Array<RewardResult>(responses.length);
    }
    const labels = request.labels;
    next = mapUntil(responses, (response, i) => ctx.score(response, labels[i] as string, ctx.defaults), results, next, deadline);
    if (next < responses.length) return MORE;
    const scores = results.map((r) => r.score);
    return {
      rewards: scores,
      scores,
      extra_logs: { format_score: results.map((r) => r.formatScore), task_score: results.map((r) => r.taskScore) },
    };
  }, { signal: ctx.signal });
}

/** What {@link batchReward} answers: the JSON text and how many items it scored. */
export interface BatchRewardAnswer {
  readonly json: string;
  readonly count: number;
}

/**
 * `POST /v1/reward`: `[{response, ground_truth, options?}]` → the JSON text of
 * `[{score, format_score, task_score, mode, iou, giou, alaf, dfd}]`, the same objects `vla-r1 reward` writes.
 *
 * The body is parsed, validated and scored in one job of the queue (see {@link SliceQueue}).
 *
 * @example
 * await batchReward(Buffer.from(JSON.stringify([{ response: answer, ground_truth: gt }])), ctx);
 * // { json: '[{"score":0.93,"format_score":1,"task_score":0.92,"mode":"box","iou":0.8,"giou":0.84,"alaf":null,"dfd":null}]', count: 1 }
 */
export function batchReward(raw: Buffer, ctx: RouteContext): Promise<BatchRewardAnswer> {
  let items: RewardItem[] | undefined;
  let out: string[] = [];
  let next = 0;
  const scoreItem = (item: RewardItem): string =>
    rewardResultJson(
      ctx.score(item.response, item.ground_truth, item.options === undefined ? ctx.defaults : { ...ctx.defaults, ...item.options }),
    );
  return ctx.queue.run((deadline) => {
    if (items === undefined) {
      items = validate(RewardBatchSchema, parseJsonBody(raw), isPlainBatch);
      out = new Array<string>(items.length);
    }
    next = mapUntil(items, scoreItem, out, next, deadline);
    if (next < items.length) return MORE;
    return { json: `[${out.join(',')}]`, count: items.length };
  }, { signal: ctx.signal });
}
