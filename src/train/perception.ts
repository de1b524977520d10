/**
 * Perception targets of SFT: every image patch is taught to name what it shows, in the model's own
 * vocabulary (the word of the object's category, of its colour and of its part; `table` and `gripper`
 * elsewhere), from the dense scene labels that come with the synthetic data (`src/data/scene-labels.ts`).
 * The patch's softmax runs over the label words only (`PerceptionEncoder.vocabulary`).
 *
 * A real VLM starts from a vision encoder that already sees objects; our small model starts from nothing, and
 * without this term it spends most of its SFT budget learning to see from four coordinate tokens per image.
 */
import type { SceneLabels } from '../data/scene/label-grid.js';
import { NO_PART_CELL, ROBOT_CELL, TABLE_CELL } from '../data/scene/label-grid.js';
import type { Tokenizer } from '../model/tokenizer.js';

/** Labels per patch: category, colour, part. */
export const PERCEPTION_LABELS = 3;

/**
 * Weight of a table label relative to an object's (table cells are most of an image: at full weight they
 * would drown the few object patches the model has to learn to recognise).
 */
export const TABLE_LABEL_WEIGHT = 0.1;

/** Perception targets of patches: `PERCEPTION_LABELS` per patch, row-major. */
export interface PatchTargets {
  /** Places in the encoder's `vocabulary` (0 where unlabelled). */
  readonly labels: Int32Array;
  /** Loss weights (0 where unlabelled). */
  readonly weights: Float32Array;
}

/** Token of a word as it appears after a space, or -1 when the vocabulary has no single piece for it. */
function wordToken(tok: Tokenizer, word: string, cache: Map<string, number>): number {
  let id = cache.get(word);
  if (id === undefined) {
    const ids = tok.encodeText(` ${word}`, { merges: false });
    id = ids.length === 1 && tok.isText(ids[0] as number) ? (ids[0] as number) : -1;
    cache.set(word, id);
  }
  return id;
}

/** Maps scene labels to per-patch targets for one tokenizer. */
export interface PerceptionEncoder {
  /**
   * The token ids of the label words, ascending: the patches' softmax runs over these columns of the
   * vocabulary head only (a classifier over what a patch can show, not over every word).
   */
  readonly vocabulary: Int32Array;
  /**
   * `grid² × PERCEPTION_LABELS` targets for a `grid × grid` patch grid: each patch takes the label cell under
   * its centre.
   */
  encode(labels: SceneLabels, grid: number): PatchTargets;
}

/** The words a patch can be labelled with, given the label lines of a split. */
function labelWords(lines: readonly SceneLabels[]): Set<string> {
  const words = new Set<string>(['table', 'gripper']);
  for (const line of lines) {
    for (const o of line.objects) {
      words.add(o.category);
      words.add(o.colour);
      for (const part of o.parts) words.add(part);
    }
  }
  return words;
}

/**
 * A perception encoder over a tokenizer and the label lines it will encode. Words the vocabulary lacks as
 * single pieces get no label.
 *
 * @example
 * const encoder = perceptionEncoder(tokenizer, lines);
 * const { labels, weights } = encoder.encode(lines[0], 8); // 8 * 8 * 3 each, labels index encoder.vocabulary
 */
export function perceptionEncoder(tok: Tokenizer, lines: readonly SceneLabels[]): PerceptionEncoder {
  const cache = new Map<string, number>();
  const ids = [...labelWords(lines)].map((w) => wordToken(tok, w, cache)).filter((id) => id >= 0);
  const vocabulary = Int32Array.from(new Set(ids)).sort();
  const place = new Map<number, number>(Array.from(vocabulary, (id, i) => [id, i]));
  const word = (w: string): number => place.get(wordToken(tok, w, cache)) ?? -1;
  return {
    vocabulary,
    encode(labels, grid) {
      const targets = new Int32Array(grid * grid * PERCEPTION_LABELS);
      const weights = new Float32Array(grid * grid * PERCEPTION_LABELS);
      const set = (at: number, label: number, weight = 1): void => {
        if (label < 0) return;
        targets[at] = label;
        weights[at] = weight;
      };
      for (let row = 0; row < grid; row++) {
        const labelRow = Math.floor(((row + 0.5) / grid) * labels.grid);
        for (let col = 0; col < grid; col++) {
          const cell = labelRow * labels.grid + Math.floor(((col + 0.5) / grid) * labels.grid);
          const at = (row * grid + col) * PERCEPTION_LABELS;
          const code = labels.instances[cell] ?? TABLE_CELL;
          if (code === TABLE_CELL) set(at, word('table'), TABLE_LABEL_WEIGHT);
          else if (code === ROBOT_CELL) set(at, word('gripper'));
          else {
            const object = labels.objects[code.charCodeAt(0) - 65];
            if (object === undefined) continue;
            set(at, word(object.category));
            set(at + 1, word(object.colour));
            const part = labels.parts[cell] ?? NO_PART_CELL;
            const partName = part === NO_PART_CELL ? undefined : object.parts[Number(part)];
            if (partName !== undefined) set(at + 2, word(partName));
          }
        }
      }
      return { labels: targets, weights };
    },
  };
}
