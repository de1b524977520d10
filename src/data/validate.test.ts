import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AFFORDANCE_SUFFIX, buildHumanTurn } from '../protocol/prompts.js';
import { formatValidationProblem, validateDataset } from './validate.js';

const box = '{"x": 0.563749, "y": 0.638217, "width": 0.094696, "height": 0.123233}';
const path = '[[0.715645, 0.684211], [0.593633, 0.504111], [0.463881, 0.436894], [0.356734, 0.386189]]';
const answer = (payload: string, think = 'reason'): string => `<think>${think}</think> so, the answer is <output>${payload}</output>`;
const rec = (image: unknown, human: string, gpt: string): unknown => ({ image, conversations: [{ from: 'human', value: human }, { from: 'gpt', value: gpt }] });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vla-r1-validate-'));
  await copyFile('test/fixtures/official-samples/affordance-640x480.png', join(dir, 'aff.png'));
  await copyFile('test/fixtures/official-samples/trajectory-424x240.png', join(dir, 'traj.png'));
  await writeFile(join(dir, 'broken.png'), 'this is not a png');
  // A PNG whose header is fine but whose pixel data is cut off.
  const { readFile } = await import('node:fs/promises');
  const full = await readFile(join(dir, 'aff.png'));
  await writeFile(join(dir, 'truncated.png'), full.subarray(0, 2000));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validateDataset', () => {
  it('accepts a clean dataset', async () => {
    const file = join(dir, 'good.jsonl');
    const lines = [
      rec('aff.png', buildHumanTurn('pick ketchup from table and place on oven.', 'affordance'), answer(box)),
      rec(['traj.png'], buildHumanTurn('reach for the pan.', 'trajectory'), answer(path)),
      // Same image and instruction but another kind: not a duplicate.
      rec('aff.png', buildHumanTurn('pick ketchup from table and place on oven.', 'trajectory'), answer(path)),
    ];
    await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    const report = await validateDataset(file, { silent: true });
    expect(report).toEqual({ file, records: 3, valid: 3, kinds: { affordance: 1, trajectory: 2 }, images: 2, problems: [] });
  });

  it('reports every problem of every record', async () => {
    const file = join(dir, 'bad.json');
    const records = [
      /* 0 */ rec('aff.png', buildHumanTurn('pick the cup.', 'affordance'), answer(box)),
      /* 1 */ { image: 3, conversations: [{ from: 'human' }] },
      /* 2 */ rec('aff.png', `<image>\npick the mug.${AFFORDANCE_SUFFIX}`, answer(box)),
      /* 3 */ rec('aff.png', 'pick the mug.\n<image>', answer(box)),
      /* 4 */ rec('aff.png', buildHumanTurn('pick the plate.', 'affordance'), `so, the answer is <output>${box}</output>`),
      /* 5 */ rec('aff.png', buildHumanTurn('pick the bowl.', 'affordance'), answer(box, '   ')),
      /* 6 */ rec('aff.png', buildHumanTurn('pick the fork.', 'affordance'), `<output>${box}</output> <think>late</think>`),
      /* 7 */ rec('aff.png', buildHumanTurn('pick the knife.', 'affordance'), answer(path)),
      /* 8 */ rec('aff.png', buildHumanTurn('pick the spoon.', 'affordance'), answer('{"x": 0.5, "y": 1.5, "width": 0.1, "height": 0.1}')),
      /* 9 */ rec('traj.png', buildHumanTurn('reach for the lid.', 'trajectory'), answer('[[0.1, 0.2], [0.3, -0.1]]')),
      /* 10 */ rec('missing.png', buildHumanTurn('pick the cup.', 'affordance'), answer(box)),
      /* 11 */ rec('broken.png', buildHumanTurn('pick the cup.', 'affordance'), answer(box)),
      /* 12 */ rec('truncated.png', buildHumanTurn('pick the cup.', 'affordance'), answer(box)),
      /* 13 */ rec('./aff.png', buildHumanTurn('pick the cup.', 'affordance'), answer(box, 'other words')),
      /* 14 */ rec('aff.png', buildHumanTurn('', 'affordance'), answer(box)),
      /* 15 */ rec('aff.png', `look at <image> and pick the cup.${AFFORDANCE_SUFFIX}\n<image>`, answer(box)),
      /* 16 */ rec('traj.png', buildHumanTurn('reach for the box.', 'trajectory'), answer('[]')),
    ];
    await writeFile(file, JSON.stringify(records));
    const report = await validateDataset(file, { silent: true });
    const human = 'conversations[0].value';
    const gpt = 'conversations[1].value';
    expect(report.problems.map((p) => [p.index, p.field, p.message])).toEqual([
      [1, 'image', 'expected an image path or a list of one image path'],
      [1, 'conversations', 'expected exactly two turns: [{"from": "human", …}, {"from": "gpt", …}]'],
      [2, human, 'the human turn must end with "\\n<image>" (text first, then the image)'],
      [3, human, 'expected the instruction, then the official affordance or trajectory suffix, then "\\n<image>"'],
      [4, gpt, 'no <think>…</think> block'],
      [5, gpt, 'the <think> block is empty'],
      [6, gpt, 'the <think> block must come before <output>'],
      [7, gpt, 'expected a box, got an array (affordance answer)'],
      [8, gpt, 'box: "y" = 1.5 is outside [0, 1] (affordance answer)'],
      [9, gpt, 'trajectory: point 1 = [0.3, -0.1] is outside [0, 1] (trajectory answer)'],
      [10, 'image', `image not found: ${join(dir, 'missing.png')}`],
      [11, 'image', expect.stringMatching(new RegExp(`^image does not decode: ${join(dir, 'broken.png')}: `))],
      [12, 'image', expect.stringMatching(new RegExp(`^image does not decode: ${join(dir, 'truncated.png')}: `))],
      [13, 'record', 'duplicate of record 0 (same image, instruction and task kind)'],
      [14, human, 'the instruction is empty'],
      [15, human, '"<image>" appears 2 times, expected once'],
      [15, human, 'the instruction contains "<image>"'],
      [16, gpt, 'trajectory: no waypoints (trajectory answer)'],
    ]);
    expect(report.records).toBe(17);
    expect(report.valid).toBe(1);
    expect(report.problems[0]?.line).toBe(1);
    expect(formatValidationProblem(file, report.problems[0]!)).toBe(`${file}: record 1: image: expected an image path or a list of one image path`);
  });

  it('skips full decoding on request (a truncated image with a valid header passes)', async () => {
    const file = join(dir, 'truncated.jsonl');
    await writeFile(file, JSON.stringify(rec('truncated.png', buildHumanTurn('pick the cup.', 'affordance'), answer(box))));
    expect((await validateDataset(file, { silent: true, decodeImages: false })).problems).toEqual([]);
    expect((await validateDataset(file, { silent: true })).problems.length).toBe(1);
  });

  it('throws a UserError with line and column for broken JSON', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '[\n{"image": "a.png",,}\n]');
    await expect(validateDataset(file, { silent: true })).rejects.toThrow(`${file}: line 2, column 19: invalid JSON: expected a property name in double quotes, found ','`);
  });
});
