/**
 * VLA-R1 records → verl training rows, exactly as the official converter
 * (`RFT_training/train_utils/sharegpt_to_parquet.py`) writes them:
 *
 * ```json
 * {"data_source": "custom/vla_r1",
 *  "prompt": [{"role": "user", "content": "<first human value, trailing \n<image> kept>"}],
 *  "images": [{"image": "<path as written in the record>"}],
 *  "reward_model": {"style": "rule", "ground_truth": "<last gpt value>"}}
 * ```
 *
 * The official converter keeps the trailing `<image>` (its `clean_prompt` call is commented out): verl splits the
 * prompt on `<image>` to place the image after the text. Parquet files use the schema pyarrow writes for these
 * rows through `datasets.Dataset.from_list(...).to_parquet(...)`: optional UTF-8 strings, 3-level `LIST` columns
 * (`list` / `element`) of structs, and a struct `reward_model`.
 */
import { isAbsolute, resolve } from 'node:path';
import type { SchemaElement } from 'hyparquet';
import { writeFileAtomic } from './atomic-write.js';
import { recordImage, type VlaR1Record } from './records.js';

/** The official `--data_source` default. */
export const OFFICIAL_DATA_SOURCE = 'custom/vla_r1';

/** One verl row. */
export interface VerlRow {
  readonly data_source: string;
  readonly prompt: readonly [{ readonly role: 'user'; readonly content: string }];
  readonly images: readonly { readonly image: string }[];
  readonly reward_model: { readonly style: 'rule'; readonly ground_truth: string };
}

/** Options of {@link recordToVerlRow}. */
export interface VerlRowOptions {
  /** Default {@link OFFICIAL_DATA_SOURCE}. */
  readonly dataSource?: string;
  /**
   * When set, relative image paths are resolved against this folder (the dataset file's folder) so the rows work
   * from any working directory. Unset (the official behaviour): paths are copied as written.
   */
  readonly resolveImagesFrom?: string;
}

/**
 * The verl row of one record (the official `convert_item`).
 *
 * @example
 * recordToVerlRow({ image: 'a.png', conversations: [{ from: 'human', value: 'pick … </output>.\n<image>' }, { from: 'gpt', value: '<think>…' }] });
 * // { data_source: 'custom/vla_r1', prompt: [{ role: 'user', content: 'pick … </output>.\n<image>' }],
 * //   images: [{ image: 'a.png' }], reward_model: { style: 'rule', ground_truth: '<think>…' } }
 */
export function recordToVerlRow(record: VlaR1Record, options: VerlRowOptions = {}): VerlRow {
  const raw = recordImage(record);
  const image = options.resolveImagesFrom !== undefined && !isAbsolute(raw) ? resolve(options.resolveImagesFrom, raw) : raw;
  const [human, gpt] = record.conversations;
  return {
    data_source: options.dataSource ?? OFFICIAL_DATA_SOURCE,
    prompt: [{ role: 'user', content: human.value }],
    images: [{ image }],
    reward_model: { style: 'rule', ground_truth: gpt.value },
  };
}

const utf8 = (name: string): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  logical_type: { type: 'STRING' },
  repetition_type: 'OPTIONAL',
});
const list = (name: string): SchemaElement => ({
  name,
  repetition_type: 'OPTIONAL',
  converted_type: 'LIST',
  logical_type: { type: 'LIST' },
  num_children: 1,
});

/** The parquet schema of verl rows (flattened, pre-order), as pyarrow writes it. */
export const VERL_PARQUET_SCHEMA: readonly SchemaElement[] = [
  { name: 'schema', num_children: 4 },
  utf8('data_source'),
  list('prompt'),
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
  utf8('role'),
  utf8('content'),
  list('images'),
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', num_children: 1 },
  utf8('image'),
  { name: 'reward_model', repetition_type: 'OPTIONAL', num_children: 2 },
  utf8('style'),
  utf8('ground_truth'),
];

const COLUMNS = ['data_source', 'prompt', 'images', 'reward_model'] as const;

/**
 * verl rows as the bytes of a parquet file (one row group per 100,000 rows, Snappy).
 *
 * @example
 * const bytes = await verlParquetBytes([recordToVerlRow(record)]);
 */
export async function verlParquetBytes(rows: readonly VerlRow[]): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const buffer = parquetWriteBuffer({
    columnData: COLUMNS.map((name) => ({ name, data: rows.map((row) => row[name]) })),
    schema: [...VERL_PARQUET_SCHEMA],
    rowGroupSize: 100_000,
    createdBy: 'vla-r1',
  });
  return new Uint8Array(buffer);
}

/**
 * Write verl rows as a parquet file (atomically).
 *
 * @example
 * await writeVerlParquet('out/train.parquet', records.map((r) => recordToVerlRow(r.record)));
 */
export async function writeVerlParquet(file: string, rows: readonly VerlRow[]): Promise<void> {
  await writeFileAtomic(file, await verlParquetBytes(rows));
}

/**
 * verl rows as JSON Lines (the same objects as the parquet rows, one per line; `datasets.load_dataset("json")`
 * reads them back to the same columns).
 *
 * @example
 * verlJsonl([row]); // '{"data_source":"custom/vla_r1","prompt":[{"role":"user","content":"…"}],…}\n'
 */
export function verlJsonl(rows: readonly VerlRow[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

/** Write verl rows as JSON Lines (atomically). */
export async function writeVerlJsonl(file: string, rows: readonly VerlRow[]): Promise<void> {
  await writeFileAtomic(file, verlJsonl(rows));
}
