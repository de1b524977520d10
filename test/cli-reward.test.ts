/**
 * `vla-r1 reward` end to end: spawns the compiled CLI (`npm run build` first; `npm test` does it).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeScore } from '../src/rewards/index.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const FIXTURE = join(ROOT, 'test/fixtures/reward-official-400.jsonl');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: readonly string[], stdin?: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

interface FixtureCase {
  response: string;
  ground_truth: string;
  score: number;
  format_score: number;
  task_score: number;
}

const fixture: FixtureCase[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as FixtureCase);

const OUTPUT_KEYS = ['score', 'format_score', 'task_score', 'mode', 'iou', 'giou', 'alaf', 'dfd'];

let dir = '';
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before this test`);
  dir = mkdtempSync(join(tmpdir(), 'vla-r1-cli-reward-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('vla-r1 reward', () => {
  it('writes the same lines with the C reward switched off (VLA_R1_NATIVE=0), and says that it is off', async () => {
    const input = fixture.map((c) => JSON.stringify({ response: c.response, ground_truth: c.ground_truth })).join('\n') + '\n';
    const usual = await runCli(['reward'], input);
    const typeScript = await runCli(['reward'], input, { ...process.env, VLA_R1_NATIVE: '0' });
    expect(usual.code).toBe(0);
    expect(typeScript.code).toBe(0);
    const scores = (out: string): number[][] =>
      out
        .trim()
        .split('\n')
        .map((l) => Object.values(JSON.parse(l) as Record<string, unknown>).map((v) => (typeof v === 'number' ? v : Number.NaN)));
    const [a, b] = [scores(usual.stdout), scores(typeScript.stdout)];
    expect(a.length).toBe(fixture.length);
    for (let i = 0; i < a.length; i++) {
      for (let k = 0; k < a[i]!.length; k++) {
        if (Number.isNaN(b[i]![k])) expect(a[i]![k]).toBeNaN();
        else expect(Math.abs(a[i]![k]! - b[i]![k]!)).toBeLessThanOrEqual(1e-12);
      }
    }
    expect(typeScript.stderr).toContain('(TypeScript reward: the C reward is disabled by VLA_R1_NATIVE=0)');
  });

  it('scores the official fixture from stdin to stdout, in order, matching the official scores', async () => {
    const input = fixture.map((c) => JSON.stringify({ response: c.response, ground_truth: c.ground_truth })).join('\n') + '\n';
    const run = await runCli(['reward', '--quiet'], input);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.pop()).toBe(''); // ends with a newline
    expect(lines).toHaveLength(fixture.length);
    lines.forEach((line, i) => {
      const out = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(out)).toEqual(OUTPUT_KEYS);
      const expected = fixture[i] as FixtureCase;
      expect(Math.abs((out.score as number) - expected.score)).toBeLessThan(1e-9);
      expect(out.format_score).toBe(expected.format_score);
    });
  });

  it('replaces bad lines by {"error"} in place, names file, line and field on stderr, exits 2', async () => {
    const good = fixture[0] as FixtureCase;
    const goodLine = JSON.stringify({ response: good.response, ground_truth: good.ground_truth });
    const verl = JSON.stringify({ solution_str: good.response, ground_truth: good.ground_truth, data_source: 'x' });
    const inputLines = [
      goodLine, // 1
      '{"response": "<output>[[0,0]]</output>", "ground_truth": ', // 2: not JSON
      '', // 3: empty
      JSON.stringify({ response: 'x' }), // 4: ground_truth missing
      JSON.stringify({ response: 7, ground_truth: 'y' }), // 5: response not a string
      '[1, 2]', // 6: not an object
      verl, // 7: verl field name
      JSON.stringify({ ground_truth: 'y' }), // 8: no response at all
      `${goodLine}\r`, // 9: CRLF
    ];
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(file, inputLines.join('\n')); // no newline after the last line
    const out = join(dir, 'mixed.out.jsonl');
    const run = await runCli(['reward', '--quiet', '--input', file, '--output', out]);
    expect(run.code).toBe(2);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(inputLines.length);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const expectedScore = computeScore(good.response, good.ground_truth).score;
    for (const i of [0, 6, 8]) expect(parsed[i]?.score).toBe(expectedScore);
    expect(parsed[1]?.error).toMatch(/^line 2: not valid JSON/);
    expect(parsed[2]?.error).toBe('line 3: empty line (expected a JSON object)');
    expect(parsed[3]?.error).toMatch(/^line 4: ground_truth: missing/);
    expect(parsed[4]?.error).toBe('line 5: response: expected a string, got a number');
    expect(parsed[5]?.error).toMatch(/^line 6: expected a JSON object .* got an array$/);
    expect(parsed[7]?.error).toMatch(/^line 8: response: missing/);
    expect(run.stderr).toContain(`${file}: line 2: not valid JSON`);
    expect(run.stderr).toContain(`${file}: line 4: ground_truth: missing`);
    expect(run.stderr).toContain(`${file}: line 5: response: expected a string`);
    expect(run.stderr).toContain(`vla-r1: ${file}: 6 of 9 lines are not valid input`);
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('names stdin in messages and keeps good lines after bad ones', async () => {
    const good = fixture[1] as FixtureCase;
    const run = await runCli(
      ['reward', '--quiet'],
      `nope\n${JSON.stringify({ response: good.response, ground_truth: good.ground_truth })}\n`,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('vla-r1 reward: stdin: line 1: not valid JSON');
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] as string).score).toBeCloseTo(good.score, 9);
  });

  it('applies --lambda-angle and --lambda-length', async () => {
    const traj = fixture.find((c) => c.response.includes('[[') && c.task_score > 0.2 && c.task_score < 0.9) as FixtureCase;
    const line = JSON.stringify({ response: traj.response, ground_truth: traj.ground_truth });
    const run = await runCli(['reward', '--quiet', '--lambda-angle', '0.5', '--lambda-length', '0'], `${line}\n`);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { score: number; mode: string };
    expect(out.mode).toBe('trajectory');
    const expected = computeScore(traj.response, traj.ground_truth, { lambdaAngle: 0.5, lambdaLength: 0 });
    expect(out.score).toBe(expected.score);
    expect(out.score).not.toBeCloseTo(traj.score, 6);
  });

  it('handles an empty input, a line longer than a read chunk with multi-byte text, and exits 0', async () => {
    const empty = await runCli(['reward', '--quiet'], '');
    expect(empty).toEqual({ code: 0, stdout: '', stderr: '' });

    const base = fixture[0] as FixtureCase;
    const response = `<think>${'é→'.repeat(700_000)}</think>${base.response}`; // ~3.5 MB in UTF-8
    const file = join(dir, 'long.jsonl');
    writeFileSync(file, `${JSON.stringify({ response, ground_truth: base.ground_truth })}\n`);
    const run = await runCli(['reward', '--quiet', '--input', file]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).score).toBe(computeScore(response, base.ground_truth).score);
  });

  it('gives the same output, messages and exit code on worker threads as in one thread, over many batches', async () => {
    // ~2.6 MB: about forty 64 KB read chunks, so several batches are in flight at once; a bad line every 997 lines.
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const c = fixture[i % fixture.length] as FixtureCase;
      lines.push(i % 997 === 500 ? `{"response": ${i}}` : JSON.stringify({ response: c.response, ground_truth: c.ground_truth }));
    }
    const file = join(dir, 'many.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const single = await runCli(['reward', '--quiet', '--threads', '1', '--input', file]);
    const pooled = await runCli(['reward', '--quiet', '--threads', '2', '--input', file]);
    expect(single.code).toBe(2);
    expect(pooled.code).toBe(2);
    expect(pooled.stdout).toBe(single.stdout);
    expect(pooled.stderr).toBe(single.stderr);
    const out = single.stdout.split('\n');
    expect(out).toHaveLength(6001);
    expect(JSON.parse(out[500] as string)).toEqual({ error: 'line 501: response: expected a string, got a number' });
    expect(JSON.parse(out[5999] as string).score).toBeCloseTo((fixture[5999 % fixture.length] as FixtureCase).score, 9);
    expect(single.stderr).toContain(`${file}: line 1498: response: expected a string`);
  });

  it('reports a missing input file or a bad option without a stack trace', async () => {
    const missing = join(dir, 'does-not-exist.jsonl');
    const run = await runCli(['reward', '--input', missing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(missing);
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);

    const bad = await runCli(['reward', '--lambda-angle', 'abc']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--lambda-angle must be a finite number >= 0, got "abc"');
    const badThreads = await runCli(['reward', '--threads', '0']);
    expect(badThreads.code).not.toBe(0);
    expect(badThreads.stderr).toContain('--threads must be "auto" or an integer from 1 to 64, got "0"');
  });
});
