import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHumanTurn } from '../protocol/prompts.js';
import type { VlaR1Record } from './records.js';
import { OFFICIAL_DATA_SOURCE, recordToVerlRow, verlJsonl, verlParquetBytes, writeVerlJsonl, writeVerlParquet, type VerlRow } from './verl-parquet.js';

const affordanceGpt = '<think>The handle faces right.</think> so, the answer is <output>{"x": 0.555652, "y": 0.605505, "width": 0.072702, "height": 0.079511}</output>';
const trajectoryGpt = '<think>Go left, then down — évite le bol.</think> so, the answer is <output>[[0.715645, 0.684211], [0.593633, 0.504111]]</output>';

const records: VlaR1Record[] = [
  { image: 'images/0.png', conversations: [{ from: 'human', value: buildHumanTurn('pick ketchup from table and place on oven.', 'affordance') }, { from: 'gpt', value: affordanceGpt }] },
  { image: ['/abs/1.png'], conversations: [{ from: 'human', value: buildHumanTurn('reach for the pan.', 'trajectory') }, { from: 'gpt', value: trajectoryGpt }], id: 9 },
];

const expectedRows: VerlRow[] = [
  {
    data_source: 'custom/vla_r1',
    prompt: [{ role: 'user', content: buildHumanTurn('pick ketchup from table and place on oven.', 'affordance') }],
    images: [{ image: 'images/0.png' }],
    reward_model: { style: 'rule', ground_truth: affordanceGpt },
  },
  {
    data_source: 'custom/vla_r1',
    prompt: [{ role: 'user', content: buildHumanTurn('reach for the pan.', 'trajectory') }],
    images: [{ image: '/abs/1.png' }],
    reward_model: { style: 'rule', ground_truth: trajectoryGpt },
  },
];

/** A copy of the bytes as a plain ArrayBuffer (what hyparquet reads). */
const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => new Uint8Array(bytes).buffer;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vla-r1-verl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recordToVerlRow', () => {
  it('builds the official row: <image> kept in the prompt, the gpt turn as ground truth', () => {
    expect(OFFICIAL_DATA_SOURCE).toBe('custom/vla_r1');
    expect(records.map((r) => recordToVerlRow(r))).toEqual(expectedRows);
    expect(expectedRows[0]?.prompt[0].content.endsWith('</output>.\n<image>')).toBe(true);
  });

  it('takes a data source and resolves relative images on request', () => {
    const row = recordToVerlRow(records[0] as VlaR1Record, { dataSource: 'sim/tabletop', resolveImagesFrom: '/data/set' });
    expect(row.data_source).toBe('sim/tabletop');
    expect(row.images).toEqual([{ image: '/data/set/images/0.png' }]);
    expect(recordToVerlRow(records[1] as VlaR1Record, { resolveImagesFrom: '/data/set' }).images).toEqual([{ image: '/abs/1.png' }]);
  });
});

describe('verl parquet', () => {
  it('writes rows that an independent reader (hyparquet) reads back exactly', async () => {
    const file = join(dir, 'train.parquet');
    await writeVerlParquet(file, expectedRows);
    expect(await parquetReadObjects({ file: arrayBuffer(await readFile(file)) })).toEqual(expectedRows);
  });

  it('uses the nested layout pyarrow writes: 3-level lists of structs, a struct reward_model', async () => {
    const bytes = await verlParquetBytes(expectedRows);
    const metadata = parquetMetadata(arrayBuffer(bytes));
    expect(metadata.num_rows).toBe(2n);
    const tree = parquetSchema(metadata);
    const shape = (node: typeof tree): unknown => ({
      name: node.element.name,
      ...(node.element.repetition_type ? { rep: node.element.repetition_type } : {}),
      ...(node.element.converted_type ? { conv: node.element.converted_type } : {}),
      ...(node.children.length > 0 ? { children: node.children.map(shape) } : { type: node.element.type }),
    });
    const str = (name: string) => ({ name, rep: 'OPTIONAL', conv: 'UTF8', type: 'BYTE_ARRAY' });
    expect(shape(tree)).toEqual({
      name: 'schema',
      children: [
        str('data_source'),
        { name: 'prompt', rep: 'OPTIONAL', conv: 'LIST', children: [{ name: 'list', rep: 'REPEATED', children: [{ name: 'element', rep: 'OPTIONAL', children: [str('role'), str('content')] }] }] },
        { name: 'images', rep: 'OPTIONAL', conv: 'LIST', children: [{ name: 'list', rep: 'REPEATED', children: [{ name: 'element', rep: 'OPTIONAL', children: [str('image')] }] }] },
        { name: 'reward_model', rep: 'OPTIONAL', children: [str('style'), str('ground_truth')] },
      ],
    });
  });

  it('round-trips many rows and an empty file', async () => {
    const many = Array.from({ length: 2500 }, (_, k) => ({ ...(expectedRows[k % 2] as VerlRow), images: [{ image: `img/${k}.png` }] }));
    const bytes = await verlParquetBytes(many);
    const back = await parquetReadObjects({ file: arrayBuffer(bytes) });
    expect(back.length).toBe(2500);
    expect(back[2499]).toEqual(many[2499]);
    expect(back).toEqual(many);
    const empty = await verlParquetBytes([]);
    expect(await parquetReadObjects({ file: arrayBuffer(empty) })).toEqual([]);
  });
});

describe('verl JSON Lines', () => {
  it('writes one row object per line', async () => {
    expect(verlJsonl(expectedRows)).toBe(`${JSON.stringify(expectedRows[0])}\n${JSON.stringify(expectedRows[1])}\n`);
    const file = join(dir, 'train.jsonl');
    await writeVerlJsonl(file, expectedRows);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(expectedRows);
  });
});
