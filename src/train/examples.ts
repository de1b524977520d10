/**
 * Training examples: dataset records turned into model inputs (resized image bytes, prompt tokens, target
 * tokens). Images are kept as bytes (`imageSize² × 3`) and cut into patches per batch.
 */
import type { LoadedRecord } from '../data/records.js';
import type { SceneLabelsLine } from '../data/scene-labels.js';
import { UserError } from '../errors.js';
import { encodePrompt, encodeTarget } from '../model/answer-tokens.js';
import { loadModelImage } from '../model/image.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { parseAnswer } from '../protocol/answer.js';
import type { Action, TaskKind } from '../protocol/types.js';
import type { PatchTargets, PerceptionEncoder } from './perception.js';

/** One example ready for batching. */
export interface Example {
  /** `imageSize × imageSize × 3` RGB bytes. */
  readonly rgb: Uint8Array;
  readonly kind: TaskKind;
  readonly instruction: string;
  /** Task token + instruction tokens (unaligned). */
  readonly prompt: readonly number[];
  /** Rationale (empty without CoT), `<answer>`, action tokens, `<eos>`. */
  readonly target: readonly number[];
  /** The ground-truth action (for metrics and rewards). */
  readonly action: Action;
  /** The ground-truth answer text (for rewards). */
  readonly answer: string;
  /** Index of the record in its file. */
  readonly index: number;
  /** Perception targets of the image patches (`perception.ts`), when the data has scene labels. */
  readonly perception?: PatchTargets;
}

/** Scene labels for {@link buildExamples}: one per record, in the records' order. */
export interface ExampleLabels {
  /** The labels file (for error messages). */
  readonly file: string;
  readonly lines: readonly SceneLabelsLine[];
  readonly encoder: PerceptionEncoder;
  /** Patches per side of the model's image grid. */
  readonly grid: number;
}

/** The rationale of a record's answer (the stripped first `<think>` block), or '' when it has none. */
export function recordRationale(record: LoadedRecord): string {
  const parsed = parseAnswer(record.answer, record.kind);
  return parsed.ok ? (parsed.think ?? '') : '';
}

/** Texts to learn the vocabulary from: instructions, and rationales when training with CoT. */
export function vocabularyTexts(records: readonly LoadedRecord[], cot: boolean): string[] {
  return records.flatMap((r) => (cot ? [r.instruction, recordRationale(r)] : [r.instruction]));
}

/** Texts to learn phrase merges from: the rationales (merges are not applied to instructions). */
export function mergeTexts(records: readonly LoadedRecord[], cot: boolean): string[] {
  return cot ? records.map(recordRationale) : [];
}

/**
 * Load the images of records and tokenise them (images are decoded a few at a time, in order).
 *
 * @param cot keep the rationale (CoT-SFT) or drop it (plain SFT: the target is `<answer>` + action + `<eos>`).
 * @param labels scene labels of the records (adds perception targets).
 * @throws UserError when the labels do not belong to the records.
 */
export async function buildExamples(
  records: readonly LoadedRecord[],
  tok: Tokenizer,
  imageSize: number,
  cot: boolean,
  onProgress?: (done: number) => void,
  labels?: ExampleLabels,
): Promise<Example[]> {
  if (labels !== undefined && labels.lines.length !== records.length) {
    throw new UserError(`${labels.file}: ${labels.lines.length} lines for ${records.length} records`);
  }
  const out: Example[] = new Array<Example>(records.length);
  const width = 8;
  for (let start = 0; start < records.length; start += width) {
    const chunk = records.slice(start, start + width);
    const images = await Promise.all(chunk.map((r) => loadModelImage(r.imagePath, imageSize)));
    chunk.forEach((r, i) => {
      out[start + i] = {
        rgb: images[i] as Uint8Array,
        kind: r.kind,
        instruction: r.instruction,
        prompt: encodePrompt(tok, r.instruction, r.kind),
        target: encodeTarget(tok, cot ? recordRationale(r) : '', r.action),
        action: r.action,
        answer: r.answer,
        index: r.index,
        ...(labels === undefined ? {} : { perception: perceptionOf(r, labels) }),
      };
    });
    onProgress?.(Math.min(records.length, start + width));
  }
  return out;
}

function perceptionOf(r: LoadedRecord, labels: ExampleLabels): PatchTargets {
  const line = labels.lines[r.index];
  const image = Array.isArray(r.record.image) ? r.record.image[0] : r.record.image;
  if (line === undefined || line.image !== image) {
    throw new UserError(`${labels.file}: line ${r.index + 1}: field image: ${line?.image ?? '(none)'} does not match record ${r.index}'s image ${String(image)}`);
  }
  return labels.encoder.encode(line, labels.grid);
}
