/**
 * `vla-r1 data validate`: every problem of a VLA-R1 dataset file, not just the first.
 *
 * Checks, per record: the schema; the human turn is the instruction + an official suffix + `\n<image>` (the image
 * token last, once); the gpt turn has a non-empty `<think>` block before its `<output>` and parses (strictly) as an
 * answer of the prompt's kind with coordinates in [0, 1] and at least one trajectory point; the image exists and
 * decodes; no two records share image, instruction and task kind.
 */
import { dirname, resolve } from 'node:path';
import { createProgress } from '../progress.js';
import { hasThinkBlock, parseAnswer } from '../protocol/answer.js';
import { IMAGE_TOKEN, parseHumanTurn } from '../protocol/prompts.js';
import type { Action, TaskKind } from '../protocol/types.js';
import { isMissingImageError } from './images.js';
import { parseJsonItems } from './json-text.js';
import { fieldName, readDatasetText, recordImage, VlaR1Record } from './records.js';

/** One problem found by {@link validateDataset}. */
export interface ValidationProblem {
  /** 0-based record number. */
  readonly index: number;
  /** 1-based line where the record starts. */
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

/** The result of {@link validateDataset}. */
export interface ValidationReport {
  readonly file: string;
  readonly records: number;
  /** Records without any problem. */
  readonly valid: number;
  readonly kinds: Readonly<Record<TaskKind, number>>;
  /** Distinct image files referenced. */
  readonly images: number;
  readonly problems: readonly ValidationProblem[];
}

/** Options of {@link validateDataset}. */
export interface ValidateOptions {
  /** Decode every image (default true); when false only existence and the header are checked. */
  readonly decodeImages?: boolean;
  /** No progress output (tests). */
  readonly silent?: boolean;
}

/**
 * A problem as printed by `data validate`: `FILE: record N: field: message`.
 *
 * @example
 * formatValidationProblem('d.json', { index: 2, line: 30, field: 'image', message: 'image not found: /d/a.png' });
 * // 'd.json: record 2: image: image not found: /d/a.png'
 */
export function formatValidationProblem(file: string, problem: ValidationProblem): string {
  return `${file}: record ${problem.index}: ${problem.field}: ${problem.message}`;
}

function coordinatesInRange(action: Action): string | undefined {
  const inRange = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= 1;
  if (action.kind === 'affordance') {
    const { x, y, width, height } = action.box;
    for (const [name, v] of Object.entries({ x, y, width, height })) {
      if (!inRange(v)) return `box ${name} = ${v} is outside [0, 1]`;
    }
    return undefined;
  }
  if (action.points.length === 0) return 'the trajectory has no points';
  for (let k = 0; k < action.points.length; k++) {
    const p = action.points[k];
    if (p !== undefined && (!inRange(p[0]) || !inRange(p[1]))) return `point ${k} = [${p[0]}, ${p[1]}] is outside [0, 1]`;
  }
  return undefined;
}

/** Problems with the human turn beyond what `parseHumanTurn` accepts: the official order is text, then image. */
function humanTurnProblems(value: string): string[] {
  const out: string[] = [];
  if (!value.endsWith(`\n${IMAGE_TOKEN}`)) out.push('the human turn must end with "\\n<image>" (text first, then the image)');
  const count = value.split(IMAGE_TOKEN).length - 1;
  if (count > 1) out.push(`"<image>" appears ${count} times, expected once`);
  return out;
}

function thinkProblems(value: string): string[] {
  if (!hasThinkBlock(value)) return ['no <think>…</think> block'];
  const think = /<think>([\s\S]*?)<\/think>/i.exec(value);
  const out: string[] = [];
  if (think !== null && (think[1] ?? '').trim() === '') out.push('the <think> block is empty');
  const outputAt = value.search(/<output>/i);
  if (think !== null && outputAt >= 0 && outputAt < think.index) out.push('the <think> block must come before <output>');
  return out;
}

type ImageCheck = { ok: true } | { ok: false; message: string };

async function checkImage(path: string, decode: boolean): Promise<ImageCheck> {
  const sharp = (await import('sharp')).default;
  try {
    const image = sharp(path, { failOn: 'error' });
    const meta = await image.metadata();
    if (!meta.width || !meta.height) return { ok: false, message: `image has no size: ${path}` };
    if (decode) await image.raw().toBuffer();
    return { ok: true };
  } catch (error: unknown) {
    if (isMissingImageError(path, error)) return { ok: false, message: `image not found: ${path}` };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `image does not decode: ${path}: ${message}` };
  }
}

/**
 * Validate a dataset file (JSON array or JSON Lines) and return every problem.
 *
 * @throws UserError when the file cannot be read or is not valid JSON (`FILE: line L, column C: invalid JSON: …`).
 * @example
 * const report = await validateDataset('data/train.json');
 * for (const p of report.problems) console.log(formatValidationProblem(report.file, p));
 */
export async function validateDataset(file: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const { items } = parseJsonItems(await readDatasetText(file), file);
  const dir = dirname(resolve(file));
  const kinds: Record<TaskKind, number> = { affordance: 0, trajectory: 0 };
  const firstOfKey = new Map<string, number>();
  const checked: CheckedRecord[] = [];

  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (item === undefined) continue;
    const entry: CheckedRecord = { index, line: item.line, before: [], after: [] };
    checked.push(entry);
    const add = (field: string, message: string): void => void entry.before.push({ field, message });
    const parsed = VlaR1Record.safeParse(item.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) add(fieldName(issue.path), issue.message);
      continue;
    }
    const record = parsed.data;
    const [human, gpt] = record.conversations;

    const prompt = parseHumanTurn(human.value);
    if (prompt === undefined) {
      add('conversations[0].value', 'expected the instruction, then the official affordance or trajectory suffix, then "\\n<image>"');
    } else {
      for (const message of humanTurnProblems(human.value)) add('conversations[0].value', message);
      if (prompt.instruction.trim() === '') add('conversations[0].value', 'the instruction is empty');
      else if (prompt.instruction.includes(IMAGE_TOKEN)) add('conversations[0].value', 'the instruction contains "<image>"');
      kinds[prompt.kind]++;
    }

    for (const message of thinkProblems(gpt.value)) add('conversations[1].value', message);
    const answer = parseAnswer(gpt.value, prompt?.kind);
    if (!answer.ok) add('conversations[1].value', prompt ? `${answer.error.message} (${prompt.kind} answer)` : answer.error.message);
    else {
      const range = coordinatesInRange(answer.action);
      if (range !== undefined) add('conversations[1].value', range);
    }

    entry.imagePath = resolve(dir, recordImage(record));
    if (prompt !== undefined) {
      const key = `${entry.imagePath}\u0000${prompt.kind}\u0000${prompt.instruction}`;
      const first = firstOfKey.get(key);
      if (first !== undefined) entry.after.push({ field: 'record', message: `duplicate of record ${first} (same image, instruction and task kind)` });
      else firstOfKey.set(key, index);
    }
  }

  const images = await checkImages(
    checked.flatMap((c) => (c.imagePath === undefined ? [] : [c.imagePath])),
    options.decodeImages ?? true,
    options.silent === true,
  );

  const problems: ValidationProblem[] = [];
  let valid = 0;
  for (const c of checked) {
    const image = c.imagePath === undefined ? undefined : images.get(c.imagePath);
    const all = [...c.before, ...(image !== undefined && !image.ok ? [{ field: 'image', message: image.message }] : []), ...c.after];
    if (all.length === 0) valid++;
    for (const p of all) problems.push({ index: c.index, line: c.line, ...p });
  }
  return { file, records: items.length, valid, kinds, images: images.size, problems };
}

/** One record's problems, split around the image check so they print in a stable order. */
interface CheckedRecord {
  readonly index: number;
  readonly line: number;
  readonly before: { field: string; message: string }[];
  readonly after: { field: string; message: string }[];
  imagePath?: string;
}

/** How many images are decoded at once (sharp decodes on libuv's thread pool). */
const IMAGE_CONCURRENCY = 4;

/** Check each distinct image once, a few at a time, with progress. */
async function checkImages(paths: readonly string[], decode: boolean, silent: boolean): Promise<Map<string, ImageCheck>> {
  const unique = [...new Set(paths)];
  const results = new Map<string, ImageCheck>();
  const progress = createProgress({ label: 'validate images', total: unique.length, unit: 'images', silent });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const path = unique[next++];
      if (path === undefined) continue;
      results.set(path, await checkImage(path, decode));
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(IMAGE_CONCURRENCY, unique.length) }, worker));
  progress.done();
  return results;
}
