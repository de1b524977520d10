import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readSceneLabels } from './scene-labels.js';
import { readRecords } from './records.js';
import { synthesizeDataset, type SynthesizeOptions } from './synth.js';
import type * as SynthModule from './synth.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vla-r1-synth-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function expectSameFiles(a: string, b: string): Promise<number> {
  const fa = await listFiles(a);
  expect(await listFiles(b)).toEqual(fa);
  for (const f of fa) {
    const [x, y] = await Promise.all([readFile(join(a, f)), readFile(join(b, f))]);
    if (!x.equals(y)) throw new Error(`${f} differs between ${a} and ${b}`);
  }
  return fa.length;
}

const tiny: Omit<SynthesizeOptions, 'out'> = { seed: 5, train: 6, test: 3, ood: 4, size: 64, progress: false, workers: 1 };

describe('synthesizeDataset', () => {
  it('writes the three splits, their images and a manifest, readable as VLA-R1 records', async () => {
    const out = await tempDir();
    const result = await synthesizeDataset({ ...tiny, out });
    expect(result.counts).toEqual({ train: 6, test: 3, ood: 4 });
    expect(await listFiles(out)).toEqual([
      ...Array.from({ length: 4 }, (_, i) => `images/ood-00000${i}.png`),
      ...Array.from({ length: 3 }, (_, i) => `images/test-00000${i}.png`),
      ...Array.from({ length: 6 }, (_, i) => `images/train-00000${i}.png`),
      'manifest.json',
      'ood.json',
      'ood.labels.jsonl',
      'test.json',
      'test.labels.jsonl',
      'train.json',
      'train.labels.jsonl',
    ]);
    const records = await readRecords(result.files.train);
    expect(records).toHaveLength(6);
    for (const r of records) {
      expect(r.imagePath).toBe(join(out, `images/train-00000${r.index}.png`));
      const meta = await sharp(r.imagePath).metadata();
      expect([meta.width, meta.height, meta.format]).toEqual([64, 64, 'png']);
    }
    const labels = await readSceneLabels(join(out, 'train.labels.jsonl'));
    expect(labels.map((l) => l.image)).toEqual(Array.from({ length: 6 }, (_, i) => `images/train-00000${i}.png`));
    expect(labels.every((l) => l.grid === 16 && l.instances.includes('#'))).toBe(true);
    // The official data's layout: a JSON array with 2-space indentation.
    const text = await readFile(result.files.test, 'utf8');
    expect(text.startsWith('[\n  {\n    "image": "images/test-000000.png",\n    "conversations": [')).toBe(true);
    const manifest = JSON.parse(await readFile(result.manifest, 'utf8')) as { ood_shifts: string[]; held_out: { categories: string[] }; seed: number };
    expect(manifest.seed).toBe(5);
    expect(manifest.ood_shifts).toEqual(['category', 'colour', 'layout', 'phrasing']);
    expect(manifest.held_out.categories).toEqual(['jug', 'knife', 'pear']);
  });

  it('is deterministic: the same options give byte-identical files', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    await synthesizeDataset({ ...tiny, out: a });
    await synthesizeDataset({ ...tiny, out: b });
    expect(await expectSameFiles(a, b)).toBe(20);
  });

  it('changes with the seed', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    await synthesizeDataset({ ...tiny, train: 2, test: 0, ood: 0, out: a });
    await synthesizeDataset({ ...tiny, train: 2, test: 0, ood: 0, seed: 6, out: b });
    expect((await readFile(join(a, 'train.json'))).equals(await readFile(join(b, 'train.json')))).toBe(false);
  });

  it('rejects bad sizes and counts with a user error naming the flag', async () => {
    const out = await tempDir();
    await expect(synthesizeDataset({ ...tiny, out, size: 8 })).rejects.toThrow(/--size: expected an integer from 32 to 1024/);
    await expect(synthesizeDataset({ ...tiny, out, train: -1 })).rejects.toThrow(/--train: expected a non-negative integer/);
  });

  // Worker threads need the compiled worker (dist/); `npm test` builds first.
  const compiled = new URL('../../dist/src/data/synth.js', import.meta.url);
  it.runIf(existsSync(compiled))('gives the same bytes with two worker threads as in-process', async () => {
    const mod = (await import(compiled.href)) as typeof SynthModule;
    const [a, b] = [await tempDir(), await tempDir()];
    const options = { ...tiny, train: 40, test: 0, ood: 0 };
    const inProcess = await mod.synthesizeDataset({ ...options, out: a, workers: 1 });
    const threaded = await mod.synthesizeDataset({ ...options, out: b, workers: 2 });
    expect([inProcess.workers, threaded.workers]).toEqual([1, 2]);
    expect(await expectSameFiles(a, b)).toBe(47);
  });
});
