/**
 * How much of a GRPO step is signal, measured at a checkpoint: one policy gradient per prompt (from its group
 * of scored answers, with GRPO's group-relative advantages), and for comparison the gradient of the same
 * prompt's ground-truth answer's log-likelihood under the grammar (what supervised fine-tuning follows; its loss
 * also smooths coordinate targets and adds the perception term, which this leaves out). From their moments
 * (`gradient-noise.ts`): the gradient noise scale of each, per task kind; how well two independent steps of a
 * given number of prompts agree; whether the box and the trajectory prompts pull the same way; and whether
 * GRPO's expected step points where supervised fine-tuning's does.
 */
import { sequenceLength } from '../model/config.js';
import { maskTable } from '../model/grammar.js';
import type { JaxArray } from '../model/jax.js';
import { np, tree } from '../model/jax.js';
import type { VlaModel } from '../model/model.js';
import type { ModelParams } from '../model/params.js';
import { flattenParams } from '../model/params.js';
import { structureMask } from '../model/sequence-layout.js';
import type { TaskKind } from '../protocol/types.js';
import { groupAdvantages } from './advantages.js';
import type { SampledSequence, TrainedTokens } from './grpo-batch.js';
import { hostRollouts, rolloutTensors } from './grpo-batch.js';
import type { ScoredSample } from './grpo-rollout.js';
import type { GradientNoise } from './gradient-noise.js';
import { dot, GradientMoments, gradientNoise, meanCosine, stepAgreement } from './gradient-noise.js';
import type { PolicyGradient } from './grpo-step.js';
import { createPolicyGradient } from './grpo-step.js';

/** The populations measured: each task kind, and all prompts together. */
export type GradientPopulation = TaskKind | 'all';

/** The gradient noise of one population and one objective (null with fewer than 2 prompts). */
export type PopulationNoise = Record<GradientPopulation, GradientNoise | null>;

/** What {@link probeGradients} reports. */
export interface GradientProbe {
  /** GRPO's policy gradient, one per prompt. */
  readonly grpo: PopulationNoise;
  /** The ground-truth answer's log-likelihood gradient, one per prompt. */
  readonly supervised: PopulationNoise;
  /** Cosine between the expected gradients of the box and of the trajectory prompts. */
  readonly kindCosine: { readonly grpo: number | null; readonly supervised: number | null };
  /** Cosine between GRPO's expected gradient and the supervised one, over all prompts. */
  readonly grpoSupervisedCosine: number | null;
}

/** A prompt as the probe needs it: its sequence inputs and its ground-truth answer tokens. */
export interface GradientPrompt {
  readonly patches: Float32Array;
  readonly prompt: readonly number[];
  readonly kind: TaskKind;
  /** The ground-truth target tokens (rationale, `<answer>`, action, `<eos>`). */
  readonly target: readonly number[];
}

/** One flat Float32Array of a gradient tree (consumes it), in the order of {@link flattenParams}. */
async function flatGradient(grads: ModelParams<JaxArray>): Promise<Float32Array> {
  const leaves = flattenParams(grads).map(([, leaf]) => leaf);
  const datas = (await Promise.all(leaves.map((leaf) => leaf.data()))) as Float32Array[];
  const out = new Float32Array(datas.reduce((n, d) => n + d.length, 0));
  let at = 0;
  for (const d of datas) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}

/** Moments per task kind, created on first use. */
class KindMoments {
  readonly byKind = new Map<TaskKind, GradientMoments>();

  add(kind: TaskKind, gradient: Float32Array): void {
    let m = this.byKind.get(kind);
    if (m === undefined) this.byKind.set(kind, (m = new GradientMoments(gradient.length)));
    m.add(gradient);
  }

  all(): GradientMoments | undefined {
    const [first, ...rest] = [...this.byKind.values()];
    return first === undefined ? undefined : rest.reduce((a, b) => a.merged(b), first);
  }

  /** The noise of each kind, and of `all` (this object's {@link all}, merged once by the caller). */
  noise(all: GradientMoments | undefined): PopulationNoise {
    const of = (m: GradientMoments | undefined): GradientNoise | null => (m !== undefined && m.count >= 2 ? gradientNoise(m) : null);
    return { affordance: of(this.byKind.get('affordance')), trajectory: of(this.byKind.get('trajectory')), all: of(all) };
  }

  kindCosine(): number | null {
    const a = this.byKind.get('affordance');
    const t = this.byKind.get('trajectory');
    return a !== undefined && t !== undefined && a.count >= 2 && t.count >= 2 ? meanCosine(a, t) : null;
  }
}

/**
 * Measure GRPO's and the supervised gradient's noise at `model` (see the module comment). `scored` holds
 * `groupSize` consecutive answers per prompt, in the order of `prompts`; `temperature` is the sampling
 * temperature (or one per grammar class) the answers were drawn at, and `trained` which of their tokens GRPO
 * trains. Runs one gradient pass per prompt for each objective.
 *
 * @example
 * const probe = await probeGradients(model, prompts, scored, 8, 1, 'all');
 * probe.grpo.all?.noiseScale; // prompts per step at which a step's signal equals its noise
 */
export async function probeGradients(
  model: VlaModel,
  prompts: readonly GradientPrompt[],
  scored: readonly ScoredSample[],
  groupSize: number,
  temperature: number | Float32Array,
  trained: TrainedTokens,
): Promise<GradientProbe> {
  if (scored.length !== prompts.length * groupSize) {
    throw new RangeError(`probeGradients: ${scored.length} answers for ${prompts.length} prompts of ${groupSize}`);
  }
  const c = model.config;
  const T = sequenceLength(c);
  const structure = np.array(structureMask(c)).reshape([T, T]);
  const masks = maskTable(model.tokenizer);
  const classMasks = np.array(masks).reshape([masks.length / c.vocabSize, c.vocabSize]);
  const sampledGradient = createPolicyGradient(c, temperature);
  const likelihoodGradient = createPolicyGradient(c, 1);
  const grpo = new KindMoments();
  const supervised = new KindMoments();
  let crossProducts = 0;
  const advantages = groupAdvantages(
    scored.map((s) => s.reward.score),
    { groupSize },
  ).advantages;
  const gradientOf = async (fn: PolicyGradient, sequences: readonly SampledSequence[], weights: readonly number[], mode: TrainedTokens): Promise<Float32Array> => {
    const host = hostRollouts(sequences, c, model.grammar, model.tokenizer, mode);
    const rollout = rolloutTensors(host, c, structure.ref, classMasks.ref);
    const batch = {
      ...rollout,
      mask: np.array(host.mask).reshape([host.size, c.targetLength]),
      advantages: np.array(Float32Array.from(weights)).reshape([host.size, 1]),
    };
    return flatGradient(fn(tree.ref(model.params), batch));
  };
  try {
    for (let p = 0; p < prompts.length; p++) {
      const prompt = prompts[p] as GradientPrompt;
      const group = scored.slice(p * groupSize, (p + 1) * groupSize);
      const g = await gradientOf(sampledGradient, group, advantages.slice(p * groupSize, (p + 1) * groupSize), trained);
      const truth: SampledSequence = { ...prompt, tokens: prompt.target, logProbs: new Array<number>(prompt.target.length).fill(0) };
      const s = await gradientOf(likelihoodGradient, [truth], [1], 'all');
      grpo.add(prompt.kind, g);
      supervised.add(prompt.kind, s);
      crossProducts += dot(g, s);
    }
  } finally {
    sampledGradient.dispose();
    likelihoodGradient.dispose();
    structure.dispose();
    classMasks.dispose();
  }
  const grpoAll = grpo.all();
  const supervisedAll = supervised.all();
  return {
    grpo: grpo.noise(grpoAll),
    supervised: supervised.noise(supervisedAll),
    kindCosine: { grpo: grpo.kindCosine(), supervised: supervised.kindCosine() },
    grpoSupervisedCosine:
      grpoAll !== undefined && supervisedAll !== undefined && grpoAll.count >= 2 ? meanCosine(grpoAll, supervisedAll, { crossProducts }) : null,
  };
}

/** The noise scale with its range, e.g. `2925 (1100–∞)`, or `no signal`. */
function noiseScaleText(n: GradientNoise): string {
  const range = n.noiseScaleRange === null ? '' : ` (${n.noiseScaleRange[0].toFixed(0)}–${n.noiseScaleRange[1] === null ? '∞' : n.noiseScaleRange[1].toFixed(0)})`;
  return n.noiseScale === null ? `no signal${range}` : `${n.noiseScale.toFixed(0)}${range}`;
}

/**
 * The gradient probe as an aligned text table: per objective and population, the norm of the expected
 * per-prompt gradient, the noise scale and how well two independent steps of `batch` prompts agree.
 *
 * @example
 * process.stdout.write(formatGradientProbe(probe, 8));
 */
export function formatGradientProbe(probe: GradientProbe, batch: number): string {
  const fixed = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));
  const header = ['gradient', 'prompts', '|expected|', '√tr Σ (one prompt)', 'noise scale in prompts (±1 se)', `step agreement at ${batch}`, 'at 64'];
  const rows: string[][] = [];
  for (const [name, noise] of [
    ['GRPO', probe.grpo],
    ['supervised', probe.supervised],
  ] as const) {
    for (const population of ['affordance', 'trajectory', 'all'] as const) {
      const n = noise[population];
      if (n === null) continue;
      rows.push([
        `${name}, ${population === 'all' ? 'all prompts' : population}`,
        String(n.prompts),
        n.meanNormSquared > 0 ? Math.sqrt(n.meanNormSquared).toExponential(2) : '-',
        Math.sqrt(n.traceCovariance).toExponential(2),
        noiseScaleText(n),
        fixed(stepAgreement(batch, n.noiseScale), 3),
        fixed(stepAgreement(64, n.noiseScale), 3),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `cosine of the expected gradients: boxes vs trajectories ${fixed(probe.kindCosine.grpo, 2)} (GRPO), ` +
      `${fixed(probe.kindCosine.supervised, 2)} (supervised); GRPO vs supervised ${fixed(probe.grpoSupervisedCosine, 2)}`,
    'noise scale: tr Σ / |expected gradient|², the prompts per step at which a step is as much signal as noise; in brackets,',
    'with |expected gradient|² one jackknife standard error up and down (∞: the signal is within one error of 0);',
    'step agreement: expected cosine between two independent steps of that many prompts, b / (b + noise scale).',
    '',
  ].join('\n');
}
