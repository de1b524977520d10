import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { buildHumanTurn } from '../protocol/prompts.js';
import { convertDataset, imagePathFor } from './convert.js';
import { readRecords } from './records.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vla-r1-convert-'));
  await mkdir(join(dir, 'raw/images/bridge'), { recursive: true });
  await copyFile('test/fixtures/official-samples/affordance-640x480.png', join(dir, 'raw/images/bridge/aff.png'));
  await copyFile('test/fixtures/official-samples/trajectory-424x240.png', join(dir, 'raw/images/bridge/traj.png'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const shareRobot = [
  {
    id: 'bridge/aff.png',
    meta_data: { original_dataset: 'bridge', original_width: 640, original_height: 480 },
    instruction: 'place the red fork to the left of the left burner',
    affordance: { x: 320, y: 240, width: 64, height: 48 },
  },
  {
    id: 'bridge/traj.png',
    meta_data: { original_dataset: 'bridge', original_width: 424, original_height: 240 },
    instruction: 'reach for the carrot',
    points: [
      [42.4, 24],
      [212, 120],
      [424, 240],
    ],
  },
];

describe('imagePathFor', () => {
  it('writes paths relative to the output folder or absolute', () => {
    expect(imagePathFor('/data/images/a.png', '/data/out', false)).toBe('../images/a.png');
    expect(imagePathFor('/data/images/a.png', '/data', false)).toBe('images/a.png');
    expect(imagePathFor('/data/images/a.png', '/data/out', true)).toBe('/data/images/a.png');
  });
});

describe('convertDataset', () => {
  it('ShareRobot → VLA-R1 (top-left pixels → normalised centre), images relative to the output', async () => {
    const input = join(dir, 'raw/affordance.json');
    await writeFile(input, JSON.stringify(shareRobot, null, 2));
    const output = join(dir, 'out/train.json');
    const summary = await convertDataset({ from: 'sharerobot', to: 'vla-r1', input, output, imageRoot: join(dir, 'raw/images'), think: 'empty' });
    expect(summary).toEqual({ records: 2, kinds: { affordance: 1, trajectory: 1 }, clipped: 0 });
    const records = await readRecords(output);
    expect(records.map((r) => [r.record.image, r.imagePath, r.kind, r.instruction])).toEqual([
      ['../raw/images/bridge/aff.png', join(dir, 'raw/images/bridge/aff.png'), 'affordance', 'place the red fork to the left of the left burner'],
      ['../raw/images/bridge/traj.png', join(dir, 'raw/images/bridge/traj.png'), 'trajectory', 'reach for the carrot'],
    ]);
    expect(records[0]?.answer).toBe('<think></think> so, the answer is <output>{"x": 0.55, "y": 0.55, "width": 0.1, "height": 0.1}</output>');
    expect(records[1]?.answer).toBe('<think></think> so, the answer is <output>[[0.1, 0.1], [0.5, 0.5], [1.0, 1.0]]</output>');
  });

  it('round-trips ShareRobot → VLA-R1 → ShareRobot', async () => {
    const input = join(dir, 'raw/affordance.json');
    await writeFile(input, JSON.stringify(shareRobot));
    const mid = join(dir, 'out/train.jsonl');
    await convertDataset({ from: 'sharerobot', to: 'vla-r1', input, output: mid, imageRoot: join(dir, 'raw/images') });
    const back = join(dir, 'back/sharerobot.json');
    expect(await convertDataset({ from: 'vla-r1', to: 'sharerobot', input: mid, output: back })).toEqual({ records: 2, kinds: { affordance: 1, trajectory: 1 }, clipped: 0 });
    const items = JSON.parse(await readFile(back, 'utf8')) as typeof shareRobot;
    expect(items.map((i) => [i.id, i.meta_data, i.instruction])).toEqual(shareRobot.map((i) => [i.id, i.meta_data, i.instruction]));
    const aff = items[0]?.affordance;
    expect([aff?.x, aff?.y, aff?.width, aff?.height].map((v) => Number(v?.toFixed(6)))).toEqual([320, 240, 64, 48]);
    expect(items[1]?.points?.map((p) => p.map((v) => Number(v.toFixed(6))))).toEqual(shareRobot[1]?.points);
  });

  it('VLA-R1 → ShareRobot without kept meta reads the image size and makes ids from the image root', async () => {
    const input = join(dir, 'raw/plain.json');
    await writeFile(
      input,
      JSON.stringify([
        {
          image: 'images/bridge/traj.png',
          conversations: [
            { from: 'human', value: buildHumanTurn('reach for the pan.', 'trajectory') },
            { from: 'gpt', value: '<think>t</think> so, the answer is <output>[[0.5, 0.25], [0.75, 1.0]]</output>' },
          ],
        },
      ]),
    );
    const output = join(dir, 'sr.json');
    await convertDataset({ from: 'vla-r1', to: 'sharerobot', input, output, imageRoot: join(dir, 'raw/images') });
    expect(JSON.parse(await readFile(output, 'utf8'))).toEqual([
      {
        id: 'bridge/traj.png',
        meta_data: { original_dataset: 'unknown', original_width: 424, original_height: 240 },
        instruction: 'reach for the pan.',
        points: [
          [212, 60],
          [318, 240],
        ],
      },
    ]);
  });

  it('ShareRobot → verl parquet and verl JSONL', async () => {
    const input = join(dir, 'raw/affordance.json');
    await writeFile(input, JSON.stringify(shareRobot));
    const parquet = join(dir, 'out/train.parquet');
    await convertDataset({ from: 'sharerobot', to: 'verl-parquet', input, output: parquet, imageRoot: join(dir, 'raw/images'), think: 'empty', absoluteImages: true });
    const bytes = await readFile(parquet);
    const rows = await parquetReadObjects({ file: new Uint8Array(bytes).buffer });
    expect(rows).toEqual([
      {
        data_source: 'custom/vla_r1',
        prompt: [{ role: 'user', content: buildHumanTurn('place the red fork to the left of the left burner', 'affordance') }],
        images: [{ image: join(dir, 'raw/images/bridge/aff.png') }],
        reward_model: { style: 'rule', ground_truth: '<think></think> so, the answer is <output>{"x": 0.55, "y": 0.55, "width": 0.1, "height": 0.1}</output>' },
      },
      {
        data_source: 'custom/vla_r1',
        prompt: [{ role: 'user', content: buildHumanTurn('reach for the carrot', 'trajectory') }],
        images: [{ image: join(dir, 'raw/images/bridge/traj.png') }],
        reward_model: { style: 'rule', ground_truth: '<think></think> so, the answer is <output>[[0.1, 0.1], [0.5, 0.5], [1.0, 1.0]]</output>' },
      },
    ]);
    const jsonl = join(dir, 'out/train.verl.jsonl');
    await convertDataset({ from: 'sharerobot', to: 'jsonl', input, output: jsonl, imageRoot: join(dir, 'raw/images'), think: 'empty', absoluteImages: true, dataSource: 'sharerobot' });
    const lines = (await readFile(jsonl, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual(rows.map((r) => ({ ...r, data_source: 'sharerobot' })));
  });

  it('VLA-R1 → VLA-R1 moves relative image paths with the file; VLA-R1 → verl copies them as written', async () => {
    const input = join(dir, 'raw/train.json');
    const record = {
      image: 'images/bridge/aff.png',
      conversations: [
        { from: 'human', value: buildHumanTurn('pick the cube.', 'affordance') },
        { from: 'gpt', value: '<think>t</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.1, "height": 0.1}</output>' },
      ],
      extra: { kept: true },
    };
    await writeFile(input, JSON.stringify([record]));
    const moved = join(dir, 'elsewhere/deep/train.jsonl');
    await convertDataset({ from: 'vla-r1', to: 'vla-r1', input, output: moved });
    const text = await readFile(moved, 'utf8');
    expect(text).toBe(`${JSON.stringify({ ...record, image: '../../raw/images/bridge/aff.png' })}\n`);
    expect((await readRecords(moved))[0]?.imagePath).toBe(join(dir, 'raw/images/bridge/aff.png'));

    const jsonl = join(dir, 'elsewhere/verl.jsonl');
    await convertDataset({ from: 'vla-r1', to: 'jsonl', input, output: jsonl });
    expect(JSON.parse(await readFile(jsonl, 'utf8'))).toMatchObject({ images: [{ image: 'images/bridge/aff.png' }] });
    await convertDataset({ from: 'vla-r1', to: 'jsonl', input, output: jsonl, absoluteImages: true });
    expect(JSON.parse(await readFile(jsonl, 'utf8'))).toMatchObject({ images: [{ image: join(dir, 'raw/images/bridge/aff.png') }] });
  });

  it('names the file, record, line and field of bad ShareRobot input, and writes nothing', async () => {
    const input = join(dir, 'raw/bad.json');
    await writeFile(input, JSON.stringify([shareRobot[0], { ...shareRobot[1], points: [[1, 2], [3]] }], null, 2));
    const output = join(dir, 'out/never.json');
    await expect(convertDataset({ from: 'sharerobot', to: 'vla-r1', input, output })).rejects.toThrow(
      new UserError(`${input}: record 1 (line 17): points[1]: expected an [x, y] pair of pixels`),
    );
    await expect(readFile(output)).rejects.toThrow(/ENOENT/);

    const numeric = join(dir, 'raw/numeric.json');
    await writeFile(numeric, JSON.stringify([{ ...shareRobot[0], id: 12 }]));
    await expect(convertDataset({ from: 'sharerobot', to: 'vla-r1', input: numeric, output })).rejects.toThrow(
      `${numeric}: record 0 (line 1): id: 12 is a number, not an image path: pass --image-template (e.g. "{id}.jpg")`,
    );
    const summary = await convertDataset({ from: 'sharerobot', to: 'vla-r1', input: numeric, output, imageTemplate: 'images/{original_dataset}/aff.png' });
    expect(summary.records).toBe(1);
    expect((await readRecords(output))[0]?.imagePath).toBe(join(dir, 'raw/images/bridge/aff.png'));

    const outside = join(dir, 'raw/outside.json');
    await writeFile(outside, JSON.stringify([{ ...shareRobot[0], affordance: { x: 700, y: 0, width: 5, height: 5 } }]));
    await expect(convertDataset({ from: 'sharerobot', to: 'vla-r1', input: outside, output })).rejects.toThrow(
      `${outside}: record 0 (line 1): affordance: the box lies outside the 640x480 image`,
    );
    await expect(convertDataset({ from: 'sharerobot', to: 'sharerobot', input, output })).rejects.toThrow('--from sharerobot --to sharerobot: nothing to convert');
  });

  it('counts clipped labels', async () => {
    const input = join(dir, 'raw/spill.json');
    await writeFile(input, JSON.stringify([{ ...shareRobot[0], affordance: { x: 600, y: 400, width: 80, height: 100 } }, shareRobot[1]]));
    const summary = await convertDataset({ from: 'sharerobot', to: 'vla-r1', input, output: join(dir, 'o.json'), imageRoot: join(dir, 'raw/images') });
    expect(summary.clipped).toBe(1);
  });
});
