/**
 * `vla-r1 eval`: evaluate any policy on a dataset file, writing `metrics.json` (DESIGN.md section 4),
 * `predictions.jsonl` (one line per record, written as each finishes; a rerun resumes), `report.md` and
 * `report.html` into `--out`. The policy is the local model of a checkpoint (`--policy local`), an
 * OpenAI-compatible server (`--policy openai`) or the official VLA-R1 server (`--policy vla-r1-server`).
 *
 * @module
 */
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { addPolicyOptions } from '../policy-options.js';
import { engineThreads } from './train.js';
import { positiveInteger } from '../flag-parsers.js';

interface EvalFlags {
  policy: string;
  data: string;
  out: string;
  limit?: number;
  threads?: number;
  retryFailed?: boolean;
  [flag: string]: unknown;
}

/** Register `eval`. */
export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description('evaluate a policy (local checkpoint, OpenAI-compatible server, official VLA-R1 server) on a dataset file');
  addPolicyOptions(command)
    .requiredOption('--data <file>', 'dataset file (VLA-R1 records), e.g. data/synth/test.json')
    .requiredOption('--out <dir>', 'output folder (a rerun resumes the predictions already there)')
    .option('--limit <n>', 'evaluate the first N records only', positiveInteger)
    .option('--retry-failed', 'ask again the records whose request failed in an earlier run')
    .option('--threads <n>', 'local: engine threads (default: cores, at most 4; env VLA_R1_THREADS)', positiveInteger)
    .addHelpText(
      'after',
      `
--policy local batches 64 records per call unless --batch-size says otherwise.

Examples:
  vla-r1 eval --policy local --checkpoint runs/demo/grpo --data data/synth/test.json --out runs/eval-grpo
  vla-r1 eval --policy openai --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-VL-3B-Instruct \\
    --coordinates pixels --concurrency 16 --data data/synth/test.json --out runs/eval-qwen
  vla-r1 eval --policy vla-r1-server --base-url http://127.0.0.1:8000 --data test.json --out runs/eval-vla-r1`,
    )
    .action(async (flags: EvalFlags, cmd: Command) => {
      const local = flags.policy === 'local';
      if (local && flags.checkpoint === undefined) throw new UserError('--policy local needs --checkpoint DIR');
      if (!local && flags.baseUrl === undefined) throw new UserError(`--policy ${flags.policy} needs --base-url URL`);
      const batchFromDefault = cmd.getOptionValueSource('batchSize') === 'default';
      const settingsFlags = local && batchFromDefault ? { ...flags, batchSize: '64', concurrency: '1' } : flags;
      if (local) process.env.VLA_R1_THREADS = String(engineThreads(flags.threads));

      const [{ policySettingsFromFlags }, { createPolicy }, { readRecords }, { runEvaluation, toEvalRecord }, { createProgress }] =
        await Promise.all([
          import('../policy-options.js'),
          import('../../policy/create-policy.js'),
          import('../../data/records.js'),
          import('../../eval/runner.js'),
          import('../../progress.js'),
        ]);
      const settings = policySettingsFromFlags(settingsFlags);
      const loaded = await readRecords(flags.data);
      const records = (flags.limit !== undefined ? loaded.slice(0, flags.limit) : loaded).map(toEvalRecord);
      const policy = await createPolicy(settings.policy);
      let progress: ReturnType<typeof createProgress> | undefined;
      let seen = 0;
      try {
        const result = await runEvaluation({
          policy,
          records,
          outDir: flags.out,
          concurrency: settings.concurrency,
          batchSize: settings.batchSize,
          coordinateScale: settings.coordinateScale,
          generate: local ? { temperature: 0, ...settings.generate } : settings.generate,
          ...(flags.retryFailed ? { retryFailed: true } : {}),
          onProgress: (p) => {
            progress ??= createProgress({ label: 'eval', total: p.total, unit: 'records' });
            progress.tick(p.done - seen, p.failed > 0 ? `${p.failed} failed` : undefined);
            seen = p.done;
          },
        });
        progress?.done();
        process.stdout.write(`${JSON.stringify(result.metrics, null, 2)}\n`);
        process.stderr.write(`eval: ${result.files.predictions}, ${result.files.metrics}${result.files.reportHtml ? `, ${result.files.reportHtml}` : ''}\n`);
      } finally {
        await policy.close();
        if (local) {
          const { stopWorkerThreads } = await import('../../model/jax.js');
          await stopWorkerThreads();
        }
      }
    });
}
