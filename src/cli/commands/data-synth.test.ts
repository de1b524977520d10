import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { registerDataSynth } from './data-synth.js';
import { parseRecords } from '../../data/records.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function run(args: readonly string[]): Promise<string> {
  const program = new Command('vla-r1').exitOverride();
  registerDataSynth(program.command('data'));
  const out: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const errWrite = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'vla-r1', 'data', 'synth', ...args]);
  } finally {
    write.mockRestore();
    errWrite.mockRestore();
  }
  return out.join('');
}

describe('vla-r1 data synth', () => {
  it('writes a tiny dataset end to end, and a contact sheet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vla-r1-synth-cli-'));
    dirs.push(dir);
    const sheet = join(dir, 'sheet.png');
    const text = await run(['--out', dir, '--seed', '3', '--train', '4', '--test', '2', '--ood', '4', '--size', '64', '--workers', '1', '--contact-sheet', sheet]);
    expect(text).toMatch(new RegExp(`^${dir}: wrote 4 train, 2 test, 4 ood samples \\(10 images, [\\d.]+ s, \\d+ samples/s, 1 worker\\)\\n${sheet}: wrote a contact sheet of 16 examples\\n$`));
    for (const split of ['train', 'test', 'ood']) {
      const file = join(dir, `${split}.json`);
      const records = parseRecords(await readFile(file, 'utf8'), file);
      expect(records).toHaveLength(split === 'test' ? 2 : 4);
      expect(records.every((r) => r.imagePath.startsWith(join(dir, 'images', `${split}-`)))).toBe(true);
    }
    expect((await stat(sheet)).size).toBeGreaterThan(50_000);
  });

  it('needs --out or --contact-sheet, and checks --size', async () => {
    await expect(run([])).rejects.toThrow(/give --out DIR/);
    await expect(run(['--out', '/tmp/never', '--size', '16'])).rejects.toThrow(/--size: expected 32 to 1024 pixels, got 16/);
    await expect(run(['--out', '/tmp/never', '--train', 'x'])).rejects.toThrow(/expected a non-negative integer/);
  });
});
