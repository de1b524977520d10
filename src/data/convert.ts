/**
 * `vla-r1 data convert`: between ShareRobot raw annotations, VLA-R1 records, and verl rows (parquet or JSON Lines).
 *
 * Image paths: in VLA-R1 records they are relative to the record file's folder, so converting to a file in another
 * folder rewrites them relative to the new folder (or makes them absolute with `absoluteImages`). ShareRobot ids are
 * image paths relative to an image root (default: the ShareRobot file's folder). verl rows copy the record's image
 * path as written, like the official converter; `absoluteImages` resolves them so verl finds the images from any
 * working directory.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import type { TaskKind } from '../protocol/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { readImageSize } from './images.js';
import { parseJsonItems } from './json-text.js';
import { formatRecordProblem, isJsonLinesPath, readDatasetText, readRecords, writeRecords, type VlaR1Record } from './records.js';
import {
  parseShareRobotItem,
  preservedShareRobotMeta,
  recordToShareRobotItem,
  shareRobotImagePath,
  shareRobotItemToRecord,
  shareRobotKind,
  type ShareRobotItem,
  type ThinkMode,
} from './sharerobot.js';
import { recordToVerlRow, writeVerlJsonl, writeVerlParquet } from './verl-parquet.js';

/** Input formats. */
export const CONVERT_FROM = ['sharerobot', 'vla-r1'] as const;
/** Output formats: `jsonl` is verl rows as JSON Lines. */
export const CONVERT_TO = ['vla-r1', 'sharerobot', 'verl-parquet', 'jsonl'] as const;

export type ConvertFrom = (typeof CONVERT_FROM)[number];
export type ConvertTo = (typeof CONVERT_TO)[number];

/** Options of {@link convertDataset}. */
export interface ConvertOptions {
  readonly from: ConvertFrom;
  readonly to: ConvertTo;
  readonly input: string;
  readonly output: string;
  /** ShareRobot side: the folder item ids (image paths) are relative to. Default: the ShareRobot file's folder. */
  readonly imageRoot?: string;
  /** ShareRobot input: image path template with `{id}` and `{original_dataset}` (for numeric ids). */
  readonly imageTemplate?: string;
  /** ShareRobot input: how `<think>` is filled (default `template`). */
  readonly think?: ThinkMode;
  /** verl output: `data_source` (default `custom/vla_r1`). */
  readonly dataSource?: string;
  /** Write absolute image paths. */
  readonly absoluteImages?: boolean;
}

/** What {@link convertDataset} did. */
export interface ConvertSummary {
  readonly records: number;
  readonly kinds: Readonly<Record<TaskKind, number>>;
  /** ShareRobot input: labels with a coordinate outside the image, clipped to it. */
  readonly clipped: number;
}

/** A path with `/` separators (records are shared between systems). */
function portable(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * How an absolute image path is written in a file in `outDir`: relative to `outDir`, or absolute.
 *
 * @example
 * imagePathFor('/data/images/a.png', '/data/out', false); // '../images/a.png'
 */
export function imagePathFor(absolutePath: string, outDir: string, absolute: boolean): string {
  return absolute ? absolutePath : portable(relative(outDir, absolutePath));
}

/** Read and check a ShareRobot file; the first bad item throws `FILE: record N (line L): field: message`. */
export async function readShareRobot(file: string): Promise<{ item: ShareRobotItem; index: number; line: number }[]> {
  const { items } = parseJsonItems(await readDatasetText(file), file);
  return items.map(({ value, line }, index) => {
    const parsed = parseShareRobotItem(value);
    if (!parsed.ok) {
      const first = parsed.problems[0] ?? { field: 'record', message: 'invalid item' };
      throw new UserError(formatRecordProblem(file, index, line, first));
    }
    return { item: parsed.item, index, line };
  });
}

async function shareRobotToRecords(options: ConvertOptions, outDir: string): Promise<{ records: VlaR1Record[]; clipped: number; kinds: Record<TaskKind, number> }> {
  const items = await readShareRobot(options.input);
  const root = resolve(options.imageRoot ?? dirname(options.input));
  const kinds: Record<TaskKind, number> = { affordance: 0, trajectory: 0 };
  let clipped = 0;
  const records = items.map(({ item, index, line }) => {
    try {
      const path = shareRobotImagePath(item, options.imageTemplate);
      const absolute = isAbsolute(path) ? path : resolve(root, path);
      const converted = shareRobotItemToRecord(item, {
        image: imagePathFor(absolute, outDir, options.absoluteImages === true),
        ...(options.think !== undefined ? { think: options.think } : {}),
      });
      if (converted.clipped) clipped++;
      kinds[shareRobotKind(item)]++;
      return converted.record;
    } catch (error: unknown) {
      if (error instanceof UserError) throw new UserError(`${options.input}: record ${index} (line ${line}): ${error.message}`);
      throw error;
    }
  });
  return { records, clipped, kinds };
}

/**
 * Convert `input` to `output` (written atomically; JSON Lines when `output` ends in `.jsonl` for the record
 * formats). See the module documentation for image paths and `SHAREROBOT_CONVENTION` for coordinates.
 *
 * @throws UserError naming the file, record, line and field of the first bad input item.
 * @example
 * await convertDataset({ from: 'sharerobot', to: 'vla-r1', input: 'affordance.json', output: 'train.json' });
 * await convertDataset({ from: 'vla-r1', to: 'verl-parquet', input: 'train.json', output: 'train.parquet', absoluteImages: true });
 */
export async function convertDataset(options: ConvertOptions): Promise<ConvertSummary> {
  const outDir = dirname(resolve(options.output));
  if (options.from === 'sharerobot') {
    if (options.to === 'sharerobot') throw new UserError('--from sharerobot --to sharerobot: nothing to convert');
    const { records, clipped, kinds } = await shareRobotToRecords(options, outDir);
    await writeConverted(records, options, outDir);
    return { records: records.length, kinds, clipped };
  }

  const loaded = await readRecords(options.input);
  const kinds: Record<TaskKind, number> = { affordance: 0, trajectory: 0 };
  for (const r of loaded) kinds[r.kind]++;
  if (options.to === 'sharerobot') {
    const root = resolve(options.imageRoot ?? outDir);
    const items: ShareRobotItem[] = [];
    for (const r of loaded) {
      const kept = preservedShareRobotMeta(r.record);
      const size = kept ?? (await readImageSize(r.imagePath));
      const id = kept?.id ?? imagePathFor(r.imagePath, root, options.absoluteImages === true);
      items.push(
        recordToShareRobotItem(r, {
          id,
          width: size.width,
          height: size.height,
          ...(kept?.originalDataset !== undefined ? { originalDataset: kept.originalDataset } : {}),
        }),
      );
    }
    const text = isJsonLinesPath(options.output) ? items.map((i) => `${JSON.stringify(i)}\n`).join('') : `${JSON.stringify(items, null, 2)}\n`;
    await writeFileAtomic(options.output, text);
    return { records: items.length, kinds, clipped: 0 };
  }

  if (options.to === 'vla-r1') {
    const records = loaded.map((r) => {
      const image = imagePathFor(r.imagePath, outDir, options.absoluteImages === true);
      return { ...r.record, image: typeof r.record.image === 'string' ? image : [image] } as VlaR1Record;
    });
    await writeRecords(options.output, records);
  } else {
    const inDir = dirname(resolve(options.input));
    const rows = loaded.map((r) =>
      recordToVerlRow(r.record, {
        ...(options.dataSource !== undefined ? { dataSource: options.dataSource } : {}),
        ...(options.absoluteImages === true ? { resolveImagesFrom: inDir } : {}),
      }),
    );
    if (options.to === 'verl-parquet') await writeVerlParquet(options.output, rows);
    else await writeVerlJsonl(options.output, rows);
  }
  return { records: loaded.length, kinds, clipped: 0 };
}

async function writeConverted(records: readonly VlaR1Record[], options: ConvertOptions, outDir: string): Promise<void> {
  if (options.to === 'vla-r1') return writeRecords(options.output, records);
  const rows = records.map((record) =>
    recordToVerlRow(record, {
      ...(options.dataSource !== undefined ? { dataSource: options.dataSource } : {}),
      ...(options.absoluteImages === true ? { resolveImagesFrom: outDir } : {}),
    }),
  );
  if (options.to === 'verl-parquet') return writeVerlParquet(options.output, rows);
  return writeVerlJsonl(options.output, rows);
}
