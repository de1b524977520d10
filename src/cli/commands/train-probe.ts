/**
 * `vla-r1 train probe`: what GRPO would see from a checkpoint (sampled groups, their rewards, and how the reward
 * ranks them against the evaluation metric), without training.
 *
 * @module
 */
import type { Command } from 'commander';
import { answerDecoding, groupSize, nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber } from '../flag-parsers.js';
import { writeFileAtomic } from '../../data/atomic-write.js';
import type { GrpoProbeOptions } from '../../train/grpo-probe.js';
import { engineThreads } from './train.js';

interface ProbeFlags {
  init: string;
  data: string;
  prompts?: number;
  groupSize?: number;
  temperature?: number;
  reasoningTemperature?: number;
  answerDecoding?: 'sample' | 'greedy';
  lambdaAngle?: number;
  lambdaLength?: number;
  seed?: number;
  gradients?: boolean;
  json?: string;
  threads?: number;
}

/** The probe options the flags set (unset flags keep the defaults). */
export function probeOptionsFromFlags(flags: ProbeFlags): GrpoProbeOptions {
  const pairs: [string, unknown][] = [
    ['prompts', flags.prompts],
    ['groupSize', flags.groupSize],
    ['temperature', flags.temperature],
    ['reasoningTemperature', flags.reasoningTemperature],
    ['answerDecoding', flags.answerDecoding],
    ['lambdaAngle', flags.lambdaAngle],
    ['lambdaLength', flags.lambdaLength],
    ['seed', flags.seed],
    ['gradients', flags.gradients],
  ];
  return Object.fromEntries(pairs.filter(([, v]) => v !== undefined)) as GrpoProbeOptions;
}

/**
 * Register `probe` under the `train` command.
 *
 * @example
 * registerTrainProbe(program.command('train'));
 * // vla-r1 train probe --init runs/demo/sft_cot --data runs/demo/data/train.json
 */
export function registerTrainProbe(train: Command): void {
  train
    .command('probe')
    .description('what GRPO would see from a checkpoint: sampled groups, their rewards, and whether the reward ranks them as the evaluation metric does')
    .requiredOption('--init <dir>', 'the checkpoint (or run folder) to probe')
    .requiredOption('--data <file>', 'dataset file (VLA-R1 records); its first --prompts records are used')
    .option('--prompts <n>', 'prompts (default 96)', positiveInteger)
    .option('--group-size <n>', 'answers sampled per prompt (default 8)', groupSize)
    .option('--temperature <t>', 'sampling temperature (default 1)', positiveNumber)
    .option('--reasoning-temperature <t>', "sampling temperature of the rationale's steps (default: --temperature)", positiveNumber)
    .option('--answer-decoding <mode>', 'sample (default) or greedy: as `train grpo --answer-decoding`', answerDecoding)
    .option('--lambda-angle <x>', "reward: ALAF's λθ (default 0.25, the official reward)", nonNegativeNumber)
    .option('--lambda-length <x>', "reward: ALAF's λr (default 0.1, the official reward)", nonNegativeNumber)
    .option('--seed <n>', 'sampling seed (default 0)', nonNegativeInteger)
    .option('--gradients', "also measure how much of a GRPO step is signal: GRPO's and the supervised gradient per prompt, their noise scale and agreement")
    .option('--json <file>', 'also write the probe as JSON (parent folders are created)')
    .option('--threads <n>', 'engine threads (default: cores, at most 4; env VLA_R1_THREADS)', positiveInteger)
    .addHelpText(
      'after',
      `
For each prompt: the greedy answer's reward, and G answers sampled as a GRPO step samples them. Per task kind:
mean greedy and sampled reward, best of G, the reward's spread within a group, the mean within-group
correlation of the reward with the evaluation metric (IoU for boxes, −Avg for trajectories), and what keeping
each group's best-rewarded answer changes on the metric, beside the most any choice could. GRPO pushes toward
the answers its reward ranks higher; where the ranking disagrees with the metric, so may the result.

With --gradients, one GRPO policy gradient per prompt (from its group, with GRPO's advantages) and one
gradient of the ground-truth answer's log-likelihood (what supervised fine-tuning follows) give each one's
gradient noise scale (tr Σ / |expected gradient|², in prompts): a step of far fewer prompts is mostly noise.

Example:
  vla-r1 train probe --init runs/demo/sft_cot --data runs/demo/data/train.json --prompts 96 --group-size 8
  vla-r1 train probe --init runs/demo/sft_cot --data runs/demo/data/train.json --lambda-angle 0
  vla-r1 train probe --init runs/demo/sft_cot --data runs/demo/data/train.json --gradients`,
    )
    .action(async (flags: ProbeFlags) => {
      process.env.VLA_R1_THREADS = String(engineThreads(flags.threads));
      const [{ probeGrpo, formatProbe }, { stopWorkerThreads }] = await Promise.all([import('../../train/grpo-probe.js'), import('../../model/jax.js')]);
      try {
        const options = probeOptionsFromFlags(flags);
        process.stderr.write(`probe: greedy and ${options.groupSize ?? 8} sampled answers for each of the first ${options.prompts ?? 96} prompts of ${flags.data}…\n`);
        const started = performance.now();
        const probe = await probeGrpo({ checkpoint: flags.init, data: flags.data, options });
        process.stderr.write(`probe: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
        process.stdout.write(formatProbe(probe));
        if (flags.json !== undefined) await writeFileAtomic(flags.json, `${JSON.stringify(probe, null, 2)}\n`);
      } finally {
        await stopWorkerThreads();
      }
    });
}
