/**
 * `vla-r1 train sft`: CoT-SFT of the small VLA model, in-process on the CPU.
 *
 * The model code (jax-js) is imported inside the action, after `VLA_R1_THREADS` is set from `--threads`,
 * so start-up stays fast and the engine's thread pool is configured before it loads.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber } from '../flag-parsers.js';
import type { SftOptionsInput } from '../../train/sft-options.js';
import { registerTrainGrpo } from './train-grpo.js';
import { registerTrainProbe } from './train-probe.js';

/** The flags of `vla-r1 train sft`, as commander parses them. */
export interface SftFlags {
  data: string;
  out: string;
  seed: number;
  cot: boolean;
  maxSteps?: number;
  batchSize?: number;
  lr?: number;
  warmup?: number;
  evalEvery?: number;
  evalSamples?: number;
  saveEvery?: number;
  dModel?: number;
  layers?: number;
  heads?: number;
  imageSize?: number;
  patchSize?: number;
  patchHidden?: number;
  patchContext?: number;
  pointerPrior?: boolean;
  answerPositions?: boolean;
  coordinateSigma?: number;
  perceptionWeight?: number;
  coordinateWeight?: number;
  resume?: boolean;
  init?: string;
  rationaleVocabulary?: boolean;
  threads?: number;
}

/**
 * Number of engine threads: `--threads`, else `VLA_R1_THREADS`, else the machine's cores (at most 4).
 */
export function engineThreads(flag: number | undefined): number {
  if (flag !== undefined) return flag;
  const env = Number.parseInt(process.env.VLA_R1_THREADS ?? '', 10);
  if (Number.isFinite(env) && env >= 1) return env;
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** Stop gracefully on the first Ctrl-C (finish the step, save), exit on the second. */
export function interruptController(label: string): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${label}: stopping after this step and saving (Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSigint) };
}

/**
 * The trainer options of `vla-r1 train sft` flags: only what was given (the rest are the trainer's defaults, or a
 * resumed run's saved options).
 *
 * @example
 * sftOptionsFromFlags({ data: 'd', out: 'o', seed: 0, cot: false, maxSteps: 400 }); // { seed: 0, cot: false, steps: 400 }
 */
export function sftOptionsFromFlags(flags: SftFlags): SftOptionsInput {
  return {
    seed: flags.seed,
    cot: flags.cot,
    ...(flags.maxSteps !== undefined ? { steps: flags.maxSteps } : {}),
    ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
    ...(flags.lr !== undefined ? { learningRate: flags.lr } : {}),
    ...(flags.warmup !== undefined ? { warmupSteps: flags.warmup } : {}),
    ...(flags.evalEvery !== undefined ? { evalEvery: flags.evalEvery } : {}),
    ...(flags.evalSamples !== undefined ? { evalSamples: flags.evalSamples } : {}),
    ...(flags.saveEvery !== undefined ? { saveEvery: flags.saveEvery } : {}),
    ...(flags.dModel !== undefined ? { dModel: flags.dModel } : {}),
    ...(flags.layers !== undefined ? { nLayers: flags.layers } : {}),
    ...(flags.heads !== undefined ? { nHeads: flags.heads } : {}),
    ...(flags.imageSize !== undefined ? { imageSize: flags.imageSize } : {}),
    ...(flags.patchSize !== undefined ? { patchSize: flags.patchSize } : {}),
    ...(flags.patchHidden !== undefined ? { patchHidden: flags.patchHidden } : {}),
    ...(flags.patchContext !== undefined ? { patchContext: flags.patchContext } : {}),
    ...(flags.pointerPrior !== undefined ? { pointerPrior: flags.pointerPrior } : {}),
    ...(flags.answerPositions !== undefined ? { answerPositions: flags.answerPositions } : {}),
    ...(flags.coordinateSigma !== undefined ? { coordinateSigma: flags.coordinateSigma } : {}),
    ...(flags.perceptionWeight !== undefined ? { perceptionWeight: flags.perceptionWeight } : {}),
    ...(flags.coordinateWeight !== undefined ? { coordinateWeight: flags.coordinateWeight } : {}),
    ...(flags.rationaleVocabulary === true ? { rationaleVocabulary: true } : {}),
  };
}

/** Register `train` and its subcommands. */
export function registerTrain(program: Command): void {
  const train = program.command('train').description('train the small VLA model in-process (CPU)');
  train
    .command('sft')
    .description('CoT-SFT: supervised fine-tuning on rationale + answer (or on the answer alone with --no-cot)')
    .requiredOption('--data <dir>', 'dataset folder with train.json (and test.json for periodic evaluation), e.g. from `vla-r1 data synth`')
    .requiredOption('--out <dir>', 'run folder: checkpoint/ and metrics.jsonl are written here')
    .option('--seed <n>', 'seed of initialisation and data order', nonNegativeInteger, 0)
    .option('--no-cot', 'plain SFT: train on the answer alone (the model writes an empty <think></think>)')
    .option('--init <dir>', "start from this checkpoint (or run folder): its weights, shape and tokenizer, with a fresh optimizer and schedule")
    .option('--rationale-vocabulary', 'with --no-cot: learn the vocabulary from the rationales too and make room for them, so that a CoT-SFT run can start from this one (--init)')
    .option('--max-steps <n>', 'optimiser steps (the learning-rate schedule spans them; default 800)', positiveInteger)
    .option('--batch-size <n>', 'sequences per step (default 16)', positiveInteger)
    .option('--lr <x>', 'peak learning rate (default 2e-3)', positiveNumber)
    .option('--warmup <n>', 'warm-up steps (default 20)', nonNegativeInteger)
    .option('--eval-every <n>', 'evaluate on test.json every N steps, 0 = only at the end (default 100)', nonNegativeInteger)
    .option('--eval-samples <n>', 'test records used by the periodic evaluation (default 64)', nonNegativeInteger)
    .option('--save-every <n>', 'save a checkpoint every N steps, 0 = only at the end (default 100)', nonNegativeInteger)
    .option('--d-model <n>', 'model width (default 64)', positiveInteger)
    .option('--layers <n>', 'transformer layers (default 2)', positiveInteger)
    .option('--heads <n>', 'attention heads (default 2)', positiveInteger)
    .option('--image-size <px>', 'side the images are resized to (default 128)', positiveInteger)
    .option('--patch-size <px>', 'side of an image patch; must divide --image-size (default 16)', positiveInteger)
    .option('--patch-hidden <n>', 'hidden width of an MLP patch embedding; 0 = linear (default 128)', nonNegativeInteger)
    .option('--patch-context <px>', 'pixels around each patch its token also sees (overlapping windows); 0 = none (default 4)', nonNegativeInteger)
    .option('--pointer-prior', "add each patch's log-probability of the instruction's words to the pointer's scores (the default)")
    .option('--no-pointer-prior', 'train without the word prior')
    .option('--answer-positions', 'positions restart at <answer>, so an answer sits where a plain answer does after any rationale (the default)')
    .option('--no-answer-positions', 'absolute positions throughout')
    .option('--coordinate-sigma <bins>', 'coordinate targets as a Gaussian over neighbouring bins of this width; 0 = one-hot (default 1)', nonNegativeNumber)
    .option('--coordinate-weight <w>', 'loss weight of coordinate targets relative to text targets (default 1)', positiveNumber)
    .option('--perception-weight <w>', 'weight of the perception term (patches learn to name what they show, from train.labels.jsonl); 0 = off (default 1)', nonNegativeNumber)
    .option('--resume', 'continue the run in --out from its checkpoint (with the options it was started with)')
    .option('--threads <n>', 'engine threads (default: cores, at most 4; env VLA_R1_THREADS)', positiveInteger)
    .addHelpText(
      'after',
      `
Without rationales (--no-cot) the target is the answer alone and the model writes an empty think block:
  <think></think> so, the answer is <output>…</output>
so the answer keeps the VLA-R1 form and the reward's format term still applies.

Ctrl-C stops after the current step and saves a checkpoint; --resume continues it exactly.

Examples:
  vla-r1 train sft --data data/synth --out runs/cot-sft
  vla-r1 train sft --data data/synth --out runs/sft --no-cot
  vla-r1 train sft --data data/synth --out runs/cot-sft --resume

Starting from a grounding base (what the demo does): both SFT runs continue one plain run whose vocabulary
and target region already hold the rationales; the shape options then come from that checkpoint.
  vla-r1 train sft --data data/synth --out runs/base --no-cot --rationale-vocabulary --max-steps 400
  vla-r1 train sft --data data/synth --out runs/cot-sft --init runs/base --max-steps 400`,
    )
    .action(async (flags: SftFlags) => {
      process.env.VLA_R1_THREADS = String(engineThreads(flags.threads));
      const [{ trainSft }, { stopWorkerThreads }] = await Promise.all([import('../../train/sft.js'), import('../../model/jax.js')]);
      const interrupt = interruptController('train sft');
      try {
        const options = sftOptionsFromFlags(flags);
        const result = await trainSft({
          dataDir: flags.data,
          outDir: flags.out,
          options,
          resume: flags.resume === true,
          signal: interrupt.signal,
          ...(flags.init !== undefined ? { initCheckpoint: flags.init } : {}),
        });
        const evalText = result.evaluation
          ? ` affordance IoU ${result.evaluation.affordance.iou?.toFixed(2) ?? '-'}, trajectory Avg ${result.evaluation.trajectory.avg?.toFixed(1) ?? '-'}`
          : '';
        process.stdout.write(
          `${result.completed ? 'done' : 'stopped'}: step ${result.steps}, loss ${result.loss.toFixed(4)}, ${Math.round(result.tokensPerSecond)} tokens/s, ` +
            `${result.seconds.toFixed(0)} s;${evalText} -> ${result.checkpointDir}\n`,
        );
      } finally {
        interrupt.release();
        await stopWorkerThreads();
      }
    });
  registerTrainGrpo(train);
  registerTrainProbe(train);
}
