import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { labelsFileFor, readSceneLabels, writeSceneLabels, type SceneLabelsLine } from './scene-labels.js';

const root = await mkdtemp(join(tmpdir(), 'vla-labels-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const line: SceneLabelsLine = {
  image: 'images/train-000000.png',
  grid: 2,
  objects: [{ category: 'mug', colour: 'red', parts: ['handle'] }],
  instances: 'A.#A',
  parts: '0...',
};

describe('scene labels files', () => {
  it('names the labels file beside a records file', () => {
    expect(labelsFileFor('data/synth/train.json')).toBe('data/synth/train.labels.jsonl');
    expect(labelsFileFor('d/test.jsonl')).toBe('d/test.labels.jsonl');
  });

  it('round-trips lines', async () => {
    const file = join(root, 'ok.labels.jsonl');
    await writeSceneLabels(file, [line, { ...line, image: 'images/train-000001.png' }]);
    expect(await readSceneLabels(file)).toEqual([line, { ...line, image: 'images/train-000001.png' }]);
  });

  it.each([
    ['a wrong cell count', { ...line, instances: 'A.#' }, /line 2: field instances: expected 4 cells/],
    ['a cell naming no object', { ...line, instances: 'AB#A' }, /line 2: field instances: cell 1: 'B' names no object/],
    ['a part of no object', { ...line, parts: '.0..' }, /line 2: field parts: cell 1/],
    ['a missing field', { ...line, grid: undefined }, /line 2: field grid/],
  ])('rejects %s, naming the file, line and field', async (_, bad, message) => {
    const file = join(root, 'bad.labels.jsonl');
    await writeFile(file, `${JSON.stringify(line)}\n${JSON.stringify(bad)}\n`);
    const error = await readSceneLabels(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a line that is not JSON and a missing file', async () => {
    const file = join(root, 'broken.labels.jsonl');
    await writeFile(file, `${JSON.stringify(line)}\n{oops\n`);
    await expect(readSceneLabels(file)).rejects.toThrow(/line 2: not JSON/);
    await expect(readSceneLabels(join(root, 'none.jsonl'))).rejects.toThrow(/cannot read/);
  });
});
