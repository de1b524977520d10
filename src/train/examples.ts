/**
 * Training examples: dataset records turned into model inputs (resized image bytes, prompt tokens, target
 * tokens). Images are kept as bytes (`imageSize² × 3`) and cut into patches per batch.
 */
import type { LoadedRecord } from '../data/records.js';
import { encodePrompt, encodeTarget } from '../model/answer-tokens.js';
import { loadModelImage } from '../model/image.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { parseAnswer } from '../protocol/answer.js';
import type { Action, TaskKind } from '../protocol/types.js';

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
 */
export async function buildExamples(
  records: readonly LoadedRecord[],
  tok: Tokenizer,
  imageSize: number,
  cot: boolean,
  onProgress?: (done: number) => void,
): Promise<Example[]> {
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
      };
    });
    onProgress?.(Math.min(records.length, start + width));
  }
  return out;
}
