import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { formatAnswer } from '../protocol/answer.js';
import { buildHumanTurn } from '../protocol/prompts.js';
import type { Action, TaskKind } from '../protocol/types.js';
import { fieldName, interpretRecord, isJsonLinesPath, parseRecords, readRecords, serializeRecords, writeRecords, type VlaR1Record } from './records.js';

const box: Action = { kind: 'affordance', box: { x: 0.563749, y: 0.638217, width: 0.094696, height: 0.123233 } };
const path: Action = { kind: 'trajectory', points: [[0.715645, 0.684211], [0.593633, 0.504111], [0.463881, 0.436894], [0.356734, 0.386189]] };

function record(image: string | [string], instruction: string, kind: TaskKind, action: Action, think = 'reason'): VlaR1Record {
  return {
    image,
    conversations: [
      { from: 'human', value: buildHumanTurn(instruction, kind) },
      { from: 'gpt', value: formatAnswer(think, action) },
    ],
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vla-r1-records-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fieldName', () => {
  it('writes zod paths as field names', () => {
    expect(fieldName(['conversations', 1, 'value'])).toBe('conversations[1].value');
    expect(fieldName([])).toBe('record');
    expect(fieldName(['image', 0])).toBe('image[0]');
  });
});

describe('interpretRecord', () => {
  it('reads instruction, kind, action and the resolved image', () => {
    const r = interpretRecord(record('images/a.png', 'pick ketchup from table and place on oven.', 'affordance', box), '/data/set');
    expect(r).toEqual({
      ok: true,
      loaded: {
        record: record('images/a.png', 'pick ketchup from table and place on oven.', 'affordance', box),
        instruction: 'pick ketchup from table and place on oven.',
        kind: 'affordance',
        answer: formatAnswer('reason', box),
        action: box,
        imagePath: '/data/set/images/a.png',
      },
    });
  });

  it('accepts a list of one image and keeps absolute paths and extra keys', () => {
    const r = interpretRecord({ ...record(['/abs/x.png'], 'reach for the pan.', 'trajectory', path), id: 7 }, '/data');
    expect(r.ok && r.loaded.imagePath).toBe('/abs/x.png');
    expect(r.ok && r.loaded.record.id).toBe(7);
    expect(r.ok && r.loaded.action).toEqual(path);
  });

  it.each([
    [{ conversations: [] }, 'image', 'expected an image path or a list of one image path'],
    [{ ...record('a.png', 'x', 'affordance', box), image: ['a.png', 'b.png'] }, 'image', 'expected an image path or a list of one image path'],
    [{ ...record('a.png', 'x', 'affordance', box), image: '' }, 'image', 'expected a non-empty image path'],
    [{ image: 'a.png' }, 'conversations', 'expected exactly two turns: [{"from": "human", …}, {"from": "gpt", …}]'],
    [{ image: 'a.png', conversations: [{ from: 'human', value: 'x' }] }, 'conversations', 'expected exactly two turns: [{"from": "human", …}, {"from": "gpt", …}]'],
    [{ image: 'a.png', conversations: [{ from: 'gpt', value: 'x' }, { from: 'gpt', value: 'y' }] }, 'conversations[0].from', 'expected "human" (the first turn is the prompt)'],
    [{ image: 'a.png', conversations: [{ from: 'human', value: 3 }, { from: 'gpt', value: 'y' }] }, 'conversations[0].value', 'expected a string'],
    [
      { image: 'a.png', conversations: [{ from: 'human', value: 'pick the cube.\n<image>' }, { from: 'gpt', value: 'y' }] },
      'conversations[0].value',
      'expected the instruction, then the official affordance or trajectory suffix, then "\\n<image>"',
    ],
    [record('a.png', '  ', 'affordance', box), 'conversations[0].value', 'the instruction is empty'],
    [record('a.png', 'pick the cube.', 'affordance', path), 'conversations[1].value', 'expected a box, got an array (affordance answer)'],
    [record('a.png', 'reach for it.', 'trajectory', box), 'conversations[1].value', 'expected a trajectory, got a box (trajectory answer)'],
    [
      record('a.png', 'pick the cube.', 'affordance', { kind: 'affordance', box: { x: 1.2, y: 0.5, width: 0.1, height: 0.1 } }),
      'conversations[1].value',
      'box: "x" = 1.2 is outside [0, 1] (affordance answer)',
    ],
  ])('reports %j as %s: %s', (value, field, message) => {
    const r = interpretRecord(value, '/d');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toEqual({ field, message });
  });
});

describe('readRecords', () => {
  const records = [record('a.png', 'pick the red mug.', 'affordance', box), record('sub/b.png', 'reach for the pan.', 'trajectory', path)];

  it('reads a JSON array and resolves images against the file folder', async () => {
    const file = join(dir, 'train.json');
    await writeFile(file, JSON.stringify(records, null, 2));
    const loaded = await readRecords(file);
    expect(loaded.map((r) => [r.index, r.line, r.kind, r.instruction, r.imagePath])).toEqual([
      [0, 2, 'affordance', 'pick the red mug.', join(dir, 'a.png')],
      [1, 15, 'trajectory', 'reach for the pan.', join(dir, 'sub/b.png')],
    ]);
    expect(loaded[1]?.action).toEqual(path);
    expect(loaded[0]?.answer).toBe(formatAnswer('reason', box));
  });

  it('reads JSON Lines whatever the extension', async () => {
    const file = join(dir, 'train.data');
    await writeFile(file, `${JSON.stringify(records[0])}\n\n${JSON.stringify(records[1])}\n`);
    const loaded = await readRecords(file);
    expect(loaded.map((r) => [r.index, r.line, r.kind])).toEqual([
      [0, 1, 'affordance'],
      [1, 3, 'trajectory'],
    ]);
  });

  it('names file, record, line and field of the first bad record (JSON array)', async () => {
    const file = join(dir, 'bad.json');
    const bad = [records[0], { ...records[1], conversations: [records[1]?.conversations[0], { from: 'assistant', value: 'x' }] }];
    await writeFile(file, JSON.stringify(bad, null, 2));
    await expect(readRecords(file)).rejects.toThrow(new UserError(`${file}: record 1 (line 15): conversations[1].from: expected "gpt" (the second turn is the answer)`));
  });

  it('names the line of a bad JSONL record', async () => {
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, `${JSON.stringify(records[0])}\n${JSON.stringify({ ...records[1], image: 5 })}\n`);
    await expect(readRecords(file)).rejects.toThrow(`${file}: record 1 (line 2): image: expected an image path or a list of one image path`);
  });

  it('names the line and column of broken JSON', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '[\n  {"image": "a.png",\n   "conversations": [}\n]');
    await expect(readRecords(file)).rejects.toThrow(`${file}: line 3, column 22: invalid JSON: expected a value, found '}'`);
  });

  it('reports a missing file or a folder', async () => {
    await expect(readRecords(join(dir, 'nope.json'))).rejects.toThrow(`${join(dir, 'nope.json')}: no such file`);
    await expect(readRecords(dir)).rejects.toThrow(`${dir}: is a folder, expected a dataset file`);
  });

  it('parses text without touching the disk', () => {
    expect(parseRecords(JSON.stringify(records), '/x/d.json').map((r) => r.imagePath)).toEqual(['/x/a.png', '/x/sub/b.png']);
  });
});

describe('writeRecords', () => {
  const records = [record('a.png', 'pick the red mug.', 'affordance', box), { ...record(['b.png'], 'reach for the pan.', 'trajectory', path), id: 'b' }];

  it('chooses the layout by extension', () => {
    expect(isJsonLinesPath('a.jsonl')).toBe(true);
    expect(isJsonLinesPath('a.NDJSON')).toBe(true);
    expect(isJsonLinesPath('a.json')).toBe(false);
    expect(serializeRecords(records, 'jsonl')).toBe(`${JSON.stringify(records[0])}\n${JSON.stringify(records[1])}\n`);
    expect(serializeRecords(records, 'json-array')).toBe(`${JSON.stringify(records, null, 2)}\n`);
  });

  it('writes JSON arrays and JSON Lines that read back to the same records, leaving no temp file', async () => {
    for (const name of ['out/deeper/train.json', 'out/train.jsonl']) {
      const file = join(dir, name);
      await writeRecords(file, records);
      const text = await readFile(file, 'utf8');
      expect(text.startsWith(name.endsWith('.jsonl') ? '{"image"' : '[\n  {')).toBe(true);
      expect((await readRecords(file)).map((r) => r.record)).toEqual(records);
    }
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['deeper', 'train.jsonl']);
    expect(await readdir(join(dir, 'out/deeper'))).toEqual(['train.json']);
  });

  it('replaces an existing file whole', async () => {
    const file = join(dir, 'train.json');
    await writeFile(file, 'x'.repeat(100_000));
    await writeRecords(file, records.slice(0, 1));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(records.slice(0, 1));
  });

  it('fails with a UserError naming the file when it cannot write', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, '');
    await expect(writeRecords(join(blocker, 'train.json'), records)).rejects.toThrow(UserError);
    await expect(writeRecords(join(blocker, 'train.json'), records)).rejects.toThrow(`${join(blocker, 'train.json')}: cannot write:`);
  });
});
