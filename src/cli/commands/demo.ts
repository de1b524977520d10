/**
 * `vla-r1 demo` (what `npm start` runs): the whole VLA-R1 recipe on the embedded tabletop dataset, on the CPU.
 * Synthesises the data, trains plain SFT, CoT-SFT and CoT-SFT + GRPO, evaluates the three on the in-domain
 * test and the out-of-domain split, writes `metrics.json`, `report.md` and `report.html`, and prints the
 * headline table beside the paper's numbers. The last line printed names the report.
 *
 * The model code (jax-js) is imported inside the action, after `VLA_R1_THREADS` is set from `--threads`.
 *
 * @module
 */
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { engineThreads, interruptController } from './train.js';
import { positiveInteger } from '../flag-parsers.js';

function seedValue(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  return Number(value);
}

interface DemoFlags {
  out: string;
  quick?: boolean;
  fresh?: boolean;
  seed?: number;
  threads?: number;
}

/**
 * Register `vla-r1 demo`.
 *
 * @example
 * // $ vla-r1 demo --out runs/demo
 * // $ vla-r1 demo --out /tmp/demo --quick
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole recipe on the CPU: synthesise data, train plain SFT, CoT-SFT and CoT-SFT + GRPO, evaluate, report')
    .option('--out <dir>', 'output folder (dataset, runs, evaluations, metrics.json, report.md, report.html)', 'runs/demo')
    .option('--quick', 'a tiny dataset and a few steps (a smoke test: under 3 minutes, numbers meaningless)')
    .option('--fresh', "remove the demo's earlier outputs in --out and redo every stage")
    .option('--seed <n>', 'seed of the dataset, the initialisation, data order and sampling (default 1)', seedValue)
    .option('--threads <n>', 'engine threads (default: cores, at most 4; env VLA_R1_THREADS)', positiveInteger)
    .addHelpText(
      'after',
      `
Stages (each reused when its output is already complete, so an interrupted demo continues where it stopped):
  1 synthesise the dataset          OUT/data/
  2 train plain SFT (--no-cot)      OUT/sft_nocot/checkpoint/, metrics.jsonl
  3-4 evaluate it on test and OOD   OUT/sft_nocot/eval/{test,ood}/
  5 train CoT-SFT                   OUT/sft_cot/…
  8 GRPO from the CoT-SFT model     OUT/grpo/…
  11 metrics.json, report.md, report.html (with the paper's numbers beside ours)

Ctrl-C stops after the current step and keeps everything written; run the same command again to continue.

Examples:
  npm start                              (= vla-r1 demo --out runs/demo)
  vla-r1 demo --out /tmp/demo --quick
  vla-r1 demo --out runs/demo --fresh`,
    )
    .action(async (flags: DemoFlags) => {
      process.env.VLA_R1_THREADS = String(engineThreads(flags.threads));
      const [{ runDemo }, { stopWorkerThreads }] = await Promise.all([import('../../eval/demo-run.js'), import('../../model/jax.js')]);
      const interrupt = interruptController('demo');
      try {
        const result = await runDemo({
          out: flags.out,
          quick: flags.quick === true,
          fresh: flags.fresh === true,
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          signal: interrupt.signal,
        });
        if (!result.completed) {
          process.stdout.write(`stopped; run the same command again to continue (${result.paths.out})\n`);
          process.exitCode = 130;
          return;
        }
        process.stdout.write(`\n${result.headline ?? ''}\n\n`);
        process.stdout.write(`metrics: ${result.paths.metrics}\nreport: ${result.paths.reportHtml} (also ${result.paths.reportMarkdown})\n`);
      } finally {
        interrupt.release();
        await stopWorkerThreads();
      }
    });
}
