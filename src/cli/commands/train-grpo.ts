/**
 * `vla-r1 train grpo`: GRPO with verifiable rewards from a (CoT-)SFT checkpoint, in-process on the CPU.
 *
 * The trainer (jax-js) is imported inside the action, after `VLA_R1_THREADS` is set from `--threads`.
 *
 * @module
 */
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { answerDecoding, groupSize, nonNegativeInteger, positiveInteger } from '../flag-parsers.js';
import { engineThreads, interruptController } from './train.js';

function number(min: number, minInclusive: boolean, max = Infinity): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && (minInclusive ? n >= min : n > min) && n <= max;
    if (!ok) throw new InvalidArgumentError(`expected a number ${minInclusive ? '≥' : '>'} ${min}${Number.isFinite(max) ? ` and ≤ ${max}` : ''}`);
    return n;
  };
}

function lossAggregation(value: string): 'token-mean' | 'seq-mean' {
  if (value !== 'token-mean' && value !== 'seq-mean') throw new InvalidArgumentError('expected token-mean or seq-mean');
  return value;
}

interface GrpoFlags {
  init?: string;
  data: string;
  out: string;
  seed?: number;
  steps?: number;
  groupSize?: number;
  promptsPerStep?: number;
  temperature?: number;
  reasoningTemperature?: number;
  answerDecoding?: 'sample' | 'greedy';
  lambdaAngle?: number;
  lambdaLength?: number;
  topP?: number;
  lr?: number;
  warmup?: number;
  klCoef?: number;
  clipLow?: number;
  clipHigh?: number;
  mu?: number;
  microBatch?: number;
  stdScaling: boolean;
  lossAgg?: 'token-mean' | 'seq-mean';
  filterZeroSpread?: boolean;
  maxGradNorm?: number;
  evalEvery?: number;
  evalSamples?: number;
  saveEvery?: number;
  resume?: boolean;
  threads?: number;
}

/** The trainer options the flags set (unset flags keep the trainer's defaults, or a resumed run's options). */
export function grpoOptionsFromFlags(flags: GrpoFlags): Record<string, unknown> {
  const pairs: [string, unknown][] = [
    ['seed', flags.seed],
    ['steps', flags.steps],
    ['groupSize', flags.groupSize],
    ['promptsPerStep', flags.promptsPerStep],
    ['temperature', flags.temperature],
    ['reasoningTemperature', flags.reasoningTemperature],
    ['answerDecoding', flags.answerDecoding],
    ['lambdaAngle', flags.lambdaAngle],
    ['lambdaLength', flags.lambdaLength],
    ['topP', flags.topP],
    ['learningRate', flags.lr],
    ['warmupSteps', flags.warmup],
    ['klCoef', flags.klCoef],
    ['clipLow', flags.clipLow],
    ['clipHigh', flags.clipHigh],
    ['mu', flags.mu],
    ['microBatch', flags.microBatch],
    ['stdScaling', flags.stdScaling === false ? false : undefined],
    ['lossAggregation', flags.lossAgg],
    ['filterZeroSpread', flags.filterZeroSpread],
    ['maxGradNorm', flags.maxGradNorm],
    ['evalEvery', flags.evalEvery],
    ['evalSamples', flags.evalSamples],
    ['saveEvery', flags.saveEvery],
  ];
  return Object.fromEntries(pairs.filter(([, v]) => v !== undefined));
}

/**
 * Register `grpo` under the `train` command.
 *
 * @example
 * registerTrainGrpo(program.command('train'));
 * // vla-r1 train grpo --init runs/cot-sft --data data/synth --out runs/grpo
 */
export function registerTrainGrpo(train: Command): void {
  train
    .command('grpo')
    .description('GRPO with verifiable rewards: reinforce a (CoT-)SFT checkpoint with the official VLA-R1 reward')
    .option('--init <dir>', 'the SFT checkpoint (or SFT run folder) to start from; also the frozen KL reference (required unless --resume)')
    .requiredOption('--data <dir>', 'dataset folder with train.json (prompts and ground truth) and test.json (evaluation)')
    .requiredOption('--out <dir>', 'run folder: checkpoint/ and metrics.jsonl are written here')
    .option('--seed <n>', 'seed of the prompt order and of sampling (default 0)', nonNegativeInteger)
    .option('--steps <n>', 'optimiser steps, one batch of prompts each (default 20)', positiveInteger)
    .option('--group-size <n>', 'answers sampled per prompt, G (default 5)', groupSize)
    .option('--prompts-per-step <n>', 'prompts per step, B; a step samples B × G answers (default 8)', positiveInteger)
    .option('--temperature <t>', 'sampling temperature (default 1)', number(0, false))
    .option('--reasoning-temperature <t>', "sampling temperature of the rationale's steps; the answer keeps --temperature (default: --temperature)", number(0, false))
    .option(
      '--answer-decoding <mode>',
      'sample: the answer is sampled like the rationale; greedy: only the rationale is sampled and trained, the answer is decoded as in evaluation (default sample)',
      answerDecoding,
    )
    .option('--lambda-angle <x>', "reward: ALAF's λθ, the weight of the angle term (default 0.25, the official reward; another value is another reward)", number(0, true))
    .option('--lambda-length <x>', "reward: ALAF's λr, the weight of the length-ratio term (default 0.1, the official reward)", number(0, true))
    .option('--top-p <p>', 'nucleus sampling mass (default 1: off)', number(0, false, 1))
    .option('--lr <x>', 'peak learning rate (default 1e-4)', number(0, false))
    .option('--warmup <n>', 'warm-up steps (default 2)', nonNegativeInteger)
    .option('--kl-coef <x>', 'weight of the k3 KL-to-reference loss term, 0 = none (default 0.01)', number(0, true))
    .option('--clip-low <x>', 'PPO clip ε_low (default 0.2)', number(0, true, 1))
    .option('--clip-high <x>', 'PPO clip ε_high (default 0.28, DAPO clip-higher; 0.2 = symmetric)', number(0, true))
    .option('--mu <n>', 'updates per sampled batch, μ (default 1)', positiveInteger)
    .option('--micro-batch <n>', 'sequences per gradient pass and sampling batch; a larger step is split and its gradients summed into one update (default 64)', positiveInteger)
    .option('--no-std-scaling', 'do not divide advantages by the group std (Dr. GRPO)')
    .option('--loss-agg <mode>', 'loss aggregation: token-mean or seq-mean (default token-mean)', lossAggregation)
    .option('--filter-zero-spread', 'drop groups whose rewards do not spread from the loss')
    .option('--max-grad-norm <x>', 'clip the global gradient norm (default 1)', number(0, false))
    .option('--eval-every <n>', 'greedy evaluation on test.json every N steps, 0 = only at the end (default 0)', nonNegativeInteger)
    .option('--eval-samples <n>', 'test records used by the evaluation, 0 = none (default 64)', nonNegativeInteger)
    .option('--save-every <n>', 'save a checkpoint every N steps, 0 = only at the end (default 10)', nonNegativeInteger)
    .option('--resume', 'continue the run in --out from its checkpoint (with the options it was started with)')
    .option('--threads <n>', 'engine threads (default: cores, at most 4; env VLA_R1_THREADS)', positiveInteger)
    .addHelpText(
      'after',
      `
Each step samples G answers for each of B training prompts, scores every answer with the official reward
(0.9 × task + 0.1 × format; task = (GIoU + 1)/2 for boxes, 1 − ALAF for trajectories), normalises rewards
within each group, and updates the policy with the PPO-clipped objective plus a KL term to the --init model.
metrics.jsonl gets one line per step: reward (and its format/task parts), KL, clip fraction, entropy, answer
length, zero-spread share, the within-group correlation of the reward with the evaluation metric (IoU for
boxes, −Avg for trajectories; \`vla-r1 train probe\` measures it for a checkpoint) and the time spent
sampling, scoring and updating.

Ctrl-C stops after the current step and saves a checkpoint; --resume continues it exactly.

Examples:
  vla-r1 train grpo --init runs/cot-sft --data data/synth --out runs/grpo
  vla-r1 train grpo --init runs/cot-sft --data data/synth --out runs/grpo-dr --no-std-scaling --loss-agg seq-mean
  vla-r1 train grpo --data data/synth --out runs/grpo --resume`,
    )
    .action(async (flags: GrpoFlags) => {
      process.env.VLA_R1_THREADS = String(engineThreads(flags.threads));
      const [{ trainGrpo }, { stopWorkerThreads }] = await Promise.all([import('../../train/grpo.js'), import('../../model/jax.js')]);
      const interrupt = interruptController('train grpo');
      try {
        const result = await trainGrpo({
          ...(flags.init !== undefined ? { initCheckpoint: flags.init } : {}),
          dataDir: flags.data,
          outDir: flags.out,
          options: grpoOptionsFromFlags(flags),
          resume: flags.resume === true,
          signal: interrupt.signal,
        });
        const first = result.rewards.slice(0, 5);
        const last = result.rewards.slice(-5);
        const mean = (xs: number[]): string => (xs.length === 0 ? '-' : (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3));
        const p = result.phases;
        const busy = p.sampling + p.scoring + p.reference + p.updating;
        const share = (x: number): string => `${Math.round((100 * x) / Math.max(busy, 1e-9))}%`;
        const evalText = result.evaluation
          ? `; affordance IoU ${result.evaluation.affordance.iou?.toFixed(2) ?? '-'}, trajectory Avg ${result.evaluation.trajectory.avg?.toFixed(1) ?? '-'}`
          : '';
        const agreement = (x: number | null): string => (x === null ? '-' : x.toFixed(2));
        process.stdout.write(
          `${result.completed ? 'done' : 'stopped'}: step ${result.steps}, reward ${mean(first)} (first 5 steps) -> ${mean(last)} (last 5), ` +
            `${result.seconds.toFixed(0)} s (sampling ${share(p.sampling)}, scoring ${share(p.scoring)}, reference ${share(p.reference)}, ` +
            `update ${share(p.updating)})${evalText} -> ${result.checkpointDir}\n` +
            `reward–metric agreement within groups: boxes ${agreement(result.agreement.affordance)} (with IoU), ` +
            `trajectories ${agreement(result.agreement.trajectory)} (with −Avg)\n`,
        );
      } finally {
        interrupt.release();
        await stopWorkerThreads();
      }
    });
}
