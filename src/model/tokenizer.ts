/**
 * The tokenizer of the small VLA model: a word-level vocabulary for instruction and rationale text (learned
 * from the training split, with a printable-ASCII character fallback so any ASCII text round-trips exactly),
 * coordinate tokens (uniform bins over [0, 1]) and a few special tokens.
 *
 * Text is cut into pieces by {@link splitPieces}: a run of letters, or a number (`12`, `0.42`), or any other
 * single character, each with at most one leading space; or a lone space. Joining the pieces gives the text
 * back, so `decodeText(encodeText(s)) === s` for every text made of known pieces and printable ASCII.
 */
import { z } from 'zod';

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
    coordinateBins: z.number().int().min(2).max(4096),
    /** Text pieces after the special and coordinate tokens, in id order. */
    pieces: z.array(z.string().min(1)),
  })
  .strict();
export type TokenizerJson = z.infer<typeof TokenizerJsonSchema>;

/** Options of {@link Tokenizer.train}. */
export interface TokenizerTrainOptions {
  /** Uniform coordinate bins over [0, 1]. Default 128. */
  readonly coordinateBins?: number;
  /** Keep pieces seen at least this often. Default 2. */
  readonly minCount?: number;
  /** At most this many learned pieces (most frequent first). Default 4000. */
  readonly maxPieces?: number;
}

/**
 * Word-level tokenizer with coordinate bins.
 *
 * @example
 * const tok = Tokenizer.train(['pick up the mug.', 'reach the mug.']);
 * tok.decodeText(tok.encodeText('pick the mug.')); // 'pick the mug.'
 * tok.coordinateToken(0.5) - tok.coordinateOffset; // 64 with 128 bins
 */
export class Tokenizer {
  readonly coordinateBins: number;
  readonly coordinateOffset = SPECIAL_TOKENS.length;
  readonly textOffset: number;
  readonly pieces: readonly string[];
  readonly #ids: Map<string, number>;

  constructor(json: TokenizerJson) {
    this.coordinateBins = json.coordinateBins;
    this.textOffset = this.coordinateOffset + json.coordinateBins;
    this.pieces = json.pieces;
    this.#ids = new Map(json.pieces.map((p, i) => [p, this.textOffset + i]));
    if (this.#ids.size !== json.pieces.length) throw new Error('tokenizer: duplicate pieces');
  }

  /** Learn the piece vocabulary from texts (instructions and rationales of the training split). */
  static train(texts: Iterable<string>, options: TokenizerTrainOptions = {}): Tokenizer {
    const minCount = options.minCount ?? 2;
    const maxPieces = options.maxPieces ?? 4000;
    const counts = new Map<string, number>();
    for (const text of texts) for (const p of splitPieces(text)) counts.set(p, (counts.get(p) ?? 0) + 1);
    const base = new Set(ASCII_PIECES);
    const learned = [...counts.entries()]
      .filter(([p, n]) => n >= minCount && !base.has(p))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxPieces)
      .map(([p]) => p);
    return new Tokenizer({ format: 'vla-r1-tokenizer/1', coordinateBins: options.coordinateBins ?? 128, pieces: [...ASCII_PIECES, ...learned] });
  }

  /** Restore from {@link Tokenizer.toJSON} output (validated). */
  static fromJSON(value: unknown): Tokenizer {
    return new Tokenizer(TokenizerJsonSchema.parse(value));
  }

  toJSON(): TokenizerJson {
    return { format: 'vla-r1-tokenizer/1', coordinateBins: this.coordinateBins, pieces: [...this.pieces] };
  }

  /** Total number of token ids. */
  get vocabSize(): number {
    return this.textOffset + this.pieces.length;
  }

  /** Encode text: known pieces as one token, unknown ones character by character (`<unk>` outside ASCII). */
  encodeText(text: string): number[] {
    const out: number[] = [];
    for (const piece of splitPieces(text)) {
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

  /** Decode text ids; special and coordinate ids are skipped, `<unk>` becomes U+FFFD. */
  decodeText(ids: Iterable<number>): string {
    let out = '';
    for (const id of ids) {
      if (this.isText(id)) out += this.pieces[id - this.textOffset] as string;
      else if (id === UNK) out += '\uFFFD';
    }
    return out;
  }

  /** The coordinate token of a value in [0, 1] (clipped): bin `floor(v · bins)`. */
  coordinateToken(value: number): number {
    const v = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
    return this.coordinateOffset + Math.min(this.coordinateBins - 1, Math.floor(v * this.coordinateBins));
  }

  /** The value of a coordinate token: its bin centre. */
  coordinateValue(id: number): number {
    if (!this.isCoordinate(id)) throw new Error(`token ${id} is not a coordinate`);
    return (id - this.coordinateOffset + 0.5) / this.coordinateBins;
  }

  /** A readable name for any id (debugging, tests). */
  tokenName(id: number): string {
    if (id >= 0 && id < SPECIAL_TOKENS.length) return SPECIAL_TOKENS[id] as string;
    if (this.isCoordinate(id)) return `<c${id - this.coordinateOffset}>`;
    if (this.isText(id)) return JSON.stringify(this.pieces[id - this.textOffset]);
    return `<?${id}>`;
  }
}
