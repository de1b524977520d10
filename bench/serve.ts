/**
 * Reward service throughput: rewards/s and p50/p99 latency over HTTP (autocannon, 64 connections) at batch 1 and
 * batch 256, against in-process `computeScore` in the same run; plus `/health` latency while the service is busy.
 *
 * The service runs as a separate process (`vla-r1 serve reward`), as in production: autocannon and the in-process
 * baseline share this process. Target: the service at batch 256 reaches >= 50% of in-process throughput.
 *
 * Env: BENCH_SERVE_SECONDS (default 5) per HTTP run.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { computeScore } from '../src/rewards/index.js';
import { probe } from '../src/serve/http-probe.js';

interface Pair {
  readonly response: string;
  readonly ground_truth: string;
}

const CONNECTIONS = 64;

function loadPairs(): Pair[] {
  const file = new URL('../../test/fixtures/reward-official-400.jsonl', import.meta.url);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const { response, ground_truth } = JSON.parse(line) as Pair;
      return { response, ground_truth };
    });
}

function batchOf(pairs: readonly Pair[], size: number, offset = 0): Pair[] {
  return Array.from({ length: size }, (_, i) => pairs[(offset + i) % pairs.length] as Pair);
}

/** In-process rewards per wall-clock second and per CPU second, over `seconds`, cycling through the pairs. */
function inProcessRate(pairs: readonly Pair[], seconds: number): { wall: number; cpu: number } {
  let n = 0;
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (const pair of pairs) sink += computeScore(pair.response, pair.ground_truth).score;
    n += pairs.length;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return { wall: n / elapsed, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

interface ServiceCounters {
  readonly cpuSeconds: number;
  readonly itemsScored: number;
}

/** The service's CPU time and items scored so far (from /health; with several workers, one worker's). */
async function serviceCounters(url: string): Promise<ServiceCounters> {
  const health = JSON.parse((await probe(`${url}/health`)).text) as { cpu_s: number; items_scored: number };
  return { cpuSeconds: health.cpu_s, itemsScored: health.items_scored };
}

async function startService(extra: readonly string[] = []): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const child = spawn(process.execPath, [cli, 'serve', 'reward', '--port', '0', '--quiet', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+) /.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`reward service exited with ${String(code)}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

interface HttpRun {
  readonly label: string;
  readonly batch: number;
  readonly rewardsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly failures: number;
}

/** One autocannon run of `seconds`, or of exactly `amount` requests (no requests cut off at the end). */
async function httpRun(label: string, url: string, body: string, batch: number, seconds: number, amount?: number): Promise<HttpRun> {
  const started = performance.now();
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    ...(amount === undefined ? { duration: seconds } : { amount }),
    timeout: 30,
  });
  if (amount !== undefined) seconds = (performance.now() - started) / 1000;
  return {
    label,
    batch,
    rewardsPerSecond: (result.requests.total * batch) / (amount === undefined ? result.duration || seconds : seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

/** Probe /health every `everyMs` until `stop` resolves; latencies in ms. */
async function healthLatencies(url: string, stop: Promise<unknown>, everyMs = 50): Promise<number[]> {
  const out: number[] = [];
  let done = false;
  void stop.then(() => (done = true));
  while (!done) {
    const t0 = performance.now();
    const res = await probe(`${url}/health`);
    if (res.status === 200) out.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return out;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Run the benchmark and print a table. */
export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SERVE_SECONDS ?? 5);
  const pairs = loadPairs();
  console.log(`\n## serve: reward service vs in-process computeScore (${pairs.length} fixture pairs, ${CONNECTIONS} connections, ${seconds} s per run)`);

  inProcessRate(pairs, 0.5); // warm-up
  // The machine may be shared: measure the baseline before and after the HTTP runs and use the mean.
  const before = inProcessRate(pairs, Math.max(1, seconds / 2));
  let inProcess = before.wall;

  const service = await startService();
  try {
    // warm-up the service's JIT
    await httpRun('warm-up', `${service.url}/v1/reward`, JSON.stringify(batchOf(pairs, 256)), 256, 1);

    const runs: HttpRun[] = [];
    runs.push(await httpRun('/v1/reward', `${service.url}/v1/reward`, JSON.stringify(batchOf(pairs, 1, 7)), 1, seconds));
    const prompt = 'PROMPT <output>{"x": value, "y": value, "width": value, "height": value}</output>.';
    const one = batchOf(pairs, 1, 7)[0] as Pair;
    runs.push(
      await httpRun(
        '/get_reward',
        `${service.url}/get_reward`,
        JSON.stringify({ query: [prompt + one.response], prompts: [prompt], labels: [one.ground_truth] }),
        1,
        seconds,
      ),
    );
    const heavy = httpRun('/v1/reward', `${service.url}/v1/reward`, JSON.stringify(batchOf(pairs, 256)), 256, seconds);
    const health = await healthLatencies(service.url, heavy);
    runs.push(await heavy);

    const after = inProcessRate(pairs, Math.max(1, seconds / 2));
    inProcess = (before.wall + after.wall) / 2;
    console.log(`in-process computeScore: ${fmt(inProcess)} rewards/s (before ${fmt(before.wall)}, after ${fmt(after.wall)})`);
    console.log('| endpoint | batch | rewards/s | p50 ms | p99 ms | requests | errors | vs in-process |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of runs) {
      console.log(
        `| ${r.label} | ${r.batch} | ${fmt(r.rewardsPerSecond)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.requests} | ${r.failures} | ${fmt((100 * r.rewardsPerSecond) / inProcess, 1)}% |`,
      );
    }
    console.log(
      `GET /health during the batch-256 run: p50 ${fmt(quantile(health, 0.5), 1)} ms, p99 ${fmt(quantile(health, 0.99), 1)} ms, ` +
        `max ${fmt(Math.max(...health), 1)} ms (${health.length} probes)`,
    );
    // Load from other processes drifts: alternate short windows of in-process scoring and of service requests
    // (a fixed number of requests, all completed: no work cut off at the end) and take the median ratio.
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const body256 = JSON.stringify(batchOf(pairs, 256));
    for (let round = 0; round < 5; round++) {
      const local = inProcessRate(pairs, 1);
      const c0 = await serviceCounters(service.url);
      const remote = await httpRun('/v1/reward', `${service.url}/v1/reward`, body256, 256, 0, CONNECTIONS * 6);
      const c1 = await serviceCounters(service.url);
      ratios.push(remote.rewardsPerSecond / local.wall);
      cpuRatios.push((c1.itemsScored - c0.itemsScored) / (c1.cpuSeconds - c0.cpuSeconds) / local.cpu);
    }
    const ratio = quantile(ratios, 0.5);
    const cpuRatio = quantile(cpuRatios, 0.5);
    const list = (values: readonly number[]): string => values.map((r) => `${fmt(100 * r)}%`).join(', ');
    const steady = runs[runs.length - 1] as HttpRun;
    const steadyRatio = steady.rewardsPerSecond / inProcess;
    console.log(
      `service at batch 256 = ${fmt(100 * steadyRatio, 1)}% of in-process throughput over the ${seconds} s run ` +
        `(target >= 50%): ${steadyRatio >= 0.5 && steady.failures === 0 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `  short windows of ${CONNECTIONS * 6} requests alternating with in-process scoring (load generator start-up included): ` +
        `median ${fmt(100 * ratio, 1)}% (${list(ratios)})`,
    );
    console.log(
      `service CPU per reward vs in-process, same windows: ${fmt(100 * cpuRatio, 1)}% efficiency (${list(cpuRatios)}); ` +
        `the rest is JSON, HTTP and garbage collection`,
    );
    const failures = runs.reduce((sum, r) => sum + r.failures, 0);
    if (failures > 0) console.log(`WARNING: ${failures} failed requests`);
  } finally {
    const code = await service.stop();
    if (code !== 0) console.log(`WARNING: the service exited with ${String(code)} on SIGTERM`);
  }

  // Scale-out on one machine: two service processes on one port (this machine's cores are shared with autocannon).
  const cluster = await startService(['--workers', '2']);
  try {
    const body = JSON.stringify(batchOf(pairs, 256));
    await httpRun('warm-up', `${cluster.url}/v1/reward`, body, 256, 1);
    const r = await httpRun('/v1/reward --workers 2', `${cluster.url}/v1/reward`, body, 256, seconds);
    console.log(
      `--workers 2, batch 256: ${fmt(r.rewardsPerSecond)} rewards/s (${fmt((100 * r.rewardsPerSecond) / inProcess, 1)}% of in-process), ` +
        `p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, ${r.failures} errors`,
    );
  } finally {
    const code = await cluster.stop();
    if (code !== 0) console.log(`WARNING: the 2-worker service exited with ${String(code)} on SIGTERM`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
