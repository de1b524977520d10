import { centreToCorners, centreToCornersInto } from '../protocol/boxes.js';
import { parseNumberPairs, parseNumberRecord, type PairBuffer } from '../protocol/numberPayloads.js';
import { INVALID_JSON, tryParsePythonJson } from '../protocol/pythonJson.js';
import { tryPythonFloat } from '../protocol/pythonFloat.js';
import { isPythonSpace } from '../protocol/pythonText.js';
import type { ContentRange } from '../protocol/tagBlocks.js';
import type { CornerBox } from '../protocol/types.js';
import { findOutputContent, findOutputOpen } from './answerTags.js';
import { readAsciiBox, readAsciiBoxBlock, readAsciiPairs, readAsciiPairsBlock } from './asciiPayload.js';
import { DECLINED, NOT_JSON, parseLikePython } from './parseLikePython.js';

/** The official `_is_bbox`: a JSON object having keys x, y, width and height (extra keys allowed, values unchecked). */
export function isBoxPayload(value: unknown): value is Record<'x' | 'y' | 'width' | 'height', unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, 'x') &&
    Object.hasOwn(value, 'y') &&
    Object.hasOwn(value, 'width') &&
    Object.hasOwn(value, 'height')
  );
}

/** The official `_is_traj2d`: an array whose every element is an array of length 2 (so `[]` qualifies). */
export function isTrajectoryPayload(value: unknown): value is (readonly [unknown, unknown])[] {
  if (!Array.isArray(value)) return false;
  for (const point of value) if (!Array.isArray(point) || point.length !== 2) return false;
  return true;
}

/**
 * The official `_xywhc_to_xyxy`: numbers read with Python `float()` semantics, centre form to corners clipped
 * to [0, 1]; `undefined` where Python's `float()` would raise (or, with `requireFinite`, on a NaN or infinity).
 *
 * @example
 * readBoxPayload({ x: '0.5', y: 0.5, width: 0.2, height: true }); // {x1: 0.4, y1: 0, x2: 0.6, y2: 1}
 */
export function readBoxPayload(
  value: Record<'x' | 'y' | 'width' | 'height', unknown>,
  requireFinite = false,
): CornerBox | undefined {
  return boxCorners(tryPythonFloat(value.x), tryPythonFloat(value.y), tryPythonFloat(value.width), tryPythonFloat(value.height), requireFinite);
}

function boxCorners(
  x: number | undefined,
  y: number | undefined,
  width: number | undefined,
  height: number | undefined,
  requireFinite: boolean,
): CornerBox | undefined {
  if (x === undefined || y === undefined || width === undefined || height === undefined) return undefined;
  if (requireFinite && !(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(width) && Number.isFinite(height))) {
    return undefined;
  }
  return centreToCorners({ x, y, width, height });
}

/**
 * Which payloads {@link OutputPayload.read} reads: `'any'`; only a `'box'` or only a `'trajectory'` (a payload
 * that cannot be one, because its JSON text does not start with `{` or `[`, is left unread, as absent); or
 * `'none'` (nothing is read). The reward reads the ground truth only in the shape the prediction has: no other
 * shape can change the score.
 */
export type WantedPayload = 'any' | 'box' | 'trajectory' | 'none';

/**
 * The `<output>` payload of a text as the reward needs it, in reusable storage. The two common shapes are read
 * without building JSON values: `pairs` ≥ 0 means an array of number pairs, stored interleaved in `buffer.data`;
 * `numericBox` means an object of numbers with the four box keys, stored in `boxValues` (x, y, width, height;
 * also where {@link cornersInto} puts the numbers of a box read as JSON values). Otherwise `value` is the parsed
 * payload, `undefined` for none (no block, bad JSON, or `null`, as in the official code).
 */
export class OutputPayload {
  readonly buffer: PairBuffer = { data: new Float64Array(32) };
  readonly boxValues = new Float64Array(4);
  pairs = -1;
  numericBox = false;
  value: unknown = undefined;
  private readonly range: ContentRange = { start: 0, end: 0 };

  /**
   * Read the first `<output>` block of `text`; with `wanted` other than `'any'`, only a payload that can have
   * that shape (see {@link WantedPayload}; anything else is left absent).
   */
  read(text: string, wanted: WantedPayload = 'any'): this {
    this.pairs = -1;
    this.numericBox = false;
    this.value = undefined;
    if (wanted === 'none') return this;
    // The usual payload: read from the start of the block's content up to its closing tag in one scan.
    const contentStart = findOutputOpen(text);
    if (contentStart < 0) return this;
    let at = contentStart;
    while (at < text.length && isPythonSpace(text.charCodeAt(at))) at++;
    const token = text.charCodeAt(at);
    // JSON whitespace is Python whitespace, so the stripped payload starts with its first token
    if (wanted === 'box' ? token !== 0x7b /* { */ : wanted === 'trajectory' && token !== 0x5b /* [ */) return this;
    if (token === 0x5b /* [ */) {
      this.pairs = readAsciiPairsBlock(text, at, this.buffer);
      if (this.pairs >= 0) return this;
    } else if (token === 0x7b /* { */) {
      this.numericBox = readAsciiBoxBlock(text, at, this.boxValues);
      if (this.numericBox) return this;
    }
    // Anything else: the block's content, then the readers from the most to the least specific.
    const range = this.range;
    if (!findOutputContent(text, range)) return this;
    const { start, end } = range;
    const first = text.charCodeAt(start);
    if (first === 0x5b /* [ */) {
      this.pairs = readAsciiPairs(text, start, end, this.buffer);
      if (this.pairs < 0) this.pairs = parseNumberPairs(text, this.buffer, start, end);
      if (this.pairs >= 0) return this;
    } else if (first === 0x7b /* { */) {
      this.numericBox = readAsciiBox(text, start, end, this.boxValues) || parseNumberRecord(text, this.boxValues, start, end);
      if (this.numericBox) return this;
    }
    const payload = text.slice(start, end);
    // Both readers signal bad JSON with an exception; without a stack trace to capture it costs far less.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let value: unknown;
    try {
      value = parseLikePython(payload);
      if (value === DECLINED) value = tryParsePythonJson(payload);
      else if (value === NOT_JSON) value = INVALID_JSON;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.value = value === null || value === INVALID_JSON ? undefined : value;
    return this;
  }

  /** Whether there is a payload (the official `_extract_output(...) is not None`). */
  get present(): boolean {
    return this.pairs >= 0 || this.numericBox || this.value !== undefined;
  }

  /** Whether the payload is a box for the official `_is_bbox`. */
  get isBox(): boolean {
    return this.numericBox || isBoxPayload(this.value);
  }

  /** The box as clipped corners (`_xywhc_to_xyxy`), `undefined` where Python's `float()` would raise (or a
   * non-finite value with `requireFinite`). Only valid when {@link isBox}. */
  corners(requireFinite = false): CornerBox | undefined {
    if (!this.numericBox) return readBoxPayload(this.value as Record<'x' | 'y' | 'width' | 'height', unknown>, requireFinite);
    const v = this.boxValues;
    return boxCorners(v[0], v[1], v[2], v[3], requireFinite);
  }

  /**
   * {@link corners} into `out[at..at + 4)` (x1, y1, x2, y2), making no objects; false (and `out` untouched)
   * where `corners` gives `undefined`. Only valid when {@link isBox}. A box read as JSON values has its numbers
   * stored in `boxValues` first.
   *
   * @example
   * const c = new Float64Array(4);
   * new OutputPayload().read('<output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.4}</output>').cornersInto(c, 0); // true, c ≈ [0.4, 0.3, 0.6, 0.7]
   */
  cornersInto(out: Float64Array, at: number, requireFinite = false): boolean {
    const v = this.boxValues;
    if (!this.numericBox) {
      const value = this.value as Record<'x' | 'y' | 'width' | 'height', unknown>;
      const x = tryPythonFloat(value.x);
      const y = tryPythonFloat(value.y);
      const width = tryPythonFloat(value.width);
      const height = tryPythonFloat(value.height);
      if (x === undefined || y === undefined || width === undefined || height === undefined) return false;
      v[0] = x;
      v[1] = y;
      v[2] = width;
      v[3] = height;
    }
    if (requireFinite && !(Number.isFinite(v[0]) && Number.isFinite(v[1]) && Number.isFinite(v[2]) && Number.isFinite(v[3]))) {
      return false;
    }
    centreToCornersInto(v, out, at);
    return true;
  }

  /** Whether the payload is a trajectory for the official `_is_traj2d`. */
  get isTrajectory(): boolean {
    return this.pairs >= 0 || isTrajectoryPayload(this.value);
  }

  /**
   * The official `_parse_traj` into `buffer.data`: every coordinate read with `float()` and clipped to [0, 1];
   * returns the number of points, or −1 where Python's `float()` would raise (or, with `requireFinite`, on a
   * NaN or infinity). Only valid when {@link isTrajectory}.
   */
  clippedTrajectory(requireFinite = false): number {
    if (this.pairs < 0 && !this.fromValue()) return -1;
    const data = this.buffer.data;
    for (let k = 0; k < 2 * this.pairs; k++) {
      const v = data[k]!;
      if (requireFinite && !Number.isFinite(v)) return -1;
      data[k] = v < 0 ? 0 : v > 1 ? 1 : v; // clip01, written out: this runs for every coordinate
    }
    return this.pairs;
  }

  private fromValue(): boolean {
    const points = this.value as readonly (readonly [unknown, unknown])[];
    if (this.buffer.data.length < 2 * points.length) this.buffer.data = new Float64Array(2 * points.length);
    const data = this.buffer.data;
    for (let i = 0; i < points.length; i++) {
      const [x, y] = points[i]!;
      const fx = tryPythonFloat(x);
      const fy = tryPythonFloat(y);
      if (fx === undefined || fy === undefined) return false;
      data[2 * i] = fx;
      data[2 * i + 1] = fy;
    }
    this.pairs = points.length;
    return true;
  }
}
