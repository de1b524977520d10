/**
 * Reward benchmark: our TypeScript reward against a plain-Python implementation of the same reward
 * (bench/reward_reference.py, standard library only), side by side in the same run.
 *
 * 1. Agreement: both score the 400 official fixture cases; the max score differences are printed
 *    (ours vs Python, ours vs the official code's recorded scores).
 * 2. In-process rewards/s: the fixture mix, and trajectory pairs of 4, 8, 16, 32 and 128 points.
 *    Targets: ≥ 50× Python on 8-point trajectories and on the fixture mix.
 * 3. `vla-r1 reward` end to end on 100,000 JSONL lines (process start-up included) against
 *    `python3 reward_reference.py` on the same file. Target: ≥ 10×.
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
import { computeScore } from '../src/rewards/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/reward-official-400.jsonl');
const PYTHON_REFERENCE = join(ROOT, 'bench/reward_reference.py');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const CLI_LINES = 100_000;
/** Seconds per timed round; each side runs ROUNDS rounds, alternating, and the best round counts. */
const MIN_SECONDS = 0.6;
const ROUNDS = 3;
const CLI_ROUNDS = 2;

interface Pair {
  response: string;
  ground_truth: string;
}

interface FixtureCase extends Pair {
  score: number;
}

interface Row {
  name: string;
  ours: string;
  python: string;
  ratio: number | null;
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

/** Rewards per second of our computeScore over `pairs`, looping for at least MIN_SECONDS after a warm-up. */
function oursPerSecond(pairs: readonly Pair[]): number {
  let sink = 0;
  for (let i = 0; i < 2; i++) for (const p of pairs) sink += computeScore(p.response, p.ground_truth).score;
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (const p of pairs) sink += computeScore(p.response, p.ground_truth).score;
    calls += pairs.length;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < MIN_SECONDS);
  if (Number.isNaN(sink)) console.log('(NaN score seen)');
  return calls / elapsed;
}

function pythonPerSecond(file: string): number {
  const run = spawnSync('python3', [PYTHON_REFERENCE, '--time', file, '--min-seconds', String(MIN_SECONDS)], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`reward_reference.py --time failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { per_second: number }).per_second;
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

function timeProcess(command: string, args: readonly string[]): { seconds: number; status: number | null; stderr: string } {
  const start = performance.now();
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { seconds: (performance.now() - start) / 1000, status: run.status, stderr: run.stderr };
}

function rate(perSecond: number, unit: string): string {
  return perSecond >= 1000 ? `${(perSecond / 1000).toFixed(1)}k ${unit}/s` : `${perSecond.toFixed(1)} ${unit}/s`;
}

function printTable(rows: readonly Row[]): void {
  const header = ['case', 'ours', 'python', 'ours/python', 'target'];
  const cells = rows.map((r) => [
    r.name,
    r.ours,
    r.python,
    r.ratio === null ? '-' : `${r.ratio.toFixed(1)}x`,
    r.target === undefined ? '' : `>= ${r.target}x ${r.ratio !== null && r.ratio >= r.target ? 'ok' : 'MISSED'}`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of cells) console.log(line(row));
}

/** Run the reward benchmark and print its tables. */
export async function run(): Promise<void> {
  console.log('== reward: TypeScript vs plain Python (bench/reward_reference.py) ==');
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(`${availableParallelism()} CPUs, load average ${load}; each side's best of ${ROUNDS} alternating rounds`);
  const hasPython = pythonAvailable();
  if (!hasPython) console.log('python3 not found: printing our numbers only');
  const dir = mkdtempSync(join(tmpdir(), 'vla-r1-bench-reward-'));
  try {
    const fixture = readFixture();
    const fixtureFile = join(dir, 'fixture.jsonl');
    writePairs(fixtureFile, fixture);

    // 1. Agreement on the official fixture.
    const ours = fixture.map((c) => computeScore(c.response, c.ground_truth).score);
    const oursVsOfficial = Math.max(...fixture.map((c, i) => Math.abs((ours[i] ?? Number.NaN) - c.score)));
    console.log(`agreement on ${fixture.length} official cases: max |ours - official| = ${oursVsOfficial.toExponential(2)}`);
    if (hasPython) {
      const pyOut = join(dir, 'fixture-python.jsonl');
      const py = spawnSync('python3', [PYTHON_REFERENCE, '--input', fixtureFile, '--output', pyOut], { encoding: 'utf8' });
      if (py.status !== 0) throw new Error(`reward_reference.py failed: ${py.stderr}`);
      const pyScores = readScores(pyOut);
      console.log(
        `  max |ours - python| = ${maxScoreDifference(pyScores, ours).toExponential(2)}, ` +
          `max |python - official| = ${maxScoreDifference(pyScores, fixture.map((c) => c.score)).toExponential(2)}`,
      );
    }

    // 2. In-process rewards/s.
    const rows: Row[] = [];
    const cases: { name: string; pairs: Pair[]; target?: number }[] = [
      { name: `fixture mix (${fixture.length} cases)`, pairs: fixture, target: 50 },
      ...[4, 8, 16, 32, 128].map((k) => ({
        name: `trajectory, ${k} points`,
        pairs: trajectoryPairs(k, k >= 128 ? 20 : 200, 1000 + k),
        ...(k === 8 ? { target: 50 } : {}),
      })),
    ];
    for (const c of cases) {
      const file = join(dir, 'pairs.jsonl');
      if (hasPython) writePairs(file, c.pairs);
      // The machine may be shared: alternate the two sides and keep each side's best round.
      let oursRate = 0;
      let pyRate: number | null = null;
      for (let round = 0; round < ROUNDS; round++) {
        oursRate = Math.max(oursRate, oursPerSecond(c.pairs));
        if (hasPython) pyRate = Math.max(pyRate ?? 0, pythonPerSecond(file));
      }
      rows.push({
        name: `in-process: ${c.name}`,
        ours: rate(oursRate, 'rewards'),
        python: pyRate === null ? '-' : rate(pyRate, 'rewards'),
        ratio: pyRate === null ? null : oursRate / pyRate,
        ...(c.target === undefined ? {} : { target: c.target }),
      });
    }

    // 3. The CLI end to end on 100,000 lines.
    if (!existsSync(CLI)) {
      console.log(`(${CLI} missing: run npm run build; skipping the CLI end-to-end case)`);
    } else {
      const input = join(dir, 'lines.jsonl');
      const lines: string[] = [];
      const fixtureLines = fixture.map((p) => JSON.stringify({ response: p.response, ground_truth: p.ground_truth }));
      for (let i = 0; i < CLI_LINES; i++) lines.push(fixtureLines[i % fixtureLines.length] as string);
      writeFileSync(input, lines.join('\n') + '\n');
      const empty = join(dir, 'empty.jsonl');
      writeFileSync(empty, '');

      const oursOut = join(dir, 'ours.jsonl');
      const pyOut = join(dir, 'python.jsonl');
      let oursStartup = Number.POSITIVE_INFINITY;
      let oursRun = Number.POSITIVE_INFINITY;
      let pyStartup: number | null = null;
      let pyRun: number | null = null;
      for (let round = 0; round < CLI_ROUNDS; round++) {
        oursStartup = Math.min(oursStartup, timeProcess('node', [CLI, 'reward', '-q', '-i', empty, '-o', join(dir, 'e1')]).seconds);
        const ours = timeProcess('node', [CLI, 'reward', '--quiet', '--input', input, '--output', oursOut]);
        if (ours.status !== 0) throw new Error(`vla-r1 reward failed (${ours.status}): ${ours.stderr}`);
        oursRun = Math.min(oursRun, ours.seconds);
        if (hasPython) {
          const startup = timeProcess('python3', [PYTHON_REFERENCE, '--input', empty, '--output', join(dir, 'e2')]);
          pyStartup = Math.min(pyStartup ?? Number.POSITIVE_INFINITY, startup.seconds);
          const py = timeProcess('python3', [PYTHON_REFERENCE, '--input', input, '--output', pyOut]);
          if (py.status !== 0) throw new Error(`reward_reference.py failed: ${py.stderr}`);
          pyRun = Math.min(pyRun ?? Number.POSITIVE_INFINITY, py.seconds);
        }
      }
      if (hasPython) {
        const diff = maxScoreDifference(readScores(oursOut), readScores(pyOut).map((l) => l.score));
        console.log(`CLI outputs on ${CLI_LINES} lines: max |ours - python| = ${diff.toExponential(2)}`);
      }
      rows.push({
        name: 'CLI start-up (empty input)',
        ours: `${(oursStartup * 1000).toFixed(0)} ms`,
        python: pyStartup === null ? '-' : `${(pyStartup * 1000).toFixed(0)} ms`,
        ratio: pyStartup === null ? null : pyStartup / oursStartup,
      });
      rows.push({
        name: `CLI end to end, ${CLI_LINES} lines`,
        ours: `${oursRun.toFixed(2)} s (${rate(CLI_LINES / oursRun, 'lines')})`,
        python: pyRun === null ? '-' : `${pyRun.toFixed(2)} s (${rate(CLI_LINES / pyRun, 'lines')})`,
        ratio: pyRun === null ? null : pyRun / oursRun,
        target: 10,
      });
    }
    printTable(rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
