/**
 * The sampling and scoring half of a GRPO step: every prompt is repeated G times, the policy samples one
 * answer per copy (one batched, KV-cached generation), and each answer text is scored with the official
 * verifiable reward (`computeScore`) against the record's ground-truth answer.
 */
import { UserError } from '../errors.js';
import { sampleMetrics } from '../eval/metrics.js';
import type { Generation, GenerationInput, Generator } from '../model/generate.js';
import { Rng } from '../model/rng.js';
import { parseAnswer } from '../protocol/answer.js';
import type { TaskKind } from '../protocol/types.js';
import type { RewardOptions, RewardResult } from '../rewards/index.js';
import { computeScore } from '../rewards/index.js';
import type { SampledSequence } from './grpo-batch.js';
import { meanGroupCorrelation } from './group-correlation.js';

/** One prompt of a step. */
export interface GroupPrompt {
  readonly patches: Float32Array;
  readonly prompt: readonly number[];
  readonly kind: TaskKind;
  /** The ground-truth answer text (the record's gpt turn). */
  readonly answer: string;
}

/** One scored answer. */
export interface ScoredSample extends SampledSequence {
  readonly text: string;
  readonly finished: boolean;
  readonly reward: RewardResult;
  /**
   * The answer's score under the evaluation metric, higher is better: IoU ×100 for a box, −Avg (the mean of
   * DFD, HD and RMSE on [0, 1000)) for a trajectory, failures counted as evaluation counts them; null when the
   * ground truth does not parse.
   */
  readonly metric: number | null;
}

/**
 * The sampling seed of a step: a hash of the run seed and the step, so a resumed run samples what the
 * uninterrupted run would have sampled.
 *
 * @example
 * stepSeed(0, 1) === stepSeed(0, 1); // true; stepSeed(0, 2) differs
 */
export function stepSeed(seed: number, step: number): number {
  const rng = new Rng((seed ^ Math.imul(step + 1, 0x9e3779b9)) >>> 0);
  return rng.u32();
}

/** How a step samples. */
export interface GroupSampling {
  readonly temperature: number;
  readonly topP: number;
  /** Temperature of the rationale's steps (default: `temperature`). */
  readonly reasoningTemperature?: number;
  /** How the answer's steps are decoded (default `sample`; see `GenerationOptions.answerDecoding`). */
  readonly answerDecoding?: 'sample' | 'greedy';
  readonly seed: number;
  /** Most sequences generated at once (default: all of them in one batch); more are generated in turn. */
  readonly batchSize?: number;
}

/**
 * Refuse greedy answer decoding for a model that does not reason: only its rationale would be sampled, and a
 * plain model writes none.
 *
 * @example
 * requireRationaleToSample('greedy', { thinking: false }, 'runs/sft'); // throws a UserError naming runs/sft
 */
export function requireRationaleToSample(answerDecoding: 'sample' | 'greedy', grammar: { readonly thinking: boolean }, checkpoint: string): void {
  if (answerDecoding === 'greedy' && !grammar.thinking) {
    throw new UserError(`--answer-decoding greedy: the model in ${checkpoint} does not reason (plain SFT), so it would have nothing left to sample`);
  }
}

/**
 * Sample `groupSize` answers for every prompt (in prompt order: the group of prompt 0, then of prompt 1…),
 * all in one generation batch.
 *
 * @example
 * const samples = await sampleGroups(generator, prompts, 5, { temperature: 1, topP: 1, seed: stepSeed(0, 1) });
 */
export async function sampleGroups(generator: Generator, prompts: readonly GroupPrompt[], groupSize: number, options: GroupSampling): Promise<Generation[]> {
  const inputs: GenerationInput[] = prompts.flatMap((p) => Array.from({ length: groupSize }, () => ({ patches: p.patches, prompt: p.prompt, kind: p.kind })));
  const reasoning = options.reasoningTemperature === undefined ? {} : { reasoningTemperature: options.reasoningTemperature };
  const answer = options.answerDecoding === undefined ? {} : { answerDecoding: options.answerDecoding };
  const batchSize = Math.min(inputs.length, options.batchSize ?? inputs.length);
  return generator.generate(inputs, { temperature: options.temperature, topP: options.topP, seed: options.seed, batchSize, ...reasoning, ...answer });
}

/**
 * Score sampled answers (`groupSize` consecutive answers per prompt) with the official reward (or with other
 * ALAF weights, `rewardOptions`), and with the evaluation metric.
 *
 * @example
 * const scored = scoreGroups(prompts, await sampleGroups(generator, prompts, 5, sampling), 5);
 * scored[0].reward.score; // in [0, 1]
 */
export function scoreGroups(
  prompts: readonly GroupPrompt[],
  generations: readonly Generation[],
  groupSize: number,
  rewardOptions: RewardOptions = {},
): ScoredSample[] {
  if (generations.length !== prompts.length * groupSize) throw new Error(`scoreGroups: expected ${prompts.length * groupSize} answers, got ${generations.length}`);
  const truths = prompts.map((p) => {
    const parsed = parseAnswer(p.answer, p.kind);
    return parsed.ok && (parsed.action.kind !== 'trajectory' || parsed.action.points.length > 0) ? parsed.action : undefined;
  });
  return generations.map((g, i) => {
    const p = prompts[Math.floor(i / groupSize)] as GroupPrompt;
    const truth = truths[Math.floor(i / groupSize)];
    const metrics = truth === undefined ? undefined : sampleMetrics(g.text, truth);
    return {
      patches: p.patches,
      prompt: p.prompt,
      kind: p.kind,
      tokens: g.tokens,
      logProbs: g.logProbs,
      text: g.text,
      finished: g.finished,
      reward: computeScore(g.text, p.answer, rewardOptions),
      metric: metrics === undefined ? null : metrics.kind === 'affordance' ? 100 * metrics.iou : -metrics.avg,
    };
  });
}

/** Reward statistics of a step. */
export interface RewardSummary {
  readonly mean: number;
  /** Population standard deviation over all answers of the step. */
  readonly std: number;
  /** Mean format part (0/1). */
  readonly format: number;
  /** Mean task part. */
  readonly task: number;
  /** Mean reward of affordance / trajectory answers (null when the step had none). */
  readonly affordance: number | null;
  readonly trajectory: number | null;
  /** Mean IoU of affordance answers in box mode (null when none). */
  readonly iou: number | null;
  /** Mean generated tokens per answer. */
  readonly length: number;
  /** Share of answers that reached `<eos>`. */
  readonly finished: number;
  /**
   * Within-group Pearson correlation of the reward with the evaluation metric (`ScoredSample.metric`), the
   * mean over the groups of affordance / trajectory prompts in which both vary (null when none does): how
   * far the group-relative advantages point toward answers the evaluation scores higher.
   */
  readonly agreementAffordance: number | null;
  readonly agreementTrajectory: number | null;
}

/**
 * {@link RewardSummary.agreementAffordance} / `agreementTrajectory` for one task kind: the mean within-group
 * correlation of the reward with `ScoredSample.metric` over that kind's groups (`groupSize` consecutive samples
 * of one prompt) that have a metric and in which both vary; null when there is none.
 *
 * @example
 * rewardMetricAgreement(scored, 5, 'trajectory'); // e.g. 0.5: the reward ranks a group loosely as −Avg does
 */
export function rewardMetricAgreement(samples: readonly ScoredSample[], groupSize: number, kind: TaskKind): number | null {
  const usable = (g: number): boolean => {
    const first = samples[g * groupSize] as ScoredSample;
    return first.kind === kind && first.metric !== null;
  };
  return meanGroupCorrelation(
    samples.map((s) => s.reward.score),
    samples.map((s) => s.metric ?? 0),
    groupSize,
    usable,
  );
}

/**
 * The mean of `values`, or null when there is none.
 *
 * @example
 * meanOrNull([1, 2]); // 1.5
 * meanOrNull([]); // null
 */
export function meanOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Summarise the scored answers of a step.
 *
 * @example
 * summariseRewards(scored).mean; // mean reward of the step
 */
export function summariseRewards(samples: readonly ScoredSample[], groupSize: number): RewardSummary {
  const scores = samples.map((s) => s.reward.score);
  const m = meanOrNull(scores) ?? 0;
  const variance = meanOrNull(scores.map((s) => (s - m) ** 2)) ?? 0;
  const ofKind = (kind: TaskKind): number | null => meanOrNull(samples.filter((s) => s.kind === kind).map((s) => s.reward.score));
  return {
    mean: m,
    std: Math.sqrt(variance),
    format: meanOrNull(samples.map((s) => s.reward.formatScore)) ?? 0,
    task: meanOrNull(samples.map((s) => s.reward.taskScore)) ?? 0,
    affordance: ofKind('affordance'),
    trajectory: ofKind('trajectory'),
    iou: meanOrNull(samples.flatMap((s) => (s.reward.iou === null ? [] : [s.reward.iou]))),
    length: meanOrNull(samples.map((s) => s.tokens.length)) ?? 0,
    finished: meanOrNull(samples.map((s) => (s.finished ? 1 : 0))) ?? 0,
    agreementAffordance: rewardMetricAgreement(samples, groupSize, 'affordance'),
    agreementTrajectory: rewardMetricAgreement(samples, groupSize, 'trajectory'),
  };
}
