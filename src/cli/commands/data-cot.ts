/**
 * `vla-r1 data cot`: the CoT data engine. Asks a served VLM for a four-step rationale per labelled record and
 * keeps the rationales whose answer agrees with the label (see `src/data/cot-engine.ts`).
 *
 * Registered under `vla-r1 data` by `data.ts` (`registerDataCot(data)`). Heavy modules load inside the action.
 *
 * @module
 */
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { addPolicyOptions, policySettingsFromFlags } from '../policy-options.js';

interface CotFlags {
  data: string;
  out: string;
  minIou: string;
  maxDfd: string;
  minRationaleChars: string;
  withLabel?: boolean;
  retryFailed?: boolean;
  limit?: string;
}

function fraction(flag: string, value: string, max = 1): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0 || x > max) throw new UserError(`${flag}: expected a number in [0, ${max}], got ${JSON.stringify(value)}`);
  return x;
}

function count(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UserError(`${flag}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Stop gracefully on Ctrl-C: requests in flight are dropped, what was written stays. */
function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new UserError('interrupted: rerun the same command to resume', 130));
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}

/**
 * Register `data cot` on the `data` command.
 *
 * @example
 * registerDataCot(program.command('data'));
 * // vla-r1 data cot --policy openai --base-url http://127.0.0.1:8000/v1 --data train.json --out train-cot.json
 */
export function registerDataCot(data: Command): void {
  const cot = data
    .command('cot')
    .description('CoT data engine: ask a served VLM for four-step rationales and keep those consistent with the labels')
    .requiredOption('--data <file>', 'labelled VLA-R1 records (JSON array or JSON Lines)')
    .requiredOption('--out <file>', 'kept records with the rationale in the gpt turn (JSON Lines for .jsonl, else a JSON array); progress goes to OUT.progress.jsonl')
    .option('--min-iou <t>', 'keep a box rationale when its answer has IoU >= t with the label', '0.5')
    .option('--max-dfd <d>', 'keep a trajectory rationale when its answer is within discrete Fréchet distance d of the label (normalised image units; 0.1 = 100 on the paper scale)', '0.1')
    .option('--min-rationale-chars <n>', 'shortest rationale kept', '20')
    .option('--with-label', 'give the label as the answer to explain (rationalisation) instead of letting the VLM find it')
    .option('--retry-failed', 'ask again the records whose request failed in an earlier run')
    .option('--limit <n>', 'only the first n records');
  addPolicyOptions(cot, { policy: 'openai', concurrency: 8 });
  cot.addHelpText(
    'after',
    `
The prompt is the instruction, the paper's four-step template of the record's kind (affordance: task parsing, scene
understanding, affordance region localization, feasibility check; trajectory: task parsing, object and gripper
localization, scene analysis, trajectory logic), then the official suffix. The kept record's gpt turn becomes
"<think>RATIONALE</think> so, the answer is <output>LABEL</output>". Rerun the same command to resume.

Examples:
  vla-r1 data cot --policy openai --base-url http://127.0.0.1:8000/v1 --data train.json --out train-cot.json
  vla-r1 data cot --policy openai --base-url http://127.0.0.1:8000/v1 --coordinates pixels --data train.json --out cot.jsonl`,
  );
  cot.action(async (_opts: unknown, command: Command) => {
    const flags = command.opts<CotFlags & Record<string, unknown>>();
    const settings = policySettingsFromFlags(flags);
    const minIou = fraction('--min-iou', flags.minIou);
    const maxDfd = fraction('--max-dfd', flags.maxDfd, Math.SQRT2);
    const minRationaleChars = count('--min-rationale-chars', flags.minRationaleChars);
    const limit = flags.limit !== undefined ? count('--limit', flags.limit) : undefined;

    const [{ readRecords }, { runCotEngine }, { createPolicy }, { createProgress }] = await Promise.all([
      import('../../data/records.js'),
      import('../../data/cot-engine.js'),
      import('../../policy/create-policy.js'),
      import('../../progress.js'),
    ]);
    const all = await readRecords(flags.data);
    const records = limit !== undefined ? all.slice(0, limit) : all;
    const policy = await createPolicy(settings.policy);
    const progress = createProgress({ label: 'cot', total: records.length, unit: 'records' });
    let last = 0;
    const interrupt = interruptSignal();
    try {
      const summary = await runCotEngine({
        policy,
        records,
        outFile: flags.out,
        concurrency: settings.concurrency,
        batchSize: settings.batchSize,
        coordinateScale: settings.coordinateScale,
        generate: settings.generate,
        minIou,
        maxDfd,
        minRationaleChars,
        withLabel: flags.withLabel === true,
        retryFailed: flags.retryFailed === true,
        signal: interrupt.signal,
        onProgress: ({ done, kept }) => {
          if (done > last) progress.tick(done - last, `kept ${kept}`);
          last = done;
        },
      });
      progress.done();
      const rejected = Object.entries(summary.outcomes)
        .filter(([outcome, n]) => outcome !== 'kept' && n > 0)
        .map(([outcome, n]) => `${outcome} ${n}`)
        .join(', ');
      const pct = summary.total > 0 ? ((100 * summary.kept) / summary.total).toFixed(1) : '0.0';
      process.stdout.write(`kept ${summary.kept} of ${summary.total} (${pct}%); rejected ${summary.rejected}${rejected ? `: ${rejected}` : ''}\n`);
      process.stdout.write(`wrote ${summary.outFile}; per-record outcomes in ${summary.progressFile}${summary.resumed > 0 ? ` (${summary.resumed} resumed)` : ''}\n`);
    } finally {
      interrupt.dispose();
      await policy.close();
    }
  });
}
