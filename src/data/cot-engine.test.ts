import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/openai-test-server.js';
import { createOpenAiPolicy } from '../policy/openai.js';
import { formatAnswer } from '../protocol/answer.js';
import { buildHumanTurn } from '../protocol/prompts.js';
import type { Action, TaskKind } from '../protocol/types.js';
import { cotTemplate, judgeRationale, runCotEngine } from './cot-engine.js';
import { readRecords } from './records.js';

const IMAGE = fileURLToPath(new URL('../../test/fixtures/official-samples/affordance-640x480.png', import.meta.url));
const box = (x: number, y: number, width: number, height: number): Action => ({ kind: 'affordance', box: { x, y, width, height } });
const traj = (...points: [number, number][]): Action => ({ kind: 'trajectory', points });
const RATIONALE = '1. The task is to grasp. 2. The mug has a handle. 3. The handle is at the centre. 4. Reachable.';

describe('judgeRationale', () => {
  const label = box(0.5, 0.5, 0.2, 0.2);
  it('keeps a rationale whose answer agrees with the label', () => {
    expect(judgeRationale(formatAnswer(RATIONALE, box(0.51, 0.5, 0.2, 0.2)), label)).toMatchObject({ outcome: 'kept', rationale: RATIONALE, iou: expect.closeTo(0.19 / 0.21, 9) });
    const path = traj([0.1, 0.1], [0.5, 0.5]);
    expect(judgeRationale(formatAnswer(RATIONALE, traj([0.1, 0.15], [0.5, 0.55])), path)).toMatchObject({ outcome: 'kept', dfd: expect.closeTo(0.05, 9) });
  });

  it('rejects with the reason', () => {
    expect(judgeRationale('so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>', label).outcome).toBe('no-think');
    expect(judgeRationale(formatAnswer('  short ', label), label)).toEqual({ outcome: 'short-think', rationale: 'short' });
    expect(judgeRationale(formatAnswer(`${RATIONALE} <output>[[0, 0]]</output>`, label), label).outcome).toBe('tags-in-think');
    expect(judgeRationale(`<think>${RATIONALE}</think> no answer`, label)).toMatchObject({ outcome: 'no-answer', rationale: RATIONALE });
    expect(judgeRationale(formatAnswer(RATIONALE, traj([0.5, 0.5])), label).outcome).toBe('no-answer');
    expect(judgeRationale(formatAnswer(RATIONALE, box(0.8, 0.8, 0.2, 0.2)), label)).toMatchObject({ outcome: 'inconsistent', iou: 0 });
    expect(judgeRationale(formatAnswer(RATIONALE, box(0.55, 0.5, 0.2, 0.2)), label, { minIou: 0.7 })).toMatchObject({ outcome: 'inconsistent', iou: expect.closeTo(0.6, 9) });
    expect(judgeRationale(formatAnswer(RATIONALE, traj([0.1, 0.3], [0.5, 0.7])), traj([0.1, 0.1], [0.5, 0.5]))).toMatchObject({ outcome: 'inconsistent', dfd: expect.closeTo(0.2, 9) });
  });
});

describe('cotTemplate', () => {
  it("lists the paper's four steps, and the label when given", () => {
    expect(cotTemplate('affordance')).toBe(
      '\n\nBefore answering, reason step by step inside <think></think>, in four steps:\n' +
        '1. Task parsing: what physical interaction does the instruction imply?\n' +
        '2. Scene understanding: which object is involved, and which visual cues (handles, folds, corners, graspable edges) matter?\n' +
        '3. Affordance region localization: where exactly is the actionable region, and is it consistent with the instruction?\n' +
        "4. Feasibility check: can the robot's gripper reach and interact with that region?\n" +
        'Then write "so, the answer is" followed by the answer.',
    );
    expect(cotTemplate('trajectory', '[[0.1, 0.2]]')).toContain('\n4. Trajectory logic: why this path, straight or curved, how many waypoints, and how are they spaced?\nThe correct answer is <output>[[0.1, 0.2]]</output>.');
  });
});

interface Row {
  readonly instruction: string;
  readonly label: Action;
  readonly response: string;
}

const ROWS: readonly Row[] = [
  { instruction: 'pick up the red mug.', label: box(0.5, 0.5, 0.2, 0.2), response: formatAnswer(RATIONALE, box(0.5, 0.52, 0.2, 0.2)) },
  { instruction: 'grasp the cube.', label: box(0.3, 0.3, 0.1, 0.1), response: formatAnswer(RATIONALE, box(0.7, 0.7, 0.1, 0.1)) },
  { instruction: 'reach for the bottle.', label: traj([0.1, 0.1], [0.5, 0.5]), response: formatAnswer(RATIONALE, traj([0.1, 0.12], [0.5, 0.52])) },
  { instruction: 'push the cup.', label: traj([0.2, 0.2], [0.2, 0.6]), response: 'I would push it left.' },
];

let dir: string;
let server: TestServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vla-r1-cot-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function writeDataset(): Promise<string> {
  const file = join(dir, 'train.json');
  const records = ROWS.map((row) => ({
    id: `r-${row.instruction.split(' ')[0]}`,
    image: IMAGE,
    conversations: [
      { from: 'human', value: buildHumanTurn(row.instruction, row.label.kind) },
      { from: 'gpt', value: formatAnswer('templated', row.label) },
    ],
  }));
  await writeFile(file, JSON.stringify(records));
  return file;
}

const served = (): Record<string, string> => Object.fromEntries(ROWS.map((row) => [`${row.instruction}${cotTemplate(row.label.kind as TaskKind)}`, row.response]));

describe('runCotEngine against a real OpenAI-compatible server', () => {
  it('keeps consistent rationales, writes them in the gpt turn, and resumes without repeating requests', async () => {
    const data = await writeDataset();
    server = await startTestServer({ answers: served() });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm' });
    const records = await readRecords(data);
    const outFile = join(dir, 'cot.jsonl');
    const summary = await runCotEngine({ policy, records, outFile, concurrency: 2 });
    expect(summary).toMatchObject({ total: 4, kept: 2, rejected: 2, resumed: 0 });
    expect(summary.outcomes).toEqual({ kept: 2, 'request-failed': 0, 'no-think': 1, 'short-think': 0, 'tags-in-think': 0, 'no-answer': 0, inconsistent: 1 });

    const out = await readRecords(outFile);
    expect(out.map((r) => r.instruction)).toEqual(['pick up the red mug.', 'reach for the bottle.']);
    expect(out[0]?.answer).toBe(formatAnswer(RATIONALE, box(0.5, 0.5, 0.2, 0.2)));
    expect(out[0]?.record.id).toBe('r-pick');
    expect(out[1]?.answer).toBe(formatAnswer(RATIONALE, traj([0.1, 0.1], [0.5, 0.5])));
    const prompt = server.requests.find((r) => r.route === 'chat')?.prompt ?? '';
    expect(prompt).toMatch(/ in four steps:\n1\. Task parsing: .*\n\.*/s);
    expect(prompt.endsWith('</output>.')).toBe(true);

    // Crash in the middle of the third progress line, then resume.
    const progress = join(dir, 'cot.jsonl.progress.jsonl');
    const text = await readFile(progress, 'utf8');
    const ends = [...text.matchAll(/\n/g)].map((m) => m.index);
    await truncate(progress, (ends[1] as number) + 5);
    server.reset();
    const again = await runCotEngine({ policy, records, outFile, concurrency: 2 });
    expect(again).toMatchObject({ total: 4, kept: 2, rejected: 2, resumed: 2 });
    expect(server.requests.filter((r) => r.route === 'chat')).toHaveLength(2);
    expect((await readFile(progress, 'utf8')).split('\n').filter((l) => l !== '')).toHaveLength(4);
    expect(await readRecords(outFile)).toHaveLength(2);
  });

  it('gives the label in the model convention with withLabel, and converts 0–1000 answers', async () => {
    const data = await writeDataset();
    const thousand = (a: Action): string =>
      a.kind === 'affordance'
        ? `{"x": ${a.box.x * 1000}, "y": ${a.box.y * 1000}, "width": ${a.box.width * 1000}, "height": ${a.box.height * 1000}}`
        : JSON.stringify(a.points.map(([x, y]) => [x * 1000, y * 1000])).replace(/,/g, ', ');
    const answers = Object.fromEntries(
      ROWS.map((row) => {
        const label = row.label.kind === 'affordance' ? `{"x": ${formatNum(row.label.box.x * 1000)}, "y": ${formatNum(row.label.box.y * 1000)}, "width": ${formatNum(row.label.box.width * 1000)}, "height": ${formatNum(row.label.box.height * 1000)}}` : `[${row.label.points.map(([x, y]) => `[${formatNum(x * 1000)}, ${formatNum(y * 1000)}]`).join(', ')}]`;
        return [`${row.instruction}${cotTemplate(row.label.kind, label)}`, `<think>${RATIONALE}</think> so, the answer is <output>${thousand(row.label)}</output>`];
      }),
    );
    server = await startTestServer({ answers });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm' });
    const summary = await runCotEngine({ policy, records: await readRecords(data), outFile: join(dir, 'cot.json'), withLabel: true, coordinateScale: { convention: 'thousand' } });
    expect(summary).toMatchObject({ kept: 4, rejected: 0 });
  });
});

function formatNum(x: number): string {
  const text = String(Math.round(x * 1e6) / 1e6);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
