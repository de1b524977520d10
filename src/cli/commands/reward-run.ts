/**
 * Running `vla-r1 reward` from its options: the input and output files or stdin/stdout, the worker-thread plan,
 * progress, and the messages and exit code for bad lines (the options come from commander, see `reward.ts`).
 *
 * @module
 */
import { createWriteStream, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { UserError } from '../../errors.js';
import { createProgress } from '../../progress.js';
import { nativeRewardAvailable, nativeRewardStatus } from '../../rewards/nativeReward.js';
import { fileChunks, rewardWorkersAvailable, scoreRewardStream } from './reward-stream.js';
import type { RewardStreamSummary } from './reward-stream.js';

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ENOSPC: 'no space left on the device',
};

/** A short text for a file-system error (`ENOENT` -> "no such file or directory"). */
function systemErrorText(error: NodeJS.ErrnoException): string {
  return (error.code !== undefined ? SYSTEM_ERRORS[error.code] : undefined) ?? error.message;
}

/** The options of `vla-r1 reward`, as commander gives them. */
export interface RewardCommandOptions {
  input?: string;
  output?: string;
  lambdaAngle: number;
  lambdaLength: number;
  threads: number | 'auto';
  quiet?: boolean;
}

/** With `--threads auto`, the fewest idle CPUs for which workers are used. */
const MIN_AUTO_WORKERS = 3;
/** With `--threads auto`, stdin lines scored in the main thread before workers start. */
const AUTO_THRESHOLD_LINES = 10_000;
/** With `--threads auto`, input files at least this large use workers from the start (smaller: never). */
const AUTO_THRESHOLD_BYTES = 4 << 20;

/** Worker threads and the line count at which they start, for the command's options. */
function threadPlan(options: RewardCommandOptions, file: string | undefined): { threads: number; workerThresholdLines: number } {
  if (options.threads !== 'auto') return { threads: options.threads, workerThresholdLines: 0 };
  // One worker per idle CPU, and none unless at least MIN_AUTO_WORKERS CPUs are idle: workers cost ~25% more CPU
  // time in all (measured on 2 cores), so two of them barely beat one thread, and on a busy machine extra
  // threads only compete with each other.
  const idle = availableParallelism() - Math.round(loadavg()[0] ?? 0);
  const threads = rewardWorkersAvailable() ? Math.min(idle, 16) : 1;
  if (threads < MIN_AUTO_WORKERS) return { threads: 1, workerThresholdLines: 0 };
  if (file === undefined) return { threads, workerThresholdLines: AUTO_THRESHOLD_LINES };
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // unreadable: the read reports it with the file's name
  }
  return size >= AUTO_THRESHOLD_BYTES ? { threads, workerThresholdLines: 0 } : { threads: 1, workerThresholdLines: 0 };
}

/** Lines of stderr messages about bad lines before the rest are counted only. */
const MAX_LINE_MESSAGES = 20;

/**
 * Score `--input` (or stdin) into `--output` (or stdout). Bad lines are reported on stderr (the first
 * {@link MAX_LINE_MESSAGES}) and in the output; then a {@link UserError} says how many (exit code 2).
 *
 * @example
 * await runReward({ input: 'pairs.jsonl', output: 'scores.jsonl', lambdaAngle: 0.25, lambdaLength: 0.1, threads: 1 });
 */
export async function runReward(options: RewardCommandOptions): Promise<void> {
  const fromFile = options.input !== undefined && options.input !== '-';
  const source = fromFile ? (options.input as string) : 'stdin';
  const input: Readable | AsyncIterable<Buffer> = fromFile ? fileChunks(source) : process.stdin;
  const toFile = options.output !== undefined && options.output !== '-';
  const output: Writable = toFile ? createWriteStream(options.output as string, { highWaterMark: 1 << 22 }) : process.stdout;
  const progress = createProgress({ label: 'reward', unit: 'lines', silent: options.quiet === true });
  let messages = 0;

  let summary: RewardStreamSummary;
  try {
    summary = await scoreRewardStream(input, output, {
      lambdaAngle: options.lambdaAngle,
      lambdaLength: options.lambdaLength,
      ...threadPlan(options, fromFile ? source : undefined),
      source,
      onLineError: (message) => {
        messages += 1;
        if (messages <= MAX_LINE_MESSAGES) process.stderr.write(`vla-r1 reward: ${message}\n`);
        if (messages === MAX_LINE_MESSAGES + 1) {
          process.stderr.write(`vla-r1 reward: ${source}: further bad lines are reported in the output only\n`);
        }
      },
      onBatch: (lines) => progress.tick(lines),
    });
  } catch (error: unknown) {
    if (toFile) output.end();
    const errno = error as NodeJS.ErrnoException | undefined;
    if (errno?.code !== undefined && errno.syscall !== undefined) {
      throw new UserError(`${errno.path ?? source}: ${systemErrorText(errno)}`);
    }
    throw error;
  }
  if (toFile) {
    output.end();
    try {
      await finished(output);
    } catch (error: unknown) {
      throw new UserError(`${options.output as string}: ${systemErrorText(error as NodeJS.ErrnoException)}`);
    }
  }
  const notes = [summary.failed > 0 ? `(${summary.failed} bad)` : '', nativeRewardAvailable() ? '' : `(TypeScript reward: the C reward is ${nativeRewardStatus()})`];
  progress.done(notes.filter((n) => n !== '').join(' ') || undefined);
  if (summary.failed > 0) {
    throw new UserError(
      `${source}: ${summary.failed} of ${summary.lines} lines are not valid input; their output lines hold {"error": ...}`,
    );
  }
}
