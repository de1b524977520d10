/**
 * The two reward endpoints as functions of a parsed JSON body: validation (zod, field-named errors),
 * scoring in event-loop-friendly slices, and the response bodies.
 *
 * @module
 */
import type { z } from 'zod';
import { rewardResultJson } from '../cli/commands/reward.js';
import type { RewardOptions, RewardResult } from '../rewards/index.js';
import { HttpError } from './http-json.js';
import { OpenRlhfRequestSchema, RewardBatchSchema } from './reward-requests.js';
import { responseFromQuery } from './response-from-query.js';
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

function validate<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(400, describeZodError(parsed.error), { issues: fieldIssues(parsed.error) });
  }
  return parsed.data;
}

/**
 * `POST /get_reward` (OpenRLHF): score the response part of each query (see {@link responseFromQuery})
 * against its label. `rewards` and `scores` are both the VLA-R1 score in [0, 1].
 *
 * @example
 * await openRlhfReward({ query: [prompt + answer], prompts: [prompt], labels: [gt] }, { score: computeScore, defaults: {}, queue: new SliceQueue() });
 * // { rewards: [0.93], scores: [0.93], extra_logs: { format_score: [1], task_score: [0.92] } }
 */
export async function openRlhfReward(body: unknown, ctx: RouteContext): Promise<OpenRlhfResponse> {
  const request = validate(OpenRlhfRequestSchema, body);
  const responses = request.query.map((query, i) => {
    const response = responseFromQuery(query, request.prompts[i] as string);
    if (response === undefined) {
      throw new HttpError(422, `query[${i}]: does not contain its prompt (prompts[${i}]), so the response cannot be told apart`);
    }
    return response;
  });
  const results = await ctx.queue.map(responses, (response, i) => ctx.score(response, request.labels[i] as string, ctx.defaults), {
    signal: ctx.signal,
  });
  const scores = results.map((r) => r.score);
  return {
    rewards: scores,
    scores,
    extra_logs: { format_score: results.map((r) => r.formatScore), task_score: results.map((r) => r.taskScore) },
  };
}

/**
 * `POST /v1/reward`: `[{response, ground_truth, options?}]` → the JSON text of
 * `[{score, format_score, task_score, mode, iou, giou, alaf, dfd}]`, the same objects `vla-r1 reward` writes.
 *
 * @example
 * await batchReward([{ response: answer, ground_truth: gt }], { score: computeScore, defaults: {}, queue: new SliceQueue() });
 * // '[{"score":0.93,"format_score":1,"task_score":0.92,"mode":"box","iou":0.8,"giou":0.84,"alaf":null,"dfd":null}]'
 */
export async function batchReward(body: unknown, ctx: RouteContext): Promise<string> {
  const items = validate(RewardBatchSchema, body);
  const json = await ctx.queue.map(
    items,
    (item) =>
      rewardResultJson(
        ctx.score(item.response, item.ground_truth, item.options === undefined ? ctx.defaults : { ...ctx.defaults, ...item.options }),
      ),
    { signal: ctx.signal },
  );
  return `[${json.join(',')}]`;
}
