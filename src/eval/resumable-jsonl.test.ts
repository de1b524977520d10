import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { openResumableJsonl } from './resumable-jsonl.js';

const schema = z.object({ index: z.number().int(), text: z.string(), ok: z.boolean() });
type Line = z.infer<typeof schema>;
const options = { schema, keyOf: (line: Line) => line.index };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vla-r1-jsonl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (index: number, text = `t${index}`, ok = true): string => `${JSON.stringify({ index, text, ok })}\n`;

describe('openResumableJsonl', () => {
  it('creates the file and appends whole lines, concurrently, never interleaved', async () => {
    const file = join(dir, 'sub', 'p.jsonl');
    const log = await openResumableJsonl(file, options);
    expect(log.entries.size).toBe(0);
    const big = 'x'.repeat(200_000);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append({ index: i, text: i % 7 === 0 ? big : `t${i}`, ok: true })));
    await log.close();
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as Line).index).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('cuts a torn last line off and keeps the complete ones', async () => {
    const file = join(dir, 'p.jsonl');
    const torn = line(2).slice(0, 9);
    await writeFile(file, line(0) + line(1) + torn);
    const log = await openResumableJsonl(file, options);
    expect([...log.entries.keys()]).toEqual([0, 1]);
    expect(log.resume).toEqual({ truncatedBytes: torn.length, duplicates: 0, redone: 0 });
    await log.append({ index: 2, text: 't2', ok: true });
    await log.close();
    expect(await readFile(file, 'utf8')).toBe(line(0) + line(1) + line(2));
  });

  it('drops duplicate keys (first wins) and rewrites the file without them', async () => {
    const file = join(dir, 'p.jsonl');
    await writeFile(file, line(0, 'first') + line(1) + line(0, 'second') + '\n');
    const log = await openResumableJsonl(file, options);
    expect(log.entries.get(0)?.text).toBe('first');
    expect(log.resume.duplicates).toBe(1);
    await log.close();
    expect(await readFile(file, 'utf8')).toBe(line(0, 'first') + line(1));
  });

  it('drops entries to redo', async () => {
    const file = join(dir, 'p.jsonl');
    await writeFile(file, line(0) + line(1, 'failed', false) + line(2));
    const log = await openResumableJsonl(file, { ...options, redo: (l) => !l.ok });
    expect([...log.entries.keys()]).toEqual([0, 2]);
    expect(log.resume.redone).toBe(1);
    await log.close();
    expect(await readFile(file, 'utf8')).toBe(line(0) + line(2));
  });

  it('refuses a complete line that is not valid, naming file and line', async () => {
    const file = join(dir, 'p.jsonl');
    await writeFile(file, line(0) + '{"index": 1, "text": 5, "ok": true}\n');
    const error = await openResumableJsonl(file, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(`${file}: line 2: text: Invalid input: expected string, received number`);
    await writeFile(file, line(0) + 'garbage\n');
    await expect(openResumableJsonl(file, options)).rejects.toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')}: line 2: not JSON`));
    await writeFile(file, line(0) + line(1));
    await expect(openResumableJsonl(file, { ...options, check: (l) => (l.index === 1 ? 'belongs elsewhere' : undefined) })).rejects.toThrow(`${file}: line 2: belongs elsewhere`);
    expect(await readFile(file, 'utf8')).toBe(line(0) + line(1));
  });
});
