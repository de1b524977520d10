/**
 * The tokenizer of the small VLA model: a word-level vocabulary for instruction and rationale text, with
 * phrase merges (BPE over word pieces, so templated phrases become one token), both learned from the training
 * split; a printable-ASCII character fallback so any ASCII text round-trips exactly; coordinate tokens
 * (uniform bins over [0, 1], one set for x and one for y); and a few special tokens.
 *
 * Text is cut into pieces by {@link splitPieces}: a run of letters, or a number (`12`, `0.42`), or any other
 * single character, each with at most one leading space; or a lone space. Learned merges then join adjacent
 * pieces (never numbers). Joining the tokens gives the text back, so `decodeText(encodeText(s)) === s` for
 * every text made of known pieces and printable ASCII.
 */
import { z } from 'zod';
import { MergeEncoder, learnMerges } from './phrase-merges.js';

/** Special tokens, always the first ids in this order. */
export const SPECIAL_TOKENS = ['<pad>', '<eos>', '<answer>', '<affordance>', '<trajectory>', '<unk>'] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

export const PAD = 0;
export const EOS = 1;
export const ANSWER = 2;
export const TASK_AFFORDANCE = 3;
export const TASK_TRAJECTORY = 4;
export const UNK = 5;

const PIECE_RE = / ?[A-Za-z]+| ?[0-9]+(?:\.[0-9]+)?| ?[^ A-Za-z0-9]| /gsu;

/**
 * Cut text into pieces whose concatenation is the text.
 *
 * @example
 * splitPieces('grasp the mug, at x 0.42.'); // ['grasp', ' the', ' mug', ',', ' at', ' x', ' 0.42', '.']
 */
export function splitPieces(text: string): string[] {
  return text.match(PIECE_RE) ?? [];
}

/** Every printable ASCII character as a piece (the fallback for unknown words). */
const ASCII_PIECES: readonly string[] = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

/** The serialised tokenizer (saved as `tokenizer.json` beside the weights). */
export const TokenizerJsonSchema = z
  .object({
    format: z.literal('vla-r1-tokenizer/1'),
    /** Bins per axis: ids `[x bins…, y bins…]` follow the special tokens. */
    coordinateBins: z.number().int().min(2).max(4096),
    /** Text pieces after the special and coordinate tokens, in id order. */
    pieces: z.array(z.string().min(1)),
    /** Phrase merges in rank order (each merged piece is in `pieces`). */
    merges: z.array(z.tuple([z.string().min(1), z.string().min(1)])).default([]),
  })
  .strict();
export type TokenizerJson = z.input<typeof TokenizerJsonSchema>;

/** Cut a piece sequence at pieces outside the vocabulary (those are spelt by character and never merged). */
function splitAtUnknown(seq: readonly string[], known: ReadonlySet<string>): string[][] {
  const out: string[][] = [[]];
  for (const p of seq) {
    if (known.has(p)) out[out.length - 1]?.push(p);
    else out.push([]);
  }
  return out.filter((s) => s.length > 1);
}

/** Options of {@link Tokenizer.train}. */
export interface TokenizerTrainOptions {
  /** Uniform coordinate bins over [0, 1]. Default 128. */
  readonly coordinateBins?: number;
  /** Keep pieces seen at least this often. Default 2. */
  readonly minCount?: number;
  /** At most this many learned pieces (most frequent first). Default 4000. */
  readonly maxPieces?: number;
  /** At most this many phrase merges. Default 0. */
  readonly maxMerges?: number;
  /** Merge only pairs seen at least this often. Default 20. */
  readonly mergeMinCount?: number;
  /** Texts to learn merges from (default: the same texts). */
  readonly mergeTexts?: Iterable<string>;
}

/** A coordinate axis. */
export type Axis = 'x' | 'y';

/**
 * Word-level tokenizer with coordinate bins.
 *
 * @example
 * const tok = Tokenizer.train(['pick up the mug.', 'reach the mug.']);
 * tok.decodeText(tok.encodeText('pick the mug.')); // 'pick the mug.'
 * tok.coordinateToken(0.5, 'x') - tok.coordinateOffset; // 64 with 128 bins
 */
export class Tokenizer {
  readonly coordinateBins: number;
  readonly coordinateOffset = SPECIAL_TOKENS.length;
  readonly textOffset: number;
  readonly pieces: readonly string[];
  readonly merges: readonly (readonly [string, string])[];
  readonly #ids: Map<string, number>;
  readonly #encoder: MergeEncoder;

  constructor(json: TokenizerJson) {
    const merges = json.merges ?? [];
    this.coordinateBins = json.coordinateBins;
    this.textOffset = this.coordinateOffset + 2 * json.coordinateBins;
    this.pieces = json.pieces;
    this.merges = merges;
    this.#ids = new Map(json.pieces.map((p, i) => [p, this.textOffset + i]));
    if (this.#ids.size !== json.pieces.length) throw new Error('tokenizer: duplicate pieces');
    const missing = merges.find(([a, b]) => !this.#ids.has(a + b));
    if (missing) throw new Error(`tokenizer: the merge ${JSON.stringify(missing)} makes a piece that is not in the vocabulary`);
    this.#encoder = new MergeEncoder(merges);
  }

  /** Learn the piece vocabulary from texts (instructions and rationales of the training split). */
  static train(texts: Iterable<string>, options: TokenizerTrainOptions = {}): Tokenizer {
    const minCount = options.minCount ?? 2;
    const maxPieces = options.maxPieces ?? 4000;
    const sequences = [...texts].map(splitPieces);
    const counts = new Map<string, number>();
    for (const seq of sequences) for (const p of seq) counts.set(p, (counts.get(p) ?? 0) + 1);
    const base = new Set(ASCII_PIECES);
    const learned = [...counts.entries()]
      .filter(([p, n]) => n >= minCount && !base.has(p))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxPieces)
      .map(([p]) => p);
    const known = new Set([...ASCII_PIECES, ...learned]);
    const merges =
      (options.maxMerges ?? 0) > 0
        ? learnMerges((options.mergeTexts ? [...options.mergeTexts].map(splitPieces) : sequences).flatMap((seq) => splitAtUnknown(seq, known)), {
            maxMerges: options.maxMerges ?? 0,
            minCount: options.mergeMinCount ?? 20,
          })
        : [];
    const merged = merges.map(([a, b]) => a + b).filter((p) => !known.has(p));
    return new Tokenizer({
      format: 'vla-r1-tokenizer/1',
      coordinateBins: options.coordinateBins ?? 128,
      pieces: [...ASCII_PIECES, ...learned, ...new Set(merged)],
      merges,
    });
  }

  /** Restore from {@link Tokenizer.toJSON} output (validated). */
  static fromJSON(value: unknown): Tokenizer {
    return new Tokenizer(TokenizerJsonSchema.parse(value));
  }

  toJSON(): TokenizerJson {
    return {
      format: 'vla-r1-tokenizer/1',
      coordinateBins: this.coordinateBins,
      pieces: [...this.pieces],
      merges: this.merges.map(([a, b]) => [a, b] as [string, string]),
    };
  }

  /** Total number of token ids. */
  get vocabSize(): number {
    return this.textOffset + this.pieces.length;
  }

  /**
   * Encode text: pieces (merged where a learned merge applies, unless `merges` is false) as one token,
   * unknown pieces character by character (`<unk>` outside ASCII).
   */
  encodeText(text: string, options: { merges?: boolean } = {}): number[] {
    const out: number[] = [];
    const pieces = splitPieces(text);
    for (const piece of options.merges === false ? pieces : this.#encoder.apply(pieces)) {
      const id = this.#ids.get(piece);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const ch of piece) out.push(this.#ids.get(ch) ?? UNK);
    }
    return out;
  }

  /** True for ids of text pieces. */
  isText(id: number): boolean {
    return id >= this.textOffset && id < this.vocabSize;
  }

  /** True for coordinate ids. */
  isCoordinate(id: number): boolean {
    return id >= this.coordinateOffset && id < this.textOffset;
  }

  /**
   * Decode text ids; a coordinate id reads as the number of a rationale (` 0.29`: a space and its bin's lower
   * edge with 2 decimals, see {@link rationaleCoordinateToken}), other special ids are skipped, `<unk>`
   * becomes U+FFFD.
   */
  decodeText(ids: Iterable<number>): string {
    let out = '';
    for (const id of ids) {
      if (this.isText(id)) out += this.pieces[id - this.textOffset] as string;
      else if (this.isCoordinate(id)) out += ` ${(this.#binOf(id) / this.coordinateBins).toFixed(2)}`;
      else if (id === UNK) out += '\uFFFD';
    }
    return out;
  }

  /**
   * The coordinate token standing for a number written in a rationale (`x 0.29`): the bin whose lower edge
   * the number is, so that with 100 bins a 2-decimal number decodes back to itself.
   *
   * @example
   * tok.decodeText([tok.rationaleCoordinateToken(0.29, 'x')]); // ' 0.29' (100 bins)
   */
  rationaleCoordinateToken(value: number, axis: Axis): number {
    return this.#tokenOfBin(Math.min(this.coordinateBins - 1, Math.max(0, Math.floor(value * this.coordinateBins + 1e-9))), axis);
  }

  /** The bin of a value in [0, 1] (clipped): `floor(v · bins)`. */
  coordinateBin(value: number): number {
    const v = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
    return Math.min(this.coordinateBins - 1, Math.floor(v * this.coordinateBins));
  }

  /** The coordinate token of a value on an axis. */
  coordinateToken(value: number, axis: Axis): number {
    return this.#tokenOfBin(this.coordinateBin(value), axis);
  }

  /** The coordinate id of a bin on an axis. */
  #tokenOfBin(bin: number, axis: Axis): number {
    return this.coordinateOffset + (axis === 'y' ? this.coordinateBins : 0) + bin;
  }

  /** The bin of a coordinate id (either axis). */
  #binOf(id: number): number {
    return (id - this.coordinateOffset) % this.coordinateBins;
  }

  /** The axis of a coordinate token. */
  coordinateAxis(id: number): Axis {
    if (!this.isCoordinate(id)) throw new Error(`token ${id} is not a coordinate`);
    return id - this.coordinateOffset < this.coordinateBins ? 'x' : 'y';
  }

  /** The value of a coordinate token: its bin centre. */
  coordinateValue(id: number): number {
    if (!this.isCoordinate(id)) throw new Error(`token ${id} is not a coordinate`);
    return (this.#binOf(id) + 0.5) / this.coordinateBins;
  }

  /** A readable name for any id (debugging, tests). */
  tokenName(id: number): string {
    if (id >= 0 && id < SPECIAL_TOKENS.length) return SPECIAL_TOKENS[id] as string;
    if (this.isCoordinate(id)) return `<${this.coordinateAxis(id)}${this.#binOf(id)}>`;
    if (this.isText(id)) return JSON.stringify(this.pieces[id - this.textOffset]);
    return `<?${id}>`;
  }
}
