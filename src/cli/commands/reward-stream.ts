/**
 * The streaming core of `vla-r1 reward`: JSONL bytes in, JSONL bytes out, one output line per input line, in
 * order, in constant memory. The input is read chunk by chunk (no promise per line), the complete lines of a
 * chunk are scored as one batch (in this thread or, on large inputs, on worker threads that are loaded only
 * then) and written with one `write`, waiting for `drain` when the output pushes back.
 *
 * @module
 */
import { isAscii } from 'node:buffer';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { countNewlines, scoreRewardBatch } from './reward-lines.js';
import type { RewardBatchResult, RewardLineOptions } from './reward-lines.js';
import type { RewardWorkerPool } from './reward-workers.js';

/** The compiled worker module; loaded only when worker threads are used (most runs score in this thread). */
const WORKER_MODULE = new URL('./reward-workers.js', import.meta.url);

/**
 * True when the compiled worker module exists (it does in `dist/`; under a TypeScript loader running the `.ts`
 * sources it does not, and the command then scores in its own thread).
 */
export function rewardWorkersAvailable(): boolean {
  return WORKER_MODULE.protocol === 'file:' && fileURLToPath(WORKER_MODULE).endsWith('.js') && existsSync(WORKER_MODULE);
}

/** Options of {@link scoreRewardStream}. */
export interface RewardStreamOptions extends RewardLineOptions {
  /** The input's name in messages: a file path or `stdin`. */
  readonly source: string;
  /** Called with each bad-line message (`SOURCE: line N: field: what`), in input order. */
  readonly onLineError?: (message: string) => void;
  /** Called after each batch is written, with the number of lines it held (progress). */
  readonly onBatch?: (lines: number) => void;
  /** Worker threads to score on: 1 (default) scores in this thread (as does any value when the compiled worker is missing). */
  readonly threads?: number;
  /** With `threads` > 1: lines scored in this thread before the workers start (default 0), so small inputs skip them. */
  readonly workerThresholdLines?: number;
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

/** Bytes of each of the two output buffers of {@link BatchWriter} (grown for a batch that does not fit). */
const OUTPUT_BUFFER_BYTES = 1 << 20;

/**
 * Collects output text in a reusable byte buffer and writes it to the stream in large pieces: two buffers take
 * turns, one filling while the other is being written, and a buffer is refilled only once its write has
 * completed, so writing allocates nothing per batch (a fresh buffer of a megabyte per batch would be mapped and
 * unmapped by the allocator each time). Waits for `drain` on back-pressure; remembers the stream's first error.
 */
class BatchWriter {
  error: NodeJS.ErrnoException | undefined;
  readonly #buffers: Buffer[] = [Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES), Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES)];
  /** The write of each buffer that may still be in progress. */
  readonly #writes: (Promise<void> | undefined)[] = [undefined, undefined];
  #current = 0;
  #used = 0;

  constructor(readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.error ??= error;
    });
  }

  /** Add `text`; `ascii` when it is all ASCII (then it is copied byte for byte instead of UTF-8 encoded). */
  async append(text: string, ascii = false): Promise<void> {
    if (this.error) throw this.error;
    const bytes = ascii ? text.length : Buffer.byteLength(text, 'utf8');
    if (this.#used + bytes > (this.#buffers[this.#current] as Buffer).length) await this.flush();
    let buffer = this.#buffers[this.#current] as Buffer;
    if (bytes > buffer.length) this.#buffers[this.#current] = buffer = Buffer.allocUnsafe(bytes);
    this.#used += buffer.write(text, this.#used, ascii ? 'latin1' : 'utf8');
  }

  /** Start writing what was added, and switch to the other buffer once its previous write has completed. */
  async flush(): Promise<void> {
    if (this.error) throw this.error;
    if (this.#used === 0) return;
    const index = this.#current;
    const bytes = (this.#buffers[index] as Buffer).subarray(0, this.#used);
    let drained = true;
    const written = new Promise<void>((resolve, reject) => {
      drained = this.stream.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
    written.catch(() => undefined); // the error also reaches `error`, and whoever awaits this write
    this.#writes[index] = written;
    this.#current = 1 - index;
    this.#used = 0;
    if (!drained) await once(this.stream, 'drain');
    await this.#writes[this.#current];
  }

  /** Flush, and wait until every write has completed. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.#writes);
  }
}

const NEWLINE = 0x0a;

/**
 * UTF-8 bytes of complete lines as text; all-ASCII input (the usual case) is copied byte for byte, which is
 * several times faster than UTF-8 decoding.
 *
 * @example
 * decodeLines(Buffer.from('{"a": "é"}\n')); // '{"a": "é"}\n'
 */
function decodeLines(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * Lines are decoded and scored in batches of about this many bytes, so that their strings stay small (V8 gives a
 * string of a megabyte a memory mapping of its own, mapped and unmapped for every chunk).
 */
const BATCH_BYTES = 1 << 16;

/**
 * End (exclusive) of the batch of whole lines starting at `start` in `chunk`: the last newline within
 * {@link BATCH_BYTES}, or the end of the first line when that line alone is longer; `last` is the chunk's last
 * newline.
 *
 * @example
 * batchEnd(Buffer.from('a\nb\n'), 0, 3); // 4 (both lines fit in one batch)
 */
export function batchEnd(chunk: Buffer, start: number, last: number): number {
  if (last + 1 - start <= BATCH_BYTES) return last + 1;
  const end = chunk.lastIndexOf(NEWLINE, start + BATCH_BYTES - 1) + 1;
  return end > start ? end : chunk.indexOf(NEWLINE, start) + 1;
}

/** Bytes read from an input file at a time, into one reusable buffer. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * The contents of a file in chunks, all read into one reusable buffer: each chunk is valid until the next one is
 * asked for (a fresh buffer per chunk would cost a memory mapping each time).
 *
 * @example
 * for await (const chunk of fileChunks('pairs.jsonl')) total += chunk.length;
 */
export async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/**
 * Score a JSONL stream into a JSONL stream, one output line per input line, in order.
 *
 * Reads `input` in chunks (a stream, or {@link fileChunks}); the complete lines of a chunk are scored in
 * batches of about {@link BATCH_BYTES}, in this thread or on a worker, and the output of a chunk is written with
 * one `write`. At most two batches per worker are in flight, so memory stays bounded by a few chunks whatever
 * the input size. Does not end `output`. Resolves when the input is exhausted (or the output's reader went
 * away: `outputClosed`).
 *
 * @example
 * const summary = await scoreRewardStream(fileChunks('pairs.jsonl'), process.stdout, {
 *   lambdaAngle: 0.25, lambdaLength: 0.1, source: 'pairs.jsonl',
 * });
 * if (summary.failed > 0) process.exitCode = 2;
 */
export async function scoreRewardStream(
  input: Readable | AsyncIterable<Buffer>,
  output: Writable,
  options: RewardStreamOptions,
): Promise<RewardStreamSummary> {
  const writer = new BatchWriter(output);
  const summary: RewardStreamSummary = { lines: 0, failed: 0, outputClosed: false };
  const threads = rewardWorkersAvailable() ? (options.threads ?? 1) : 1;
  const threshold = options.workerThresholdLines ?? 0;
  const lineOptions: RewardLineOptions = { lambdaAngle: options.lambdaAngle, lambdaLength: options.lambdaLength };
  let pool: RewardWorkerPool | undefined;
  const inFlight: Promise<RewardBatchResult>[] = [];
  let nextLine = 1;
  let carry: Buffer[] = []; // the start of a line that spans chunks

  const emit = async (result: RewardBatchResult): Promise<void> => {
    summary.lines += result.lines;
    summary.failed += result.errors.length;
    for (const message of result.errors) options.onLineError?.(`${options.source}: ${message}`);
    await writer.append(result.output, result.errors.length === 0); // reward lines are ASCII; messages may not be
    options.onBatch?.(result.lines);
  };
  const submit = async (text: string, lines: number): Promise<void> => {
    const first = nextLine;
    nextLine += lines;
    if (pool === undefined && threads > 1 && first - 1 >= threshold) {
      const workers = await import('./reward-workers.js');
      pool = new workers.RewardWorkerPool(threads, lineOptions);
    }
    if (pool === undefined) return emit(scoreRewardBatch(text, first, lineOptions));
    inFlight.push(pool.score(text, first));
    if (inFlight.length >= 2 * pool.size) await emit(await (inFlight.shift() as Promise<RewardBatchResult>));
  };

  try {
    // Chunks are split at newline bytes (never inside a UTF-8 sequence). A line that spans chunks is carried over
    // as bytes and scored on its own when its end arrives, so the bulk of a chunk is decoded in place, uncopied.
    for await (const piece of input as AsyncIterable<Buffer | string>) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      let from = 0;
      if (carry.length > 0) {
        const first = chunk.indexOf(NEWLINE);
        if (first === -1) {
          carry.push(Buffer.from(chunk));
          continue;
        }
        const line = decodeLines(Buffer.concat([...carry, chunk.subarray(0, first + 1)]));
        carry = [];
        await submit(line, 1);
        from = first + 1;
      }
      const last = chunk.lastIndexOf(NEWLINE);
      for (let start = from; start <= last; ) {
        const end = batchEnd(chunk, start, last);
        const text = decodeLines(chunk.subarray(start, end));
        await submit(text, countNewlines(text));
        start = end;
      }
      const rest = Math.max(from, last + 1);
      if (rest < chunk.length) carry.push(Buffer.from(chunk.subarray(rest)));
      await writer.flush();
    }
    if (carry.length > 0) await submit(`${decodeLines(Buffer.concat(carry))}\n`, 1);
    while (inFlight.length > 0) await emit(await (inFlight.shift() as Promise<RewardBatchResult>));
    await writer.close();
  } catch (error: unknown) {
    if (isBrokenPipe(error)) {
      summary.outputClosed = true;
      if (input instanceof Readable) input.destroy();
      return summary;
    }
    throw error;
  } finally {
    // Batches still in flight after an error are abandoned; their rejections must not go unhandled.
    for (const batch of inFlight) batch.catch(() => undefined);
    await pool?.close();
  }
  return summary;
}
