/**
 * VLA-R1 dataset records (ShareGPT style, as the official release reads them):
 *
 * ```json
 * {"image": "images/0001.png",
 *  "conversations": [
 *    {"from": "human", "value": "<instruction><official suffix>\n<image>"},
 *    {"from": "gpt", "value": "<think>…</think> so, the answer is <output>JSON</output>"}]}
 * ```
 *
 * Files are JSON arrays or JSON Lines (detected on read, chosen by extension on write). Image paths are relative to
 * the folder of the dataset file (absolute paths are kept). Record numbers in messages are 0-based (`record 0` is
 * the first record, the index `data show --index` takes); line numbers are 1-based.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { parseAnswer } from '../protocol/answer.js';
import { parseHumanTurn } from '../protocol/prompts.js';
import type { Action, TaskKind } from '../protocol/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { parseJsonItems } from './json-text.js';

const humanTurn = z.looseObject({
  from: z.literal('human', { error: 'expected "human" (the first turn is the prompt)' }),
  value: z.string({ error: 'expected a string' }),
});

const gptTurn = z.looseObject({
  from: z.literal('gpt', { error: 'expected "gpt" (the second turn is the answer)' }),
  value: z.string({ error: 'expected a string' }),
});

const imagePath = z.string({ error: 'expected an image path' }).min(1, { error: 'expected a non-empty image path' });

/**
 * One VLA-R1 record. Extra keys (e.g. ShareRobot `id` and `meta_data` kept by the converter) are allowed and
 * preserved; `image` is one path or a list of exactly one path (the protocol has one image per prompt).
 */
export const VlaR1Record = z.looseObject({
  image: z.union([imagePath, z.tuple([imagePath], { error: 'expected a list of exactly one image path' })], {
    error: 'expected an image path or a list of one image path',
  }),
  conversations: z.tuple([humanTurn, gptTurn], {
    error: 'expected exactly two turns: [{"from": "human", …}, {"from": "gpt", …}]',
  }),
});

/** A VLA-R1 record as stored on disk. */
export type VlaR1Record = z.infer<typeof VlaR1Record>;

/** A record read and understood: the instruction, kind and ground-truth action, and the absolute image path. */
export interface LoadedRecord {
  /** 0-based position in the file. */
  readonly index: number;
  /** 1-based line where the record starts. */
  readonly line: number;
  readonly record: VlaR1Record;
  readonly instruction: string;
  readonly kind: TaskKind;
  /** The full gpt turn (the ground truth of the reward). */
  readonly answer: string;
  readonly action: Action;
  /** The record's image, resolved against the dataset file's folder. */
  readonly imagePath: string;
}

/** A problem with one field of one record. */
export interface RecordProblem {
  /** Dotted field path, e.g. `conversations[1].value`, or `record` for the whole record. */
  readonly field: string;
  readonly message: string;
}

/** What {@link interpretRecord} makes of one value. */
export type RecordInterpretation =
  | { readonly ok: true; readonly loaded: Omit<LoadedRecord, 'index' | 'line'> }
  | { readonly ok: false; readonly problems: readonly RecordProblem[] };

/**
 * A zod issue path as a field name: `['conversations', 1, 'value']` → `conversations[1].value`.
 *
 * @example
 * fieldName(['conversations', 0, 'from']); // 'conversations[0].from'
 */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? 'record' : out;
}

/** The (first) image path of a record, as written in the file. */
export function recordImage(record: VlaR1Record): string {
  return typeof record.image === 'string' ? record.image : record.image[0];
}

/**
 * Check one value against the record schema and the protocol: the human turn must be an instruction followed by
 * an official suffix and `\n<image>` (see `parseHumanTurn`), the gpt turn must parse as an answer of that kind
 * (strict `parseAnswer`: numbers in [0, 1]). Pure: no file access.
 *
 * @param datasetDir the folder image paths are relative to
 * @example
 * const r = interpretRecord({ image: 'a.png', conversations: [
 *   { from: 'human', value: buildHumanTurn('pick the cube.', 'affordance') },
 *   { from: 'gpt', value: '<think>…</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.1, "height": 0.1}</output>' },
 * ] }, '/data');
 * // r.ok === true, r.loaded.imagePath === '/data/a.png', r.loaded.kind === 'affordance'
 */
export function interpretRecord(value: unknown, datasetDir: string): RecordInterpretation {
  const parsed = VlaR1Record.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ field: fieldName(issue.path), message: issue.message })),
    };
  }
  const record = parsed.data;
  const [human, gpt] = record.conversations;
  const prompt = parseHumanTurn(human.value);
  if (prompt === undefined) {
    return {
      ok: false,
      problems: [
        {
          field: 'conversations[0].value',
          message: 'expected the instruction, then the official affordance or trajectory suffix, then "\\n<image>"',
        },
      ],
    };
  }
  const problems: RecordProblem[] = [];
  if (prompt.instruction.trim() === '') problems.push({ field: 'conversations[0].value', message: 'the instruction is empty' });
  const answer = parseAnswer(gpt.value, prompt.kind);
  if (!answer.ok) problems.push({ field: 'conversations[1].value', message: `${answer.error.message} (${prompt.kind} answer)` });
  if (!answer.ok || problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    loaded: {
      record,
      instruction: prompt.instruction,
      kind: prompt.kind,
      answer: gpt.value,
      action: answer.action,
      imagePath: resolve(datasetDir, recordImage(record)),
    },
  };
}

/**
 * A problem as a message: `FILE: record N (line L): field: message` (the line is left out when `line` is undefined).
 *
 * @example
 * formatRecordProblem('d.json', 3, 40, { field: 'image', message: 'expected an image path' });
 * // 'd.json: record 3 (line 40): image: expected an image path'
 */
export function formatRecordProblem(file: string, index: number, line: number | undefined, problem: RecordProblem): string {
  const where = line === undefined ? `record ${index}` : `record ${index} (line ${line})`;
  return `${file}: ${where}: ${problem.field}: ${problem.message}`;
}

/**
 * Parse the text of a dataset file (JSON array or JSON Lines) into loaded records; `file` names the file in errors
 * and its folder resolves image paths.
 *
 * @throws UserError `FILE: record N (line L): field: message` for the first bad record, or
 *   `FILE: line L, column C: invalid JSON: …` for a broken file.
 */
export function parseRecords(text: string, file: string): LoadedRecord[] {
  const { items } = parseJsonItems(text, file);
  const dir = dirname(resolve(file));
  return items.map((item, index) => {
    const result = interpretRecord(item.value, dir);
    if (!result.ok) {
      const first = result.problems[0] ?? { field: 'record', message: 'invalid record' };
      throw new UserError(formatRecordProblem(file, index, item.line, first));
    }
    return { index, line: item.line, ...result.loaded };
  });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no such file`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a folder, expected a dataset file`);
    throw new UserError(`${file}: cannot read: ${(error as Error).message}`);
  }
}

/**
 * Read a VLA-R1 dataset file, a JSON array or JSON Lines (detected from the content).
 *
 * @throws UserError naming the file, record, line and field of the first problem.
 * @example
 * const records = await readRecords('data/train.json');
 * records[0].kind; // 'affordance'
 * records[0].imagePath; // '/abs/path/data/images/0000.png'
 */
export async function readRecords(file: string): Promise<LoadedRecord[]> {
  return parseRecords(await readText(file), file);
}

/** Read the text of a dataset file with the same error messages as {@link readRecords}. */
export async function readDatasetText(file: string): Promise<string> {
  return readText(file);
}

/** True when `file` is written as JSON Lines (`.jsonl`, `.ndjson`); anything else is written as a JSON array. */
export function isJsonLinesPath(file: string): boolean {
  const ext = extname(file).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson';
}

/**
 * The text of a dataset file: JSON Lines (one record per line) or a JSON array (2-space indent), ending in a newline.
 *
 * @example
 * serializeRecords([record], 'jsonl'); // '{"image":"a.png","conversations":[…]}\n'
 */
export function serializeRecords(records: readonly VlaR1Record[], layout: 'json-array' | 'jsonl'): string {
  if (layout === 'jsonl') return records.map((r) => `${JSON.stringify(r)}\n`).join('');
  return `${JSON.stringify(records, null, 2)}\n`;
}

/**
 * Write records to `file`: JSON Lines for `.jsonl`/`.ndjson`, else a JSON array. Atomic: the text goes to a
 * temporary file in the same folder, which is then renamed over `file`, so a crash never leaves half a file.
 * Parent folders are created.
 *
 * @example
 * await writeRecords('out/train.jsonl', records.map((r) => r.record));
 */
export async function writeRecords(file: string, records: readonly VlaR1Record[]): Promise<void> {
  await writeFileAtomic(file, serializeRecords(records, isJsonLinesPath(file) ? 'jsonl' : 'json-array'));
}
