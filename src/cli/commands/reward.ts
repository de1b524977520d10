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
 * Memory stays constant whatever the input size: the input is read chunk by chunk, split into lines by hand
 * (no promise per line), and the output of each chunk is written in one batch, waiting for `drain` when the
 * output pushes back.
 *
 * @module
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { createProgress } from '../../progress.js';
import { computeScore } from '../../rewards/index.js';
import type { RewardResult } from '../../rewards/index.js';

/** Options of {@link scoreRewardStream}. */
export interface RewardStreamOptions {
  /** λθ, the weight of the direction term of ALAF (official 0.25). */
  lambdaAngle: number;
  /** λr, the weight of the length-ratio term of ALAF (official 0.10). */
  lambdaLength: number;
  /** The input's name in messages: a file path or `stdin`. */
  source: string;
  /** Called with each bad-line message (`SOURCE: line N: field: what`); defaults to nothing. */
  onLineError?: (message: string) => void;
  /** Called after each batch with the number of lines it held (progress). */
  onBatch?: (lines: number) => void;
}

/** What {@link scoreRewardStream} did. */
export interface RewardStreamSummary {
  /** Input lines seen (= output lines written, unless the output closed early). */
  lines: number;
  /** Lines that got an `{"error"}` output line. */
  failed: number;
  /** True when the output was closed by its reader (EPIPE) before the input ended. */
  outputClosed: boolean;
}

/** The result of one input line: the output JSON text, or the reason it is not valid input. */
export type RewardLineResult = { ok: true; json: string } | { ok: false; message: string };

function jsonNumber(value: number | null): string {
  return value === null || !Number.isFinite(value) ? 'null' : String(value);
}

/**
 * The output line (without newline) for one reward result.
 *
 * @example
 * rewardResultJson({ score: 1, formatScore: 1, taskScore: 1, mode: 'box', iou: 1, giou: 1, alaf: null, dfd: null });
 * // '{"score":1,"format_score":1,"task_score":1,"mode":"box","iou":1,"giou":1,"alaf":null,"dfd":null}'
 */
export function rewardResultJson(r: RewardResult): string {
  return (
    `{"score":${jsonNumber(r.score)},"format_score":${jsonNumber(r.formatScore)},"task_score":${jsonNumber(r.taskScore)},` +
    `"mode":"${r.mode}","iou":${jsonNumber(r.iou)},"giou":${jsonNumber(r.giou)},"alaf":${jsonNumber(r.alaf)},"dfd":${jsonNumber(r.dfd)}}`
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Why `parsed` is not a valid input object (slow path, only for bad lines): `field: what is wrong`.
 *
 * Input lines are checked by hand rather than with a zod schema: the check is two `typeof`s, and zod would add
 * tens of milliseconds to the start-up of a command that is often run once per batch of a training step.
 */
function inputProblem(parsed: unknown): string {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return `expected a JSON object {"response": str, "ground_truth": str}, got ${describe(parsed)}`;
  }
  const record = parsed as Record<string, unknown>;
  const responseField = record.response === undefined && record.solution_str !== undefined ? 'solution_str' : 'response';
  const response = record[responseField];
  if (typeof response !== 'string') {
    return response === undefined
      ? 'response: missing (expected "response" or "solution_str", a string)'
      : `${responseField}: expected a string, got ${describe(response)}`;
  }
  const groundTruth = record.ground_truth;
  return groundTruth === undefined
    ? 'ground_truth: missing (expected a string)'
    : `ground_truth: expected a string, got ${describe(groundTruth)}`;
}

/**
 * Score one input line (without its newline; a trailing `\r` is ignored).
 *
 * @example
 * scoreRewardLine('{"response": "<output>[[0, 0]]</output>", "ground_truth": "<output>[[0, 0]]</output>"}', 1, { lambdaAngle: 0.25, lambdaLength: 0.1 });
 * // { ok: true, json: '{"score":0.9,"format_score":0,"task_score":1,"mode":"trajectory",...}' }
 */
export function scoreRewardLine(
  line: string,
  lineNumber: number,
  options: Pick<RewardStreamOptions, 'lambdaAngle' | 'lambdaLength'>,
): RewardLineResult {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return { ok: false, message: `line ${lineNumber}: empty line (expected a JSON object)` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `line ${lineNumber}: not valid JSON (${why})` };
  }
  // Fast path: the schema's check written out, so a valid line costs no allocation beyond the parse.
  if (typeof parsed === 'object' && parsed !== null) {
    const record = parsed as { response?: unknown; solution_str?: unknown; ground_truth?: unknown };
    const response = record.response === undefined ? record.solution_str : record.response;
    const groundTruth = record.ground_truth;
    if (typeof response === 'string' && typeof groundTruth === 'string' && !Array.isArray(parsed)) {
      const result = computeScore(response, groundTruth, {
        lambdaAngle: options.lambdaAngle,
        lambdaLength: options.lambdaLength,
      });
      return { ok: true, json: rewardResultJson(result) };
    }
  }
  return { ok: false, message: `line ${lineNumber}: ${inputProblem(parsed)}` };
}

/** Writes batches to a stream, waiting for `drain` on back-pressure; remembers the stream's first error. */
class BatchWriter {
  error: NodeJS.ErrnoException | undefined;

  constructor(readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.error ??= error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.error) throw this.error;
    if (text.length === 0) return;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }
}

function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/**
 * Score a JSONL stream into a JSONL stream, one output line per input line, in order.
 *
 * Reads `input` in chunks, splits lines by hand, and writes each chunk's output as one batch. Does not end
 * `output`. Resolves when the input is exhausted (or the output reader went away: `outputClosed`).
 *
 * @example
 * const summary = await scoreRewardStream(createReadStream('pairs.jsonl'), process.stdout, {
 *   lambdaAngle: 0.25, lambdaLength: 0.1, source: 'pairs.jsonl',
 * });
 * if (summary.failed > 0) process.exitCode = 2;
 */
export async function scoreRewardStream(
  input: Readable,
  output: Writable,
  options: RewardStreamOptions,
): Promise<RewardStreamSummary> {
  const writer = new BatchWriter(output);
  const summary: RewardStreamSummary = { lines: 0, failed: 0, outputClosed: false };
  let pending: string[] = []; // pieces of a line that spans chunks
  const batch: string[] = [];

  const handle = (line: string): void => {
    summary.lines += 1;
    const result = scoreRewardLine(line, summary.lines, options);
    if (result.ok) {
      batch.push(result.json, '\n');
    } else {
      summary.failed += 1;
      batch.push(JSON.stringify({ error: result.message }), '\n');
      options.onLineError?.(`${options.source}: ${result.message}`);
    }
  };
  let flushedLines = 0;
  const flush = async (): Promise<void> => {
    const text = batch.join('');
    batch.length = 0;
    await writer.write(text);
    options.onBatch?.(summary.lines - flushedLines);
    flushedLines = summary.lines;
  };

  input.setEncoding('utf8');
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let start = 0;
      let newline = chunk.indexOf('\n');
      while (newline !== -1) {
        let line = chunk.slice(start, newline);
        if (pending.length > 0) {
          pending.push(line);
          line = pending.join('');
          pending = [];
        }
        handle(line);
        start = newline + 1;
        newline = chunk.indexOf('\n', start);
      }
      if (start < chunk.length) pending.push(chunk.slice(start));
      await flush();
    }
    if (pending.length > 0) handle(pending.join(''));
    await flush();
  } catch (error: unknown) {
    if (isBrokenPipe(error)) {
      summary.outputClosed = true;
      input.destroy();
      return summary;
    }
    throw error;
  }
  return summary;
}

function parseLambda(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new InvalidArgumentError(`${flag} must be a finite number >= 0, got "${value}"`);
    }
    return n;
  };
}

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

interface RewardCommandOptions {
  input?: string;
  output?: string;
  lambdaAngle: number;
  lambdaLength: number;
  quiet?: boolean;
}

/** Lines of stderr messages about bad lines before the rest are counted only. */
const MAX_LINE_MESSAGES = 20;

async function runReward(options: RewardCommandOptions): Promise<void> {
  const fromFile = options.input !== undefined && options.input !== '-';
  const source = fromFile ? (options.input as string) : 'stdin';
  const input: Readable = fromFile ? createReadStream(source, { highWaterMark: 1 << 20 }) : process.stdin;
  const toFile = options.output !== undefined && options.output !== '-';
  const output: Writable = toFile ? createWriteStream(options.output as string, { highWaterMark: 1 << 22 }) : process.stdout;
  const progress = createProgress({ label: 'reward', unit: 'lines', silent: options.quiet === true });
  let messages = 0;

  let summary: RewardStreamSummary;
  try {
    summary = await scoreRewardStream(input, output, {
      lambdaAngle: options.lambdaAngle,
      lambdaLength: options.lambdaLength,
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
  progress.done(summary.failed > 0 ? `(${summary.failed} bad)` : undefined);
  if (summary.failed > 0) {
    throw new UserError(
      `${source}: ${summary.failed} of ${summary.lines} lines are not valid input; their output lines hold {"error": ...}`,
    );
  }
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
    .description(
      'Score JSONL {"response", "ground_truth"} pairs (verl "solution_str" accepted) with the VLA-R1 reward: ' +
        'one output line per input line, {"score","format_score","task_score","mode","iou","giou","alaf","dfd"}; ' +
        'bad lines get {"error"} and exit code 2 at the end',
    )
    .option('-i, --input <file>', 'read from FILE instead of stdin ("-" = stdin)')
    .option('-o, --output <file>', 'write to FILE instead of stdout ("-" = stdout)')
    .option('--lambda-angle <number>', 'λθ, weight of the direction term of ALAF', parseLambda('--lambda-angle'), 0.25)
    .option('--lambda-length <number>', 'λr, weight of the length-ratio term of ALAF', parseLambda('--lambda-length'), 0.1)
    .option('-q, --quiet', 'no progress line on stderr')
    .action(async (options: RewardCommandOptions) => {
      await runReward(options);
    });
}
