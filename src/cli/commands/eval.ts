/**
 * `vla-r1 eval`: evaluate a policy on a dataset file, writing `metrics.json` (DESIGN.md section 4) and
 * `predictions.jsonl` into `--out`. For now the policy is the local model of a checkpoint (`--policy local`).
 *
 * @module
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { engineThreads } from './train.js';

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

interface EvalFlags {
  policy: 'local';
  checkpoint?: string;
  data: string;
  out: string;
  limit?: number;
  batchSize?: number;
  temperature: number;
  seed?: number;
  threads?: number;
}

/** Register `eval`. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate a policy on a dataset file: metrics.json and predictions.jsonl')
    .addOption(new Option('--policy <kind>', 'which policy answers').choices(['local']).default('local'))
    .option('--checkpoint <dir>', 'local policy: a checkpoint folder, or a training run folder holding checkpoint/')
    .requiredOption('--data <file>', 'dataset file (VLA-R1 records), e.g. data/synth/test.json')
    .requiredOption('--out <dir>', 'output folder (a rerun resumes the predictions already there)')
    .option('--limit <n>', 'evaluate the first N records only', positiveInteger)
    .option('--batch-size <n>', 'records per batch (default 64)', positiveInteger)
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', nonNegativeNumber, 0)
    .option('--seed <n>', 'sampling seed', positiveInteger)
    .option('--threads <n>', 'engine threads (default: cores, at most 4; env VLA_R1_THREADS)', positiveInteger)
    .addHelpText(
      'after',
      `
Examples:
  vla-r1 eval --policy local --checkpoint runs/cot-sft --data data/synth/test.json --out runs/cot-sft/eval`,
    )
    .action(async (flags: EvalFlags) => {
      if (flags.checkpoint === undefined) throw new UserError('--policy local needs --checkpoint DIR');
      process.env.VLA_R1_THREADS = String(engineThreads(flags.threads));
      const [{ evaluateLocal }, { stopWorkerThreads }, { createProgress }] = await Promise.all([
        import('../../eval/run-local.js'),
        import('../../model/jax.js'),
        import('../../progress.js'),
      ]);
      let progress: ReturnType<typeof createProgress> | undefined;
      let seen = 0;
      try {
        const metrics = await evaluateLocal({
          checkpoint: flags.checkpoint,
          dataFile: flags.data,
          outDir: flags.out,
          ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
          ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
          temperature: flags.temperature,
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          onProgress: (p) => {
            progress ??= createProgress({ label: 'eval', total: p.total, unit: 'records' });
            progress.tick(p.done - seen);
            seen = p.done;
          },
        });
        progress?.done();
        process.stdout.write(`${JSON.stringify(metrics, null, 2)}\n`);
      } finally {
        await stopWorkerThreads();
      }
    });
}
