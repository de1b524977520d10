/**
 * `npm run bench` — synthetic dataset throughput: samples per second (scene + task + rationale + render + PNG
 * + write) in-process versus with worker threads on the machine's cores, and the projected time for 10,000
 * samples against the target (under a minute on 2 cores).
 *
 * Also prints a per-stage CPU breakdown (compose, draw, rasterise, encode) of the in-process path.
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

function stageBreakdown(n: number): Record<string, number> {
  const t = { compose: 0, draw: 0, rasterise: 0, encode: 0 };
  for (let i = 0; i < n; i++) {
    let a = cpuMs();
    const s = composeSample({ seed: 99, split: 'train', index: i, size: 128 });
    let b = cpuMs();
    t.compose += b - a;
    const canvas = createCanvas(128, 128);
    const ctx = canvas.getContext('2d');
    drawScene(ctx, s.scene);
    a = cpuMs();
    t.draw += a - b;
    const pixels = ctx.getImageData(0, 0, 128, 128).data;
    b = cpuMs();
    t.rasterise += b - a;
    encodePng(pixels, 128, 128);
    a = cpuMs();
    t.encode += a - b;
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v / n]));
}

async function throughput(workers: number): Promise<{ rate: number; seconds: number }> {
  const out = await mkdtemp(join(tmpdir(), 'vla-r1-bench-synth-'));
  try {
    const r = await synthesizeDataset({ out, seed: 7, train: SAMPLES, test: 0, ood: 0, size: 128, workers, progress: false });
    return { rate: r.samplesPerSecond, seconds: r.seconds };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Run the benchmark and print its table. */
export async function run(): Promise<void> {
  const cores = availableParallelism();
  console.log(`synth: ${SAMPLES} samples of 128×128 per configuration, ${cores} cores`);
  const stages = stageBreakdown(200);
  const total = Object.values(stages).reduce((s, v) => s + v, 0);
  console.log(
    `CPU per sample (in-process): ${Object.entries(stages)
      .map(([k, v]) => `${k} ${v.toFixed(2)} ms`)
      .join(', ')}; total ${total.toFixed(2)} ms`,
  );
  const base = await throughput(1);
  const rows: [string, { rate: number; seconds: number }][] = [['in-process (baseline)', base]];
  if (cores > 1) rows.push([`${Math.min(2, cores)} worker threads`, await throughput(Math.min(2, cores))]);
  console.log('| configuration | samples/s | ratio vs baseline | projected 10k samples |');
  console.log('|---|---|---|---|');
  for (const [name, r] of rows) {
    const projected = 10000 / r.rate;
    console.log(`| ${name} | ${r.rate.toFixed(0)} | ${(r.rate / base.rate).toFixed(2)}× | ${projected.toFixed(0)} s${projected <= TARGET_SECONDS_FOR_10K ? '' : ' (over the 60 s target)'} |`);
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'));
if (invokedDirectly) await run();
