/**
 * The dense scene labels that come with a synthetic split: `train.labels.jsonl` beside `train.json`, one line per
 * record in the same order, each the {@link SceneLabels} of the record's image and the image's path.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import type { SceneLabels } from './scene/label-grid.js';
import { MAX_LABELLED_OBJECTS, NO_PART_CELL, ROBOT_CELL, TABLE_CELL } from './scene/label-grid.js';

const LabelledObjectSchema = z
  .object({ category: z.string().min(1), colour: z.string().min(1), parts: z.array(z.string().min(1)).max(10) })
  .strict();

/** One line of a labels file. */
export const SceneLabelsLineSchema = z
  .object({
    image: z.string().min(1),
    grid: z.number().int().min(1).max(256),
    objects: z.array(LabelledObjectSchema).max(MAX_LABELLED_OBJECTS),
    instances: z.string(),
    parts: z.string(),
  })
  .strict()
  .superRefine((line, ctx) => {
    const cells = line.grid * line.grid;
    for (const field of ['instances', 'parts'] as const) {
      if (line[field].length !== cells) ctx.addIssue({ code: 'custom', path: [field], message: `expected ${cells} cells (grid ${line.grid}²), got ${line[field].length}` });
    }
    for (let i = 0; i < Math.min(cells, line.instances.length, line.parts.length); i++) {
      const code = line.instances[i] as string;
      const part = line.parts[i] as string;
      const object = code === TABLE_CELL || code === ROBOT_CELL ? undefined : line.objects[code.charCodeAt(0) - 65];
      if (code !== TABLE_CELL && code !== ROBOT_CELL && object === undefined) {
        ctx.addIssue({ code: 'custom', path: ['instances'], message: `cell ${i}: '${code}' names no object` });
        return;
      }
      if (part !== NO_PART_CELL && (object === undefined || object.parts[Number(part)] === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['parts'], message: `cell ${i}: '${part}' names no part of the cell's object` });
        return;
      }
    }
  });

/** One line of a labels file: the labels of an image and its path (relative to the dataset folder). */
export type SceneLabelsLine = SceneLabels & { readonly image: string };

/**
 * The labels file that belongs to a records file (`DIR/train.json` → `DIR/train.labels.jsonl`).
 *
 * @example
 * labelsFileFor('data/synth/train.json'); // 'data/synth/train.labels.jsonl'
 */
export function labelsFileFor(recordsFile: string): string {
  return `${recordsFile.replace(/\.jsonl?$/u, '')}.labels.jsonl`;
}

/**
 * Write a labels file atomically (one JSON line per image).
 *
 * @example
 * await writeSceneLabels('data/synth/train.labels.jsonl', [{ image: 'images/train-000000.png', ...labels }]);
 */
export async function writeSceneLabels(file: string, lines: readonly SceneLabelsLine[]): Promise<void> {
  await writeFileAtomic(file, lines.map((l) => `${JSON.stringify({ image: l.image, grid: l.grid, objects: l.objects, instances: l.instances, parts: l.parts })}\n`).join(''));
}

/**
 * Read a labels file, validating every line.
 *
 * @throws UserError naming the file, the line and the field of the first bad line.
 * @example
 * const labels = await readSceneLabels('data/synth/train.labels.jsonl');
 */
export async function readSceneLabels(file: string): Promise<SceneLabelsLine[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    throw new UserError(`${file}: cannot read: ${(error as Error).message}`);
  }
  const out: SceneLabelsLine[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error: unknown) {
      throw new UserError(`${file}: line ${i + 1}: not JSON (${(error as Error).message})`);
    }
    const parsed = SceneLabelsLineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(`${file}: line ${i + 1}: field ${issue?.path.join('.') || '(line)'}: ${issue?.message ?? 'invalid'}`);
    }
    out.push(parsed.data);
  });
  return out;
}
