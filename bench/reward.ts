/**
 * Reward benchmark: our reward (the C addon of native/reward.c where it is built and takes the pair, else
 * TypeScript) against a plain-Python implementation of the same reward (bench/reward_reference.py, standard
 * library only), side by side in the same run. The targeted cases are measured a second time with the C reward
 * switched off ("TypeScript only").
 *
 * 1. Agreement: both score the 400 official fixture cases; the max score differences are printed
 *    (ours vs Python, ours vs the official code's recorded scores), and again on the CLI outputs.
 * 2. In-process rewards/s: the fixture mix, and trajectory pairs of 4, 8, 16, 32 and 128 points.
 *    Targets: ≥ 50× Python on 8-point trajectories and on the fixture mix.
 * 3. `vla-r1 reward` end to end on 100,000 JSONL lines (process start-up included; `--threads 1` and 2)
 *    against `python3 reward_reference.py` on the same file. Target: ≥ 10×.
 *
 * The machine may be shared, so each side runs several alternating rounds and keeps its best, and both wall
 * time and CPU time (user + sys of the process, all threads) are measured: on a busy machine the CPU-time
 * ratio is the one that does not depend on how the scheduler shared the cores during each round.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/model/rng.js';
import { formatAnswer } from '../src/protocol/answer.js';
import type { Point } from '../src/protocol/types.js';
import { computeScore, nativeRewardAvailable, nativeRewardStatus, useNativeReward } from '../src/rewards/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/reward-official-400.jsonl');
const PYTHON_REFERENCE = join(ROOT, 'bench/reward_reference.py');
/** The `vla-r1` command of the same build as this benchmark (dist/, or whichever --outDir it was compiled into). */
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const TIME = '/usr/bin/time';
const CLI_LINES = 100_000;
/** Seconds per timed in-process round; each side runs ROUNDS alternating rounds and the best counts. */
const MIN_SECONDS = 0.6;
const ROUNDS = 3;
const CLI_ROUNDS = 3;

interface Pair {
  response: string;
  ground_truth: string;
}

interface FixtureCase extends Pair {
  score: number;
}

/** A rate (per second) or a duration (seconds), by wall clock and by CPU time. */
interface Measure {
  wall: number;
  cpu: number;
}

interface Row {
  name: string;
  ours: string;
  python: string;
  /** ours/python by wall clock and by CPU time (higher = we are faster). */
  ratio: Measure | null;
  target?: number;
}

function pythonAvailable(): boolean {
  return spawnSync('python3', ['--version'], { encoding: 'utf8' }).status === 0;
}

function readFixture(): FixtureCase[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as FixtureCase);
}

function writePairs(file: string, pairs: readonly Pair[]): void {
  writeFileSync(file, pairs.map((p) => JSON.stringify({ response: p.response, ground_truth: p.ground_truth })).join('\n') + '\n');
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Rewards per second of our computeScore over `pairs`, looping for at least MIN_SECONDS after a warm-up. */
function oursPerSecond(pairs: readonly Pair[]): Measure {
  let sink = 0;
  for (let i = 0; i < 2; i++) for (const p of pairs) sink += computeScore(p.response, p.ground_truth).score;
  let calls = 0;
  const start = performance.now();
  const cpuStart = cpuSeconds();
  let elapsed = 0;
  do {
    for (const p of pairs) sink += computeScore(p.response, p.ground_truth).score;
    calls += pairs.length;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < MIN_SECONDS);
  const cpu = cpuSeconds() - cpuStart;
  if (Number.isNaN(sink)) console.log('(NaN score seen)');
  return { wall: calls / elapsed, cpu: calls / cpu };
}

function pythonPerSecond(file: string): Measure {
  const run = spawnSync('python3', [PYTHON_REFERENCE, '--time', file, '--min-seconds', String(MIN_SECONDS)], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`reward_reference.py --time failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as { per_second: number; per_cpu_second: number };
  return { wall: out.per_second, cpu: out.per_cpu_second };
}

/** `k`-point trajectory pairs: a seeded random walk as ground truth, a noisy copy as prediction. */
function trajectoryPairs(k: number, count: number, seed: number): Pair[] {
  const rng = new Rng(seed);
  const pairs: Pair[] = [];
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  for (let n = 0; n < count; n++) {
    const gt: Point[] = [];
    let x = 0.2 + 0.6 * rng.float();
    let y = 0.2 + 0.6 * rng.float();
    for (let i = 0; i < k; i++) {
      gt.push([clamp(x), clamp(y)]);
      x += (rng.float() - 0.5) * (0.6 / k);
      y += (rng.float() - 0.5) * (0.6 / k);
    }
    const pred = gt.map(([px, py]) => [clamp(px + (rng.float() - 0.5) * 0.05), clamp(py + (rng.float() - 0.5) * 0.05)] as const);
    pairs.push({
      response: formatAnswer('Move the gripper over the object.', { kind: 'trajectory', points: pred }),
      ground_truth: formatAnswer('Reasoning about the scene.', { kind: 'trajectory', points: gt }),
    });
  }
  return pairs;
}

interface ScoreLine {
  score?: number;
  error?: string;
}

function readScores(file: string): ScoreLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ScoreLine);
}

function maxScoreDifference(a: readonly ScoreLine[], b: readonly (number | undefined)[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  a.forEach((line, i) => {
    const other = b[i];
    const d = line.score === undefined || other === undefined ? Number.POSITIVE_INFINITY : Math.abs(line.score - other);
    max = Math.max(max, d);
  });
  return max;
}

/** Run a process to completion: wall seconds, and CPU seconds (user + sys) when /usr/bin/time is there. */
function timeProcess(dir: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Measure {
  const timeFile = join(dir, 'time.txt');
  const withTime = existsSync(TIME);
  const start = performance.now();
  const run = withTime
    ? spawnSync(TIME, ['-f', '%U %S', '-o', timeFile, command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, env })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, env });
  const wall = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  if (!withTime) return { wall, cpu: Number.NaN };
  const [user = Number.NaN, system = Number.NaN] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { wall, cpu: user + system };
}

const best = (a: Measure, b: Measure, pick: (x: number, y: number) => number): Measure => ({
  wall: pick(a.wall, b.wall),
  cpu: pick(a.cpu, b.cpu),
});

function rate(perSecond: number, unit: string): string {
  return perSecond >= 1000 ? `${(perSecond / 1000).toFixed(1)}k ${unit}/s` : `${perSecond.toFixed(1)} ${unit}/s`;
}

function printTable(rows: readonly Row[]): void {
  const header = ['case', 'ours (CPU time)', 'python (CPU time)', 'ratio CPU', 'ratio wall', 'target (CPU ratio)'];
  const fmt = (r: number | undefined): string => (r === undefined || Number.isNaN(r) ? '-' : `${r.toFixed(1)}x`);
  const cells = rows.map((r) => [
    r.name,
    r.ours,
    r.python,
    fmt(r.ratio?.cpu),
    fmt(r.ratio?.wall),
    r.target === undefined ? '' : `>= ${r.target}x ${r.ratio !== null && r.ratio.cpu >= r.target ? 'ok' : 'MISSED'}`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, c) => (c === 0 || c === 5 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of cells) console.log(line(row));
}

function agreement(dir: string, fixture: readonly FixtureCase[], hasPython: boolean): void {
  const ours = fixture.map((c) => computeScore(c.response, c.ground_truth).score);
  const oursVsOfficial = Math.max(...fixture.map((c, i) => Math.abs((ours[i] ?? Number.NaN) - c.score)));
  console.log(`agreement on ${fixture.length} official cases: max |ours - official| = ${oursVsOfficial.toExponential(2)}`);
  if (!hasPython) return;
  const fixtureFile = join(dir, 'fixture.jsonl');
  writePairs(fixtureFile, fixture);
  const pyOut = join(dir, 'fixture-python.jsonl');
  const py = spawnSync('python3', [PYTHON_REFERENCE, '--input', fixtureFile, '--output', pyOut], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`reward_reference.py failed: ${py.stderr}`);
  const pyScores = readScores(pyOut);
  console.log(
    `  max |ours - python| = ${maxScoreDifference(pyScores, ours).toExponential(2)}, ` +
      `max |python - official| = ${maxScoreDifference(pyScores, fixture.map((c) => c.score)).toExponential(2)}`,
  );
}

function inProcessRows(dir: string, fixture: readonly FixtureCase[], hasPython: boolean): Row[] {
  const rows: Row[] = [];
  // The targeted cases are also measured with the C reward switched off: the TypeScript reward alone.
  const cases: { name: string; pairs: readonly Pair[]; target?: number }[] = [
    { name: `fixture mix (${fixture.length} cases)`, pairs: fixture, target: 50 },
    ...[4, 8, 16, 32, 128].map((k) => ({
      name: `trajectory, ${k} points`,
      pairs: trajectoryPairs(k, k >= 128 ? 20 : 200, 1000 + k),
      ...(k === 8 ? { target: 50 } : {}),
    })),
  ];
  const none: Measure = { wall: 0, cpu: 0 };
  const withNative = nativeRewardAvailable();
  for (const c of cases) {
    const file = join(dir, 'pairs.jsonl');
    if (hasPython) writePairs(file, c.pairs);
    const typeScriptToo = withNative && c.target !== undefined;
    let ours = none;
    let typeScript = none;
    let py: Measure | null = null;
    for (let round = 0; round < ROUNDS; round++) {
      ours = best(ours, oursPerSecond(c.pairs), Math.max);
      if (typeScriptToo) {
        useNativeReward(false);
        typeScript = best(typeScript, oursPerSecond(c.pairs), Math.max);
        useNativeReward(true);
      }
      if (hasPython) py = best(py ?? none, pythonPerSecond(file), Math.max);
    }
    const row = (name: string, us: Measure, target?: number): Row => ({
      name,
      ours: rate(us.cpu, 'rewards'),
      python: py === null ? '-' : rate(py.cpu, 'rewards'),
      ratio: py === null ? null : { wall: us.wall / py.wall, cpu: us.cpu / py.cpu },
      ...(target === undefined ? {} : { target }),
    });
    rows.push(row(`in-process: ${c.name}`, ours, c.target));
    if (typeScriptToo) rows.push(row(`  the same, TypeScript only`, typeScript));
  }
  return rows;
}

function cliRows(dir: string, fixture: readonly FixtureCase[], hasPython: boolean): Row[] {
  const input = join(dir, 'lines.jsonl');
  const fixtureLines = fixture.map((p) => JSON.stringify({ response: p.response, ground_truth: p.ground_truth }));
  const lines: string[] = [];
  for (let i = 0; i < CLI_LINES; i++) lines.push(fixtureLines[i % fixtureLines.length] as string);
  writeFileSync(input, lines.join('\n') + '\n');
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '');
  const oursOut = join(dir, 'ours.jsonl');
  const pyOut = join(dir, 'python.jsonl');
  const worst: Measure = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };
  let oursStartup = worst;
  const ours: Record<'1' | '2', Measure> = { '1': worst, '2': worst };
  const withNative = nativeRewardAvailable();
  let typeScript = worst;
  let pyStartup: Measure | null = null;
  let pyRun: Measure | null = null;
  for (let round = 0; round < CLI_ROUNDS; round++) {
    const startup = timeProcess(dir, 'node', [CLI, 'reward', '-q', '-i', empty, '-o', join(dir, 'e1')]);
    oursStartup = best(oursStartup, startup, Math.min);
    for (const threads of ['1', '2'] as const) {
      const run = timeProcess(dir, 'node', [CLI, 'reward', '-q', '--threads', threads, '-i', input, '-o', oursOut]);
      ours[threads] = best(ours[threads], run, Math.min);
    }
    if (withNative) {
      const args = [CLI, 'reward', '-q', '--threads', '1', '-i', input, '-o', join(dir, 'ts.jsonl')];
      typeScript = best(typeScript, timeProcess(dir, 'node', args, { ...process.env, VLA_R1_NATIVE: '0' }), Math.min);
    }
    if (hasPython) {
      const startup = timeProcess(dir, 'python3', [PYTHON_REFERENCE, '--input', empty, '--output', join(dir, 'e2')]);
      pyStartup = best(pyStartup ?? worst, startup, Math.min);
      pyRun = best(pyRun ?? worst, timeProcess(dir, 'python3', [PYTHON_REFERENCE, '--input', input, '--output', pyOut]), Math.min);
    }
  }
  if (hasPython) {
    const diff = maxScoreDifference(readScores(oursOut), readScores(pyOut).map((l) => l.score));
    console.log(`CLI outputs on ${CLI_LINES} lines: max |ours - python| = ${diff.toExponential(2)}`);
  }
  const seconds = (m: Measure): string => `${m.cpu.toFixed(2)} s (wall ${m.wall.toFixed(2)} s)`;
  const ratio = (py: Measure | null, us: Measure): Measure | null =>
    py === null ? null : { wall: py.wall / us.wall, cpu: py.cpu / us.cpu };
  const rows: Row[] = [
    {
      name: 'CLI start-up (empty input)',
      ours: seconds(oursStartup),
      python: pyStartup === null ? '-' : seconds(pyStartup),
      ratio: ratio(pyStartup, oursStartup),
    },
  ];
  for (const threads of ['1', '2'] as const) {
    rows.push({
      name: `CLI end to end, ${CLI_LINES} lines, --threads ${threads}`,
      ours: seconds(ours[threads]),
      python: pyRun === null ? '-' : seconds(pyRun),
      ratio: ratio(pyRun, ours[threads]),
      // The target is the default command's, which on fewer than 3 idle CPUs is one thread (`--threads auto`).
      ...(threads === '1' ? { target: 10 } : {}),
    });
    if (threads === '1' && withNative) {
      rows.push({ name: '  the same, TypeScript only', ours: seconds(typeScript), python: pyRun === null ? '-' : seconds(pyRun), ratio: ratio(pyRun, typeScript) });
    }
  }
  return rows;
}

/** Run the reward benchmark and print its table. */
export async function run(): Promise<void> {
  console.log('== reward: ours vs plain Python (bench/reward_reference.py) ==');
  const status = nativeRewardStatus();
  console.log(status === '' ? 'ours: the C reward (native/reward.c) where it takes the pair, else TypeScript' : `ours: TypeScript only (the C reward is ${status})`);
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(`${availableParallelism()} CPUs, load average ${load}; each side's best of ${ROUNDS} alternating rounds in-process, ${CLI_ROUNDS} for the command`);
  const hasPython = pythonAvailable();
  if (!hasPython) console.log('python3 not found: printing our numbers only');
  const dir = mkdtempSync(join(tmpdir(), 'vla-r1-bench-reward-'));
  try {
    const fixture = readFixture();
    agreement(dir, fixture, hasPython);
    const rows = inProcessRows(dir, fixture, hasPython);
    if (existsSync(CLI)) rows.push(...cliRows(dir, fixture, hasPython));
    else console.log(`(${CLI} missing: run npm run build; skipping the CLI end-to-end case)`);
    printTable(rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
