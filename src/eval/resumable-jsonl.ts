/**
 * An append-only JSON Lines log of per-record results that survives `kill -9` at any moment and resumes.
 *
 * Writing: each entry is one line (`JSON + "\n"`) appended with a single `write` on a file opened in append mode,
 * one write at a time; a crash can therefore only leave a torn **last** line (no newline at its end).
 * Opening: the file is read, a torn last line is cut off (the file is truncated to the last newline), and lines
 * are de-duplicated by key (first one wins). When lines are dropped — duplicates, or entries the caller asks to
 * redo — the file is rewritten atomically (temporary file + rename), so an interrupted rewrite loses nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { UserError } from '../errors.js';

/** What was found on opening. */
export interface ResumeInfo {
  /** Bytes of a torn last line that were cut off (0 when the file ended cleanly). */
  readonly truncatedBytes: number;
  /** Lines dropped because an earlier line had the same key. */
  readonly duplicates: number;
  /** Lines dropped because `redo` asked for them to be done again. */
  readonly redone: number;
}

/** An open log. */
export interface ResumableJsonl<T> {
  readonly file: string;
  /** Entries already in the file, by key. */
  readonly entries: ReadonlyMap<number, T>;
  readonly resume: ResumeInfo;
  /** Append one entry as one line (queued: appends never interleave). Resolves once written. */
  append(entry: T): Promise<void>;
  /** Wait for pending appends and close the file. */
  close(): Promise<void>;
}

/** Options of {@link openResumableJsonl}. */
export interface OpenResumableOptions<T> {
  /** Schema of one line; a full line that fails it is a {@link UserError} naming the file and line. */
  readonly schema: z.ZodType<T>;
  /** The key lines are de-duplicated by (e.g. the record index). */
  readonly keyOf: (entry: T) => number;
  /** Entries to drop so that they are done again (e.g. failed requests on `--retry-failed`). */
  readonly redo?: (entry: T) => boolean;
  /** Extra check of a line against the caller's data; return an error message to refuse the file. */
  readonly check?: (entry: T) => string | undefined;
}

async function readExisting(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${file}: cannot read: ${(error as Error).message}`);
  }
}

async function rewriteAtomically(file: string, lines: readonly string[]): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, lines.map((line) => `${line}\n`).join(''));
    await rename(temp, file);
  } catch (error: unknown) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new UserError(`${file}: cannot rewrite: ${(error as Error).message}`);
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Open (or create) a resumable log, repairing a torn last line and de-duplicating.
 *
 * @example
 * const log = await openResumableJsonl('runs/eval/predictions.jsonl', { schema: predictionLine, keyOf: (p) => p.index });
 * for (const record of records) if (!log.entries.has(record.index)) await log.append(await predict(record));
 * await log.close();
 */
export async function openResumableJsonl<T>(file: string, options: OpenResumableOptions<T>): Promise<ResumableJsonl<T>> {
  await mkdir(dirname(file), { recursive: true });
  const existing = await readExisting(file);
  const entries = new Map<number, T>();
  let truncatedBytes = 0;
  let duplicates = 0;
  let redone = 0;
  if (existing !== undefined && existing.length > 0) {
    const end = existing.lastIndexOf(0x0a) + 1;
    truncatedBytes = existing.length - end;
    if (truncatedBytes > 0) await truncate(file, end);
    const kept: string[] = [];
    const lines = existing.subarray(0, end).toString('utf8').split('\n');
    lines.pop(); // the empty string after the last newline
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error: unknown) {
        throw new UserError(`${file}: line ${i + 1}: not JSON (${(error as Error).message}); fix or delete that line to resume`);
      }
      const parsed = options.schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new UserError(`${file}: line ${i + 1}: ${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'unexpected shape'}`);
      }
      const problem = options.check?.(parsed.data);
      if (problem !== undefined) throw new UserError(`${file}: line ${i + 1}: ${problem}`);
      const key = options.keyOf(parsed.data);
      if (entries.has(key)) {
        duplicates++;
        return;
      }
      if (options.redo?.(parsed.data)) {
        redone++;
        return;
      }
      entries.set(key, parsed.data);
      kept.push(line);
    });
    if (duplicates > 0 || redone > 0) await rewriteAtomically(file, kept);
  }

  const handle = await open(file, 'a');
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  return {
    file,
    entries,
    resume: { truncatedBytes, duplicates, redone },
    append(entry: T): Promise<void> {
      if (closed) return Promise.reject(new Error(`${file}: append after close`));
      const bytes = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
      const next = queue.then(() => writeAll(handle, bytes));
      queue = next.catch(() => undefined);
      return next;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await queue;
      await handle.close();
    },
  };
}
