/**
 * What GRPO would see from a checkpoint, without training it: for the first prompts of a dataset file, the
 * greedy answer's reward, G sampled answers per prompt (as a GRPO step samples them), their reward's spread and
 * best of G, and how well the reward ranks each group's answers as the evaluation metric does. GRPO moves the
 * policy toward the answers its reward ranks higher within a group; where that ranking disagrees with the
 * metric, a rising reward need not move the metric.
 */
import { readRecords } from '../data/records.js';
import { UserError } from '../errors.js';
import { ALAF_DEFAULTS } from '../geometry/alafDistance.js';
import type { Generation } from '../model/generate.js';
import { Generator } from '../model/generate.js';
import { classTemperatures } from '../model/grammar.js';
import { patchify } from '../model/image.js';
import { disposeModel, loadModel } from '../model/load.js';
import type { TaskKind } from '../protocol/types.js';
import { computeScore } from '../rewards/index.js';
import { buildExamples } from './examples.js';
import type { GradientProbe } from './grpo-gradient-probe.js';
import { formatGradientProbe, probeGradients } from './grpo-gradient-probe.js';
import type { GroupPrompt, ScoredSample } from './grpo-rollout.js';
import { meanOrNull, requireRationaleToSample, rewardMetricAgreement, sampleGroups, scoreGroups, stepSeed } from './grpo-rollout.js';

/** How to probe. */
export interface GrpoProbeOptions {
  /** Prompts taken from the start of the file. Default 96. */
  readonly prompts?: number;
  /** Answers sampled per prompt. Default 8. */
  readonly groupSize?: number;
  /** Default 1. */
  readonly temperature?: number;
  /** Default 1. */
  readonly topP?: number;
  readonly reasoningTemperature?: number;
  /** Default `sample`. */
  readonly answerDecoding?: 'sample' | 'greedy';
  /** ALAF weights of the reward (default the official 0.25 / 0.1). */
  readonly lambdaAngle?: number;
  readonly lambdaLength?: number;
  /** Sampling seed. Default 0. */
  readonly seed?: number;
  /** Also measure the gradients' noise (`grpo-gradient-probe.ts`): one GRPO and one supervised gradient pass per prompt. Default false. */
  readonly gradients?: boolean;
}

/** The probe of one task kind. */
export interface KindProbe {
  readonly kind: TaskKind;
  /** Prompts of this kind. */
  readonly prompts: number;
  /** Mean reward of the greedy answers. */
  readonly greedyReward: number;
  /** Mean reward of the sampled answers. */
  readonly sampledReward: number;
  /** Mean over prompts of the best sampled reward. */
  readonly bestOfGroup: number;
  /** Mean over prompts of the reward's standard deviation within the group. */
  readonly groupStd: number;
  /**
   * Mean within-group correlation of the reward with the metric (IoU ×100 for boxes, −Avg for
   * trajectories) over the groups in which both vary; null when none does.
   */
  readonly agreement: number | null;
  /**
   * Mean over groups of the metric of the best-rewarded answer minus the group's mean metric: what picking
   * answers by reward gains on the metric (IoU points; for trajectories, Avg points saved).
   */
  readonly metricGainOfBestReward: number | null;
  /** The same for the answer best by the metric itself: the most any choice could gain. */
  readonly metricGainPossible: number | null;
}

/** What {@link probeGrpo} reports. */
export interface GrpoProbe {
  readonly checkpoint: string;
  readonly data: string;
  readonly options: Required<Omit<GrpoProbeOptions, 'reasoningTemperature'>> & { readonly reasoningTemperature: number | null };
  readonly kinds: KindProbe[];
  /** With the `gradients` option: how much of a GRPO step is signal. */
  readonly gradients?: GradientProbe;
}

/**
 * Prompts whose answers are sampled in one generation batch: a batch of 192 prompts × 8 answers exceeds the
 * engine's 4 GiB of memory. The first batch uses the probe's seed itself, so a probe of up to this many prompts
 * samples exactly what one batch would.
 */
const PROMPTS_PER_BATCH = 96;

/** The prompts per step at which the text table reads the gradients' step agreement: the demo's. */
const STEP_PROMPTS = 8;

/**
 * Per-kind statistics of scored groups (`groupSize` consecutive samples per prompt) and of the prompts' greedy
 * rewards (one per prompt).
 *
 * @example
 * const [affordance] = probeStats(scored, greedyRewards, 8);
 * affordance.bestOfGroup - affordance.greedyReward; // what the best of 8 samples adds over greedy decoding
 */
export function probeStats(scored: readonly ScoredSample[], greedyRewards: readonly number[], groupSize: number): KindProbe[] {
  if (scored.length !== greedyRewards.length * groupSize) {
    throw new RangeError(`probeStats: ${scored.length} samples for ${greedyRewards.length} prompts of ${groupSize}`);
  }
  const kinds: TaskKind[] = ['affordance', 'trajectory'];
  const out: KindProbe[] = [];
  for (const kind of kinds) {
    const groups = greedyRewards.map((_, g) => g).filter((g) => (scored[g * groupSize] as ScoredSample).kind === kind);
    if (groups.length === 0) continue;
    const group = (g: number): ScoredSample[] => scored.slice(g * groupSize, (g + 1) * groupSize);
    const rewards = (g: number): number[] => group(g).map((s) => s.reward.score);
    const withMetric = groups.filter((g) => group(g).every((s) => s.metric !== null));
    const gain = (pick: (samples: ScoredSample[]) => ScoredSample): number | null =>
      meanOrNull(
        withMetric.map((g) => {
          const samples = group(g);
          const metrics = samples.map((s) => s.metric as number);
          return (pick(samples).metric as number) - metrics.reduce((a, b) => a + b, 0) / metrics.length;
        }),
      );
    const byReward = (samples: ScoredSample[]): ScoredSample => samples.reduce((best, s) => (s.reward.score > best.reward.score ? s : best));
    const byMetric = (samples: ScoredSample[]): ScoredSample => samples.reduce((best, s) => ((s.metric as number) > (best.metric as number) ? s : best));
    out.push({
      kind,
      prompts: groups.length,
      greedyReward: meanOrNull(groups.map((g) => greedyRewards[g] as number)) ?? 0,
      sampledReward: meanOrNull(groups.flatMap(rewards)) ?? 0,
      bestOfGroup: meanOrNull(groups.map((g) => Math.max(...rewards(g)))) ?? 0,
      groupStd:
        meanOrNull(
          groups.map((g) => {
            const r = rewards(g);
            const m = r.reduce((a, b) => a + b, 0) / r.length;
            return Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / r.length);
          }),
        ) ?? 0,
      agreement: rewardMetricAgreement(scored, groupSize, kind),
      metricGainOfBestReward: gain(byReward),
      metricGainPossible: gain(byMetric),
    });
  }
  return out;
}

/**
 * Sample groups from a checkpoint as GRPO would and measure them (see the module comment).
 *
 * @example
 * const probe = await probeGrpo({ checkpoint: 'runs/demo/sft_cot', data: 'runs/demo/data/train.json' });
 * probe.kinds[1].agreement; // how well the trajectory reward ranks a group as −Avg does
 */
export async function probeGrpo(run: { readonly checkpoint: string; readonly data: string; readonly options?: GrpoProbeOptions }): Promise<GrpoProbe> {
  const o = run.options ?? {};
  const options = {
    prompts: o.prompts ?? 96,
    groupSize: o.groupSize ?? 8,
    temperature: o.temperature ?? 1,
    topP: o.topP ?? 1,
    reasoningTemperature: o.reasoningTemperature ?? null,
    answerDecoding: o.answerDecoding ?? 'sample',
    lambdaAngle: o.lambdaAngle ?? ALAF_DEFAULTS.lambdaAngle,
    lambdaLength: o.lambdaLength ?? ALAF_DEFAULTS.lambdaLength,
    seed: o.seed ?? 0,
    gradients: o.gradients ?? false,
  } as const;
  if (!Number.isInteger(options.prompts) || options.prompts < 1) throw new UserError(`probe: prompts must be a positive integer, got ${options.prompts}`);
  if (!Number.isInteger(options.groupSize) || options.groupSize < 2) throw new UserError(`probe: a group needs at least 2 answers, got ${options.groupSize}`);
  const model = await loadModel(run.checkpoint);
  let generator: Generator | undefined;
  try {
    requireRationaleToSample(options.answerDecoding, model.grammar, run.checkpoint);
    generator = new Generator(model);
    const records = (await readRecords(run.data)).slice(0, options.prompts);
    if (records.length === 0) throw new UserError(`${run.data}: no records`);
    const examples = await buildExamples(records, model.tokenizer, model.config.imageSize, model.grammar.thinking);
    const prompts: GroupPrompt[] = examples.map((ex) => ({ patches: patchify(ex.rgb, model.config), prompt: ex.prompt, kind: ex.kind, answer: ex.answer }));
    const rewardOptions = { lambdaAngle: options.lambdaAngle, lambdaLength: options.lambdaLength };
    const greedy = await generator.generate(prompts, {});
    const greedyRewards = greedy.map((g, i) => computeScore(g.text, (prompts[i] as GroupPrompt).answer, rewardOptions).score);
    const sampled: Generation[] = [];
    for (let start = 0; start < prompts.length; start += PROMPTS_PER_BATCH) {
      const batch = start / PROMPTS_PER_BATCH;
      const generations = await sampleGroups(generator, prompts.slice(start, start + PROMPTS_PER_BATCH), options.groupSize, {
        temperature: options.temperature,
        topP: options.topP,
        seed: batch === 0 ? options.seed : stepSeed(options.seed, batch),
        answerDecoding: options.answerDecoding,
        ...(options.reasoningTemperature === null ? {} : { reasoningTemperature: options.reasoningTemperature }),
      });
      sampled.push(...generations);
    }
    const scored = scoreGroups(prompts, sampled, options.groupSize, rewardOptions);
    const kinds = probeStats(scored, greedyRewards, options.groupSize);
    if (!options.gradients) return { checkpoint: run.checkpoint, data: run.data, options, kinds };
    const temperature =
      options.reasoningTemperature === null ? options.temperature : classTemperatures(options.temperature, options.reasoningTemperature);
    const gradientPrompts = examples.map((ex, i) => ({ patches: (prompts[i] as GroupPrompt).patches, prompt: ex.prompt, kind: ex.kind, target: ex.target }));
    const trained = options.answerDecoding === 'greedy' ? 'reasoning' : 'all';
    const gradients = await probeGradients(model, gradientPrompts, scored, options.groupSize, temperature, trained);
    return { checkpoint: run.checkpoint, data: run.data, options, kinds, gradients };
  } finally {
    generator?.dispose();
    disposeModel(model);
  }
}

/**
 * The probe as an aligned text table, one row per task kind, with a line on what the columns mean.
 *
 * @example
 * process.stdout.write(formatProbe(await probeGrpo({ checkpoint, data })));
 */
export function formatProbe(probe: GrpoProbe): string {
  const fixed = (x: number | null, digits: number, sign = false): string => (x === null ? '-' : `${sign && x > 0 ? '+' : ''}${x.toFixed(digits)}`);
  const header = ['kind', 'prompts', 'greedy reward', 'sampled reward', `best of ${probe.options.groupSize}`, 'std in group', 'agreement', 'metric: best-reward pick', 'best pick'];
  const rows = probe.kinds.map((k) => {
    const unit = k.kind === 'affordance' ? 'IoU' : 'Avg';
    // For trajectories the metric is −Avg: a gain of +x is x Avg points less.
    const shown = (x: number | null): string => (x === null ? '-' : k.kind === 'affordance' ? `${fixed(x, 1, true)} ${unit}` : `${fixed(-x, 1, true)} ${unit}`);
    return [k.kind, String(k.prompts), fixed(k.greedyReward, 3), fixed(k.sampledReward, 3), fixed(k.bestOfGroup, 3), fixed(k.groupStd, 3), fixed(k.agreement, 2), shown(k.metricGainOfBestReward), shown(k.metricGainPossible)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  const o = probe.options;
  return [
    `${probe.checkpoint} on ${probe.data}: ${o.groupSize} answers per prompt at temperature ${o.temperature}` +
      `${o.reasoningTemperature === null ? '' : ` (rationale ${o.reasoningTemperature})`}, answers ${o.answerDecoding === 'greedy' ? 'decoded greedily' : 'sampled'}, ` +
      `reward λθ ${o.lambdaAngle}, λr ${o.lambdaLength}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    'agreement: mean within-group correlation of the reward with IoU (boxes) or with −Avg (trajectories);',
    'metric columns: mean change of the metric over the group mean when each group keeps its best-rewarded answer, and its best answer by the metric.',
    '',
    ...(probe.gradients === undefined ? [] : [formatGradientProbe(probe.gradients, STEP_PROMPTS)]),
  ].join('\n');
}
