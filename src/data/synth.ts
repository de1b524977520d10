/**
 * The embedded default dataset: `synthesizeDataset` writes DIR/train.json, DIR/test.json and DIR/ood.json
 * (VLA-R1 ShareGPT arrays, image paths relative to DIR), the PNGs under DIR/images/, the dense scene labels of
 * every image in DIR/SPLIT.labels.jsonl (`scene-labels.ts`), and DIR/manifest.json (what was generated and what
 * the OOD split holds out). Same options ⇒ byte-identical files, whether the
 * samples are made in-process or by worker threads.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { createProgress, type Progress } from '../progress.js';
import { writeFileAtomic } from './atomic-write.js';
import { writeRecords, type VlaR1Record } from './records.js';
import { labelsFileFor, writeSceneLabels } from './scene-labels.js';
import { makeSampleFiles, type SampleJob, type SampleResult, type WorkerSetup } from './synth-files.js';
import { HELD_OUT, OOD_SHIFTS, SPLITS, type SplitName } from './synth-splits.js';

/** Defaults sized for the CPU demo: a ~2 M-parameter model trains on them in minutes. */
export const SYNTH_DEFAULTS = { seed: 1, train: 4000, test: 200, ood: 200, size: 128 } as const;

/** Options of {@link synthesizeDataset}. */
export interface SynthesizeOptions {
  /** Output folder (created). */
  readonly out: string;
  readonly seed?: number;
  readonly train?: number;
  readonly test?: number;
  readonly ood?: number;
  /** Image size in pixels, square (default 128). */
  readonly size?: number;
  /** Worker threads (default: up to 2, the available cores; 1 = in-process). */
  readonly workers?: number;
  /** Show progress on stderr (default true); `false` is silent. */
  readonly progress?: boolean;
}

/** What {@link synthesizeDataset} wrote. */
export interface SynthesizeResult {
  readonly dir: string;
  readonly files: Readonly<Record<SplitName, string>>;
  readonly counts: Readonly<Record<SplitName, number>>;
  readonly manifest: string;
  readonly imagesDir: string;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  /** Threads the samples were made on (1 = in-process: small splits, or no compiled worker). */
  readonly workers: number;
}

/** Samples per message to a worker: big enough to amortise messaging, small enough to balance load. */
const BATCH = 32;

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new UserError(`--${name}: expected a non-negative integer, got ${value}`);
  return value;
}

function workerUrl(): URL | undefined {
  const url = new URL('./synth-worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
}

/** Threads a split of `jobs` samples runs on: worker threads only when the compiled worker exists and it pays off. */
function threadsFor(jobs: number, workers: number): number {
  return workers > 1 && jobs > BATCH && workerUrl() ? workers : 1;
}

async function runInWorkers(setup: WorkerSetup, jobs: readonly SampleJob[], workers: number, progress: Progress): Promise<SampleResult[]> {
  const url = workerUrl();
  const results: SampleResult[] = [];
  if (!url || threadsFor(jobs.length, workers) === 1) {
    for (let i = 0; i < jobs.length; i += BATCH) {
      const batch = await makeSampleFiles(setup, jobs.slice(i, i + BATCH));
      results.push(...batch);
      progress.tick(batch.length);
    }
    return results;
  }
  let next = 0;
  const pool = Array.from({ length: workers }, () => new Worker(url, { workerData: setup }));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = (): void => {
              if (next >= jobs.length) {
                resolve();
                return;
              }
              const batch = jobs.slice(next, next + BATCH);
              next += batch.length;
              worker.postMessage(batch);
            };
            worker.on('message', (message: { ok: true; results: SampleResult[] } | { ok: false; message: string }) => {
              if (!message.ok) {
                reject(new Error(`synth worker failed: ${message.message}`));
                return;
              }
              results.push(...message.results);
              progress.tick(message.results.length);
              send();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`synth worker exited with code ${code}`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

/**
 * Generate the synthetic dataset into `options.out`.
 *
 * @example
 * const result = await synthesizeDataset({ out: 'data/synth', train: 4000, test: 200, ood: 200 });
 * result.files.train; // 'data/synth/train.json'
 */
export async function synthesizeDataset(options: SynthesizeOptions): Promise<SynthesizeResult> {
  const seed = options.seed ?? SYNTH_DEFAULTS.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UserError(`--seed: expected an integer from 0 to 4294967295, got ${seed}`);
  const size = options.size ?? SYNTH_DEFAULTS.size;
  if (!Number.isInteger(size) || size < 32 || size > 1024) throw new UserError(`--size: expected an integer from 32 to 1024 pixels, got ${size}`);
  const counts: Record<SplitName, number> = {
    train: checkCount('train', options.train ?? SYNTH_DEFAULTS.train),
    test: checkCount('test', options.test ?? SYNTH_DEFAULTS.test),
    ood: checkCount('ood', options.ood ?? SYNTH_DEFAULTS.ood),
  };
  const workers = Math.max(1, Math.floor(options.workers ?? Math.min(2, availableParallelism())));
  const dir = options.out;
  const imagesDir = join(dir, 'images');
  try {
    await mkdir(imagesDir, { recursive: true });
  } catch (error: unknown) {
    throw new UserError(`${dir}: cannot create the output folder: ${(error as Error).message}`);
  }
  const total = counts.train + counts.test + counts.ood;
  const progress = createProgress({ label: 'synth', total, unit: 'samples', silent: options.progress === false });
  const started = performance.now();
  const setup: WorkerSetup = { out: dir, seed, size };
  const files = { train: join(dir, 'train.json'), test: join(dir, 'test.json'), ood: join(dir, 'ood.json') };
  const oodShifts: string[] = [];
  const modes: Record<SplitName, Record<string, number>> = { train: {}, test: {}, ood: {} };
  let threads = 1;
  for (const split of SPLITS) {
    threads = Math.max(threads, threadsFor(counts[split], workers));
    const jobs: SampleJob[] = Array.from({ length: counts[split] }, (_, index) => ({ split, index }));
    const results = (await runInWorkers(setup, jobs, workers, progress)).sort((a, b) => a.index - b.index);
    const records: VlaR1Record[] = results.map((r) => r.record);
    for (const r of results) {
      modes[split][r.meta.mode] = (modes[split][r.meta.mode] ?? 0) + 1;
      if (split === 'ood') oodShifts.push(r.meta.shift ?? '');
    }
    await writeRecords(files[split], records);
    await writeSceneLabels(
      labelsFileFor(files[split]),
      results.map((r) => ({ image: r.record.image as string, ...r.labels })),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  progress.done();
  const manifest = join(dir, 'manifest.json');
  const sortedModes = Object.fromEntries(SPLITS.map((s) => [s, Object.fromEntries(Object.entries(modes[s]).sort(([a], [b]) => a.localeCompare(b)))]));
  await writeFileAtomic(
    manifest,
    `${JSON.stringify(
      {
        generator: 'vla-r1 data synth',
        format: 'VLA-R1 ShareGPT records; boxes centre form, normalised; image paths relative to this folder',
        seed,
        size,
        counts,
        modes: sortedModes,
        held_out: HELD_OUT,
        ood_shift_order: OOD_SHIFTS,
        ood_shifts: oodShifts,
      },
      null,
      2,
    )}\n`,
  );
  return { dir, files, counts, manifest, imagesDir, seconds, samplesPerSecond: seconds > 0 ? total / seconds : 0, workers: threads };
}
