import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeRgb } from '../../data/images.js';
import { buildHumanTurn } from '../../protocol/prompts.js';
import { registerData } from './data.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  error?: unknown;
}

/** Run `vla-r1 data …` in-process, as main.ts does (exit code from process.exitCode or the error). */
async function run(...args: string[]): Promise<Run> {
  const program = new Command('vla-r1').exitOverride();
  registerData(program);
  program.commands.forEach((c) => c.exitOverride().commands.forEach((s) => s.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined })));
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'vla-r1', 'data', ...args]);
    return { code: typeof process.exitCode === 'number' ? process.exitCode : 0, stdout, stderr };
  } catch (error: unknown) {
    const code = error instanceof CommanderError ? error.exitCode : ((error as { exitCode?: number }).exitCode ?? 70);
    return { code, stdout, stderr, error };
  } finally {
    process.exitCode = previous;
    out.mockRestore();
    err.mockRestore();
  }
}

const box = '{"x": 0.563749, "y": 0.638217, "width": 0.094696, "height": 0.123233}';
const path = '[[0.715645, 0.684211], [0.593633, 0.504111], [0.463881, 0.436894], [0.356734, 0.386189]]';
const good = [
  { image: 'aff.png', conversations: [{ from: 'human', value: buildHumanTurn('pick ketchup from table and place on oven.', 'affordance') }, { from: 'gpt', value: `<think>The bottle.</think> so, the answer is <output>${box}</output>` }] },
  { image: 'traj.png', conversations: [{ from: 'human', value: buildHumanTurn('reach for the pan.', 'trajectory') }, { from: 'gpt', value: `<think>Left.</think> so, the answer is <output>${path}</output>` }] },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vla-r1-cli-data-'));
  await copyFile('test/fixtures/official-samples/affordance-640x480.png', join(dir, 'aff.png'));
  await copyFile('test/fixtures/official-samples/trajectory-424x240.png', join(dir, 'traj.png'));
  await writeFile(join(dir, 'good.json'), JSON.stringify(good, null, 2));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('vla-r1 data validate', () => {
  it('exits 0 with a summary for a clean file', async () => {
    const file = join(dir, 'good.json');
    const r = await run('validate', file);
    expect(r).toMatchObject({ code: 0, stdout: `${file}: 2 records OK (1 affordance, 1 trajectory, 2 images)\n` });
  });

  it('prints each problem as FILE: record N: field: message and exits 1', async () => {
    const file = join(dir, 'bad.jsonl');
    const bad = [good[0], { ...good[1], image: 'missing.png' }, { ...good[0], conversations: [good[0]?.conversations[0], { from: 'gpt', value: `<output>${box}</output>` }] }];
    await writeFile(file, bad.map((r) => JSON.stringify(r)).join('\n'));
    const r = await run('validate', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        `${file}: record 1: image: image not found: ${join(dir, 'missing.png')}`,
        `${file}: record 2: conversations[1].value: no <think>…</think> block`,
        `${file}: record 2: record: duplicate of record 0 (same image, instruction and task kind)`,
        '',
      ].join('\n'),
    );
    expect(r.stderr).toContain(`${file}: 3 problems in 2 of 3 records\n`);
  });

  it('reports broken JSON with line and column, and an empty file, with exit 1', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '[\n  {"image": "a.png"\n  "conversations": []}\n]');
    const r = await run('validate', broken);
    expect(r).toMatchObject({ code: 1, stdout: `${broken}: line 3, column 3: invalid JSON: expected ',' or '}' after a property value, found '"'\n` });
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    expect(await run('validate', empty)).toMatchObject({ code: 1, stdout: `${empty}: no records\n` });
  });
});

describe('vla-r1 data stats', () => {
  it('prints tables, or JSON with --json', async () => {
    const file = join(dir, 'good.json');
    const table = await run('stats', file);
    expect(table.code).toBe(0);
    expect(table.stdout.startsWith(`${file}: 2 records, 2 images\n\nkind        records\naffordance        1\ntrajectory        1\n`)).toBe(true);
    const json = await run('stats', file, '--json', '--top', '2');
    const stats = JSON.parse(json.stdout) as { kinds: unknown; trajectories: { pointCounts: unknown }; instructions: { topWords: unknown[] } };
    expect(stats.kinds).toEqual({ affordance: 1, trajectory: 1 });
    expect(stats.trajectories.pointCounts).toEqual({ '4': 1 });
    expect(stats.instructions.topWords).toEqual([
      { word: 'ketchup', count: 1 },
      { word: 'oven', count: 1 },
    ]);
  });

  it('fails with the file, record, line and field of a bad record', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify([good[0], { ...good[1], image: 7 }], null, 2));
    const r = await run('stats', file);
    expect(r.code).toBe(2);
    expect((r.error as Error).message).toBe(`${file}: record 1 (line 15): image: expected an image path or a list of one image path`);
  });
});

describe('vla-r1 data show', () => {
  it('draws a record to a PNG, with a prediction', async () => {
    const out = join(dir, 'show/x.png');
    const r = await run('show', join(dir, 'good.json'), '--index', '1', '--out', out, '--prediction', `<think>a</think><output>[[0.1, 0.1], [0.2, 0.2]]</output>`);
    expect(r).toMatchObject({ code: 0, stderr: `${out}: wrote record 1 (trajectory)\n` });
    const { image } = await decodeRgb(await readFile(out));
    expect([image.width, image.height]).toEqual([848 + 440, 480]);
  });

  it('rejects an index out of range and a bad index', async () => {
    const file = join(dir, 'good.json');
    const r = await run('show', file, '--index', '2', '--out', join(dir, 'x.png'));
    expect((r.error as Error).message).toBe(`${file}: --index 2 is out of range (the file has 2 records, numbered from 0)`);
    const bad = await run('show', file, '--index', '-1', '--out', join(dir, 'x.png'));
    expect(bad.error).toBeInstanceOf(CommanderError);
    expect((bad.error as CommanderError).message).toContain('expected a non-negative integer');
  });
});

describe('vla-r1 data convert', () => {
  it('converts ShareRobot to VLA-R1 and says what it wrote', async () => {
    const input = join(dir, 'sr.json');
    await writeFile(
      input,
      JSON.stringify([{ id: 'aff.png', meta_data: { original_dataset: 'bridge', original_width: 640, original_height: 480 }, instruction: 'pick the fork', affordance: { x: 320, y: 240, width: 64, height: 48 } }]),
    );
    const out = join(dir, 'vla.jsonl');
    const r = await run('convert', '--from', 'sharerobot', '--to', 'vla-r1', '--think', 'empty', input, out);
    expect(r).toMatchObject({ code: 0, stderr: `${out}: wrote 1 records (1 affordance, 0 trajectory) as vla-r1\n` });
    const record = JSON.parse(await readFile(out, 'utf8')) as { conversations: { value: string }[] };
    expect(record.conversations[1]?.value).toBe('<think></think> so, the answer is <output>{"x": 0.55, "y": 0.55, "width": 0.1, "height": 0.1}</output>');
    expect((await run('validate', out)).stdout).toContain('the <think> block is empty');
  });

  it('rejects unknown formats and names the conventions in --help', async () => {
    const r = await run('convert', '--from', 'coco', '--to', 'vla-r1', 'a', 'b');
    expect(r.error).toBeInstanceOf(CommanderError);
    expect((r.error as CommanderError).message).toContain("Allowed choices are sharerobot, vla-r1");
    let help = '';
    const program = new Command('vla-r1').exitOverride();
    registerData(program);
    const convert = program.commands[0]?.commands.find((c) => c.name() === 'convert');
    convert?.configureOutput({ writeOut: (s) => (help += s) });
    convert?.outputHelp();
    expect(help).toContain('with (x, y) the TOP-LEFT corner');
    expect(help).toContain('with (x, y) the CENTRE');
    expect(help).toContain('--to <format>');
  });
});
