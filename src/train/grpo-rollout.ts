/**
 * The sampling and scoring half of a GRPO step: every prompt is repeated G times, the policy samples one
 * answer per copy (one batched, KV-cached generation), and each answer text is scored with the official
 * verifiable reward (`computeScore`) against the record's ground-truth answer.
 */
import type { Generation, GenerationInput, Generator } from '../model/generate.js';
import { Rng } from '../model/rng.js';
import type { TaskKind } from '../protocol/types.js';
import type { RewardResult } from '../rewards/index.js';
import { computeScore } from '../rewards/index.js';
import type { SampledSequence } from './grpo-batch.js';

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
  return generator.generate(inputs, { temperature: options.temperature, topP: options.topP, seed: options.seed, batchSize: inputs.length, ...reasoning, ...answer });
}

/**
 * Score sampled answers (`groupSize` consecutive answers per prompt) with the official reward.
 *
 * @example
 * const scored = scoreGroups(prompts, await sampleGroups(generator, prompts, 5, sampling), 5);
 * scored[0].reward.score; // in [0, 1]
 */
export function scoreGroups(prompts: readonly GroupPrompt[], generations: readonly Generation[], groupSize: number): ScoredSample[] {
  if (generations.length !== prompts.length * groupSize) throw new Error(`scoreGroups: expected ${prompts.length * groupSize} answers, got ${generations.length}`);
  return generations.map((g, i) => {
    const p = prompts[Math.floor(i / groupSize)] as GroupPrompt;
    return {
      patches: p.patches,
      prompt: p.prompt,
      kind: p.kind,
      tokens: g.tokens,
      logProbs: g.logProbs,
      text: g.text,
      finished: g.finished,
      reward: computeScore(g.text, p.answer),
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
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Summarise the scored answers of a step.
 *
 * @example
 * summariseRewards(scored).mean; // mean reward of the step
 */
export function summariseRewards(samples: readonly ScoredSample[]): RewardSummary {
  const scores = samples.map((s) => s.reward.score);
  const m = mean(scores) ?? 0;
  const variance = mean(scores.map((s) => (s - m) ** 2)) ?? 0;
  const ofKind = (kind: TaskKind): number | null => mean(samples.filter((s) => s.kind === kind).map((s) => s.reward.score));
  return {
    mean: m,
    std: Math.sqrt(variance),
    format: mean(samples.map((s) => s.reward.formatScore)) ?? 0,
    task: mean(samples.map((s) => s.reward.taskScore)) ?? 0,
    affordance: ofKind('affordance'),
    trajectory: ofKind('trajectory'),
    iou: mean(samples.flatMap((s) => (s.reward.iou === null ? [] : [s.reward.iou]))),
    length: mean(samples.map((s) => s.tokens.length)) ?? 0,
    finished: mean(samples.map((s) => (s.finished ? 1 : 0))) ?? 0,
  };
}
