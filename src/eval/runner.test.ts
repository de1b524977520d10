import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/openai-test-server.js';
import { UserError } from '../errors.js';
import { createOpenAiPolicy } from '../policy/openai.js';
import type { Policy } from '../policy/types.js';
import { formatAnswer } from '../protocol/answer.js';
import type { Action } from '../protocol/types.js';
import { aggregateMetrics, sampleMetrics } from './metrics.js';
import { predictionLineSchema, runEvaluation, toEvalRecord, type EvalRecord, type PredictionLine } from './runner.js';

const IMAGE = fileURLToPath(new URL('../../test/fixtures/official-samples/affordance-640x480.png', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const box = (x: number, y: number, width: number, height: number): Action => ({ kind: 'affordance', box: { x, y, width, height } });
const traj = (...points: [number, number][]): Action => ({ kind: 'trajectory', points });

interface Case {
  readonly instruction: string;
  readonly truth: Action;
  /** The canned answer; undefined = the server answers 400 (a request that fails). */
  readonly answer?: string;
  readonly category?: string;
}

const CASES: readonly Case[] = [
  { instruction: 'pick up the red mug by its handle.', truth: box(0.5, 0.5, 0.2, 0.2), answer: formatAnswer('exact', box(0.5, 0.5, 0.2, 0.2)), category: 'mug' },
  { instruction: 'grasp the blue cube.', truth: box(0.3, 0.3, 0.2, 0.2), answer: formatAnswer('shifted', box(0.4, 0.3, 0.2, 0.2)), category: 'cube' },
  { instruction: 'open the drawer.', truth: box(0.6, 0.6, 0.1, 0.1), answer: '<think>no idea</think> I cannot tell.' },
  { instruction: 'press the button.', truth: box(0.2, 0.8, 0.1, 0.1), answer: formatAnswer('wrong kind', traj([0.2, 0.8])) },
  { instruction: 'reach for the ketchup bottle.', truth: traj([0.1, 0.1], [0.5, 0.5]), answer: formatAnswer('exact', traj([0.1, 0.1], [0.5, 0.5])) },
  { instruction: 'push the cup to the left.', truth: traj([0.2, 0.2], [0.2, 0.6]), answer: formatAnswer('offset', traj([0.3, 0.2], [0.3, 0.6])), category: 'cup' },
  { instruction: 'move the sponge.', truth: traj([0.5, 0.5], [0.6, 0.6]), answer: '<think>x</think> <output>[[0.5, 0.5],</output>' },
  { instruction: 'wipe the table.', truth: traj([0.1, 0.9], [0.9, 0.9]) },
];

const records: EvalRecord[] = CASES.map((c, index) => ({
  index,
  instruction: c.instruction,
  kind: c.truth.kind,
  action: c.truth,
  imagePath: IMAGE,
  ...(c.category !== undefined ? { category: c.category } : {}),
}));
const answers = Object.fromEntries(CASES.flatMap((c) => (c.answer !== undefined ? [[c.instruction, c.answer]] : [])));

/** A policy answering from the same table in-process (the "direct" path). */
const tablePolicy: Policy = {
  name: 'table',
  generate: async (requests) => requests.map((r) => answers[r.instruction] ?? ''),
  close: async () => {},
};

let server: TestServer | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vla-r1-eval-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function readLines(file: string): Promise<PredictionLine[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => predictionLineSchema.parse(JSON.parse(l)));
}

const fast = { sleep: async () => {} };

describe('runEvaluation through a real OpenAI-compatible server', () => {
  it('writes one line per record, metrics identical to the in-process path, reports', async () => {
    server = await startTestServer({ answers });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm', retry: { retries: 2, ...fast } });
    const result = await runEvaluation({ policy, records, outDir: dir, concurrency: 3, report: { createdAt: '2026-01-01T00:00:00Z' } });

    const lines = await readLines(join(dir, 'predictions.jsonl'));
    expect(lines.map((l) => l.index).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const failed = lines.find((l) => l.index === 7);
    expect(failed).toMatchObject({ ok: false, prediction: '', kind: 'trajectory', instruction: 'wipe the table.' });
    expect(failed?.error).toMatch(/^HTTP 400 from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/);
    expect(lines.find((l) => l.index === 1)).toMatchObject({ ok: true, category: 'cube', metrics: { kind: 'affordance', parsed: true } });

    // The direct path: the same answers scored in-process, no HTTP.
    const direct = aggregateMetrics(records.map((r) => sampleMetrics(answers[r.instruction] ?? '', r.action)));
    const written = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as unknown;
    expect(written).toEqual(direct);
    expect(result.metrics).toEqual(direct);
    expect(direct.affordance.n).toBe(4);
    expect(direct.affordance.iou).toBeCloseTo((100 * (1 + 1 / 3)) / 4, 9);
    expect(direct.affordance.parse_failure_rate).toBe(0.5);
    expect(direct.trajectory.parse_failure_rate).toBe(0.5);
    expect(direct.trajectory.dfd).toBeCloseTo((0 + 100 + 1000 + 1000) / 4, 9);

    const inProcessDir = join(dir, 'in-process');
    const inProcess = await runEvaluation({ policy: tablePolicy, records, outDir: inProcessDir, report: false });
    expect(inProcess.metrics).toEqual(direct);

    const byCategory = JSON.parse(await readFile(join(dir, 'metrics-by-category.json'), 'utf8')) as Record<string, { affordance: { n: number }; trajectory: { n: number } }>;
    expect(Object.keys(byCategory)).toEqual(['affordance', 'cube', 'cup', 'mug', 'trajectory']);
    expect(byCategory.mug?.affordance.n).toBe(1);
    expect(byCategory.trajectory?.trajectory.n).toBe(3);

    const md = await readFile(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| **openai:test-vlm** | this evaluation | **33.33** | **525.00** |');
    expect(md).toContain('| VLA-R1-3B, in-domain (ShareRobot) (paper) | VLA-R1 paper, Table III | 36.51 | 106.20 | 97.90 | 71.12 | 91.74 |');
    expect(md).toContain('| CoT-SFT only (no RL), in-domain (paper) | VLA-R1 paper, Table V | 28.37 |');
    expect(md).toContain('### #7: trajectory, trajectory: request failed: HTTP 400');
    expect(md).toContain('![record 2](examples/000002.png)');
    const examples = (await readdir(join(dir, 'examples'))).sort();
    // #5 (DFD 100) is not above the failure threshold of 100; #0 and #4 are exact.
    expect(examples).toEqual(['000001.png', '000002.png', '000003.png', '000006.png', '000007.png']);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<img alt="record \d+" src="data:image\/png;base64,/g)).toHaveLength(5);
    expect(html).toContain('<tr class="ours"><td><b>openai:test-vlm</b></td>');
    expect(html).not.toContain('<script');
  });

  it('resumes after a crash that tore the last line: exactly one line per record, no request repeated', async () => {
    server = await startTestServer({ answers });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm', retry: { retries: 0, ...fast } });
    const first = await runEvaluation({ policy, records, outDir: dir, concurrency: 2, report: false });
    const file = join(dir, 'predictions.jsonl');
    const text = await readFile(file, 'utf8');
    const ends = [...text.matchAll(/\n/g)].map((m) => m.index);
    const cut = (ends[2] as number) + 1 + 20; // three whole lines, then 20 bytes of the fourth
    await truncate(file, cut);
    const kept = (await readLines(join(dir, 'predictions.jsonl')).catch(() => [])).length;
    expect(kept).toBe(0); // the torn file does not end in a newline (readLines asserts it)
    server.reset();

    const second = await runEvaluation({ policy, records, outDir: dir, concurrency: 2, report: false });
    const lines = await readLines(file);
    expect(lines).toHaveLength(records.length);
    expect(new Set(lines.map((l) => l.index)).size).toBe(records.length);
    expect(second.counts).toMatchObject({ total: 8, resumed: 3, evaluated: 5, truncatedBytes: 20, duplicates: 0 });
    expect(server.requests.filter((r) => r.route === 'chat')).toHaveLength(5);
    expect(second.metrics).toEqual(first.metrics);

    // A third run has nothing left to do.
    server.reset();
    const third = await runEvaluation({ policy, records, outDir: dir, report: false });
    expect(third.counts).toMatchObject({ resumed: 8, evaluated: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it('survives kill -9 of the evaluating process at an arbitrary moment', async () => {
    const many: EvalRecord[] = Array.from({ length: 40 }, (_, i) => ({ ...(records[i % 8] as EvalRecord), index: i, instruction: `${CASES[i % 8]?.instruction} #${i}` }));
    const manyAnswers = Object.fromEntries(many.map((r, i) => [r.instruction, CASES[i % 8]?.answer ?? 'no answer']));
    server = await startTestServer({ answers: manyAnswers, delayMs: 25 });
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/eval-child.ts'), JSON.stringify({ baseUrl: server.url, outDir: dir, records: many, concurrency: 4 })], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const file = join(dir, 'predictions.jsonl');
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    for (let waited = 0; ; waited += 10) {
      const n = existsSync(file) ? (await readFile(file, 'utf8')).split('\n').length - 1 : 0;
      if (n >= 9) break;
      if (waited > 60_000 || child.exitCode !== null) throw new Error(`child did not write lines: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    await exited;
    const before = (await readFile(file, 'utf8')).split('\n').length - 1;
    expect(before).toBeGreaterThanOrEqual(9);
    expect(before).toBeLessThan(40);

    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm' });
    const result = await runEvaluation({ policy, records: many, outDir: dir, concurrency: 8, report: false });
    const lines = await readLines(file);
    expect(lines).toHaveLength(40);
    expect(new Set(lines.map((l) => l.index)).size).toBe(40);
    expect(result.counts.resumed).toBe(before);
    expect(lines.every((l) => l.ok)).toBe(true);
  });

  it('runs requests concurrently, up to --concurrency and no more', async () => {
    const many: EvalRecord[] = Array.from({ length: 16 }, (_, i) => ({ ...(records[0] as EvalRecord), index: i }));
    server = await startTestServer({ answers, delayMs: 60 });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm' });
    await runEvaluation({ policy, records: many, outDir: join(dir, 'c4'), concurrency: 4, report: false });
    expect(server.maxInFlight).toBe(4);
    server.reset();
    await runEvaluation({ policy, records: many.slice(0, 4), outDir: join(dir, 'c1'), concurrency: 1, report: false });
    expect(server.maxInFlight).toBe(1);
  });

  it('records a request that fails after its retries, and asks it again with retryFailed', async () => {
    const instruction = 'pick up the red mug by its handle.';
    server = await startTestServer({ answers, faults: { [instruction]: [{ status: 503 }, { status: 503 }, { status: 500 }] } });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm', retry: { retries: 2, ...fast } });
    const one = [records[0] as EvalRecord];
    const first = await runEvaluation({ policy, records: one, outDir: dir, retries: 3, report: false });
    expect(first.counts.failed).toBe(1);
    expect(server.requests).toHaveLength(3); // the runner does not multiply the policy's retries
    expect((await readLines(join(dir, 'predictions.jsonl')))[0]?.error).toBe(`failed after 3 attempts: HTTP 500 from ${server.url}/v1/chat/completions: {"error":{"message":"injected 500"}}`);
    expect(first.metrics.affordance).toEqual({ n: 1, iou: 0, success_at_0_5: 0, parse_failure_rate: 1 });

    const kept = await runEvaluation({ policy, records: one, outDir: dir, report: false });
    expect(kept.counts).toMatchObject({ resumed: 1, evaluated: 0, failed: 1 });
    const retried = await runEvaluation({ policy, records: one, outDir: dir, retryFailed: true, report: false });
    expect(retried.counts).toMatchObject({ resumed: 0, evaluated: 1, failed: 0 });
    expect(retried.metrics.affordance.iou).toBeCloseTo(100, 9);
    expect(await readLines(join(dir, 'predictions.jsonl'))).toHaveLength(1);
  });

  it('scores 0–1000 answers like normalised ones with the thousand convention', async () => {
    const thousand = Object.fromEntries(
      Object.entries(answers).map(([k, v]) => [k, v.replace(/<output>(.*)<\/output>/, (_, json: string) => `<output>${json.replace(/\d+\.\d+/g, (n) => String(Number(n) * 1000))}</output>`)]),
    );
    expect(thousand['grasp the blue cube.']).toContain('{"x": 400, "y": 300, "width": 200, "height": 200}');
    server = await startTestServer({ answers: thousand });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm', retry: { retries: 0 } });
    const result = await runEvaluation({ policy, records, outDir: dir, coordinateScale: { convention: 'thousand' }, report: false });
    const direct = aggregateMetrics(records.map((r) => sampleMetrics(answers[r.instruction] ?? '', r.action)));
    expect(result.metrics.affordance.iou).toBeCloseTo(direct.affordance.iou ?? NaN, 9);
    expect(result.metrics.trajectory.dfd).toBeCloseTo(direct.trajectory.dfd ?? NaN, 9);
    const line = (await readLines(join(dir, 'predictions.jsonl'))).find((l) => l.index === 1);
    expect(line?.normalized_prediction).toBe('<think>shifted</think> so, the answer is <output>{"x": 0.4, "y": 0.3, "width": 0.2, "height": 0.2}</output>');
    await expect(runEvaluation({ policy, records, outDir: dir, report: false })).rejects.toThrow(/used --coordinates thousand; resuming it with --coordinates normalized/);
  });

  it('refuses to resume predictions of another dataset', async () => {
    await writeFile(join(dir, 'predictions.jsonl'), `${JSON.stringify({ index: 0, kind: 'affordance', instruction: 'something else.', prediction: '', ok: true, latency_ms: 1, metrics: {} })}\n`);
    const error = await runEvaluation({ policy: tablePolicy, records, outDir: dir, report: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/predictions\.jsonl: line 1: record 0 has instruction "something else\." here but "pick up the red mug by its handle\." in the dataset/);
  });

  it('stops on a missing image with a clear error, keeping what was written', async () => {
    const broken = [records[0] as EvalRecord, { ...(records[1] as EvalRecord), imagePath: join(dir, 'missing.png') }];
    const error = await runEvaluation({ policy: tablePolicy, records: broken, outDir: dir, concurrency: 1, report: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(`record 1: image ${join(dir, 'missing.png')}: no such file`);
    expect((await readLines(join(dir, 'predictions.jsonl'))).map((l) => l.index)).toEqual([0]);
  });
});

describe('toEvalRecord', () => {
  it('takes id and category from the record when present', () => {
    const base = { index: 3, instruction: 'i', kind: 'affordance' as const, action: box(0.5, 0.5, 0.1, 0.1), imagePath: '/a.png' };
    expect(toEvalRecord({ ...base, record: { id: 'sr-17', category: 'mug' } })).toEqual({ ...base, id: 'sr-17', category: 'mug' });
    expect(toEvalRecord({ ...base, record: { meta_data: { category: 'grasp' } } })).toEqual({ ...base, category: 'grasp' });
    expect(toEvalRecord({ ...base, record: { meta: { category: 'pick-place/ood-colour' }, meta_data: { category: 'x' } } })).toEqual({ ...base, category: 'pick-place/ood-colour' });
    expect(toEvalRecord({ ...base, record: { id: { nested: true } } })).toEqual(base);
  });
});
