/**
 * `npm run bench` — synthetic dataset throughput: samples per second (scene + task + rationale + render + PNG
 * + write) in-process versus with worker threads on the machine's cores, and the projected time for 10,000
 * samples against the target (under a minute on 2 cores).
 *
 * Also prints a per-stage CPU breakdown (compose, draw, rasterise, encode), best of three passes, which stays
 * meaningful on a busy machine where wall-clock rates do not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { drawScene } from '../src/data/scene/render.js';
import { encodePng } from '../src/data/scene/png.js';
import { composeSample } from '../src/data/synth-sample.js';
import { synthesizeDataset } from '../src/data/synth.js';

const SAMPLES = Number(process.env.SYNTH_BENCH_SAMPLES ?? 600);
const TARGET_SECONDS_FOR_10K = 60;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU milliseconds per sample for each stage, the best of `reps` passes over the same `n` samples. */
function stageBreakdown(n: number, reps: number): Record<string, number> {
  const best: Record<string, number> = { compose: Infinity, draw: Infinity, rasterise: Infinity, encode: Infinity };
  const keep = (stage: string, ms: number): void => {
    best[stage] = Math.min(best[stage] as number, ms / n);
  };
  for (let rep = 0; rep < reps; rep++) {
    let t = cpuMs();
    const samples = Array.from({ length: n }, (_, index) => composeSample({ seed: 99, split: 'train', index, size: 128 }));
    keep('compose', cpuMs() - t);
    t = cpuMs();
    const contexts = samples.map((s) => {
      const ctx = createCanvas(128, 128).getContext('2d');
      drawScene(ctx, s.scene);
      return ctx;
    });
    keep('draw', cpuMs() - t);
    t = cpuMs();
    const pixels = contexts.map((ctx) => ctx.getImageData(0, 0, 128, 128).data);
    keep('rasterise', cpuMs() - t);
    t = cpuMs();
    for (const p of pixels) encodePng(p, 128, 128);
    keep('encode', cpuMs() - t);
  }
  return best;
}

interface Throughput {
  /** Wall-clock samples per second. */
  readonly rate: number;
  /** CPU milliseconds per sample over all threads (main and workers). */
  readonly cpuPerSample: number;
  /** Cores' worth of CPU the run got on average (low on a busy machine). */
  readonly utilisation: number;
}

async function throughput(workers: number): Promise<Throughput> {
  const out = await mkdtemp(join(tmpdir(), 'vla-r1-bench-synth-'));
  try {
    const before = process.cpuUsage();
    const r = await synthesizeDataset({ out, seed: 7, train: SAMPLES, test: 0, ood: 0, size: 128, workers, progress: false });
    const used = process.cpuUsage(before);
    const cpu = (used.user + used.system) / 1000;
    return { rate: r.samplesPerSecond, cpuPerSample: cpu / SAMPLES, utilisation: cpu / 1000 / r.seconds };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Run the benchmark and print its table. */
export async function run(): Promise<void> {
  const cores = availableParallelism();
  console.log(`synth: ${SAMPLES} samples of 128×128 per configuration, ${cores} cores`);
  const stages = stageBreakdown(200, 3);
  const total = Object.values(stages).reduce((s, v) => s + v, 0);
  console.log(
    `CPU per sample, best of 3 passes: ${Object.entries(stages)
      .map(([k, v]) => `${k} ${v.toFixed(2)} ms`)
      .join(', ')}; total ${total.toFixed(2)} ms ` +
      `⇒ 10k samples ≈ ${((10000 * total) / 1000 / Math.min(2, cores)).toFixed(0)} s of CPU per core on ${Math.min(2, cores)} cores (file writes excluded)`,
  );
  const base = await throughput(1);
  const parallel = Math.min(2, cores);
  const rows: [string, Throughput, number][] = [['in-process (baseline)', base, 1]];
  if (cores > 1) rows.push([`${parallel} worker threads`, await throughput(parallel), parallel]);
  console.log('| configuration | samples/s (wall) | ratio vs baseline | CPU ms/sample | cores used | 10k samples (wall) | 10k samples on idle cores (CPU-bound) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, r, threads] of rows) {
    const wall = 10000 / r.rate;
    const idle = (10000 * r.cpuPerSample) / 1000 / threads;
    const mark = (t: number): string => `${t.toFixed(0)} s${t <= TARGET_SECONDS_FOR_10K ? '' : ' (over 60 s)'}`;
    console.log(
      `| ${name} | ${r.rate.toFixed(0)} | ${(r.rate / base.rate).toFixed(2)}× | ${r.cpuPerSample.toFixed(2)} | ${r.utilisation.toFixed(2)} | ${mark(wall)} | ${mark(idle)} |`,
    );
  }
  console.log('(the last column assumes each thread gets a whole core; "cores used" below the thread count means the machine was busy)');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'));
if (invokedDirectly) await run();
