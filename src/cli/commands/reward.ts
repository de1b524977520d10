/**
 * `vla-r1 reward`: score JSONL (response, ground truth) pairs with the VLA-R1 verifiable reward.
 *
 * Input, one JSON object per line: `{"response": str, "ground_truth": str}` (verl's `solution_str` is accepted
 * for `response`; other keys are ignored). Output, one line per input line, in order:
 * `{"score","format_score","task_score","mode","iou","giou","alaf","dfd"}` (null where the mode does not define
 * a value). A line that is not valid input (including an empty line: "one line out per line in" holds for every
 * line) gets `{"error": "line N: ..."}` in its place and a message on stderr naming the input, the line and the
 * field; the rest still goes through, and the command exits with code 2 at the end.
 *
 * Memory stays constant whatever the input size: the input is read chunk by chunk (no promise per line), the
 * complete lines of a chunk are scored as one batch and written with one `write`, waiting for `drain` when the
 * output pushes back. Large inputs can be scored on worker threads (`--threads`; by default one per idle CPU
 * when at least 3 are idle), the main thread then only reading and writing, in order.
 *
 * This file registers the command with commander. The run is in `reward-run.ts`, the streaming in
 * `reward-stream.ts`, the line-level work in `reward-lines.ts`.
 *
 * @module
 */
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { runReward } from './reward-run.js';
import type { RewardCommandOptions } from './reward-run.js';

export { rewardResultJson, scoreRewardBatch, scoreRewardLine } from './reward-lines.js';
export type { RewardBatchResult, RewardLineOptions, RewardLineResult } from './reward-lines.js';
export { batchEnd, fileChunks, scoreRewardStream } from './reward-stream.js';
export type { RewardStreamOptions, RewardStreamSummary } from './reward-stream.js';

function parseLambda(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new InvalidArgumentError(`${flag} must be a finite number >= 0, got "${value}"`);
    }
    return n;
  };
}

function parseThreads(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new InvalidArgumentError(`--threads must be "auto" or an integer from 1 to 64, got "${value}"`);
  }
  return n;
}

/**
 * Register `vla-r1 reward`.
 *
 * @example
 * // $ vla-r1 reward --input pairs.jsonl --output scores.jsonl
 * // $ cat pairs.jsonl | vla-r1 reward --lambda-angle 0.25 > scores.jsonl
 */
export function registerReward(program: Command): void {
  program
    .command('reward')
    .summary('score JSONL {response, ground_truth} pairs with the VLA-R1 reward')
    .description(
      'Score JSONL {"response", "ground_truth"} pairs (verl "solution_str" accepted) with the VLA-R1 reward: ' +
        'one output line per input line, {"score","format_score","task_score","mode","iou","giou","alaf","dfd"}; ' +
        'bad lines get {"error"} and exit code 2 at the end',
    )
    .option('-i, --input <file>', 'read from FILE instead of stdin ("-" = stdin)')
    .option('-o, --output <file>', 'write to FILE instead of stdout ("-" = stdout)')
    .option('--lambda-angle <number>', 'λθ, weight of the direction term of ALAF', parseLambda('--lambda-angle'), 0.25)
    .option('--lambda-length <number>', 'λr, weight of the length-ratio term of ALAF', parseLambda('--lambda-length'), 0.1)
    .option(
      '--threads <n>',
      'worker threads scoring batches; "auto": one per idle CPU when 3 or more are idle, for input files from 4 MB ' +
        'or past 10,000 stdin lines; 1: none',
      parseThreads,
      'auto' as const,
    )
    .option('-q, --quiet', 'no progress line on stderr')
    .action(async (options: RewardCommandOptions) => {
      await runReward(options);
    });
}
