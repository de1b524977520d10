/**
 * Coordinate conventions of model answers, and their conversion to the normalised [0, 1] convention the
 * metrics and rewards score.
 *
 * VLA-R1 answers in [0, 1] of the image (`normalized`, the default). Other VLMs prompted with the same official
 * suffix often answer in their own habits:
 *
 * - `pixels`: absolute pixels **of the resized image the model saw**. Qwen2.5-VL grounds in absolute
 *   coordinates of its input after "smart resize" ({@link smartResize}): each side rounded to a multiple of 28
 *   (patch 14 × merge 2), then scaled so that the area lies within [min_pixels, max_pixels]. Defaults are those
 *   of `qwen_vl_utils` and the Qwen2.5-VL preprocessor config: min 4·28² = 3136, max 16384·28² = 12 845 056.
 *   A server started with other `min_pixels` / `max_pixels` (vLLM `--mm-processor-kwargs`) needs the same
 *   values here (`--min-pixels`, `--max-pixels`). Small images (e.g. 640×480 → 644×476) barely move; large ones
 *   shrink a lot, so using the original size instead would be wrong.
 * - `thousand`: relative coordinates on a 0–1000 grid (Qwen2-VL, Qwen3-VL, RoboBrain): divided by 1000.
 *
 * Conversion divides x and width by the frame width, y and height by the frame height, and every trajectory
 * point likewise; the box keeps the official centre meaning of (x, y). The converted answer text is the
 * original with its first `<output>` block re-written in the official format, so the same parser scores it.
 */
import type { ImageSize } from '../policy/image.js';
import { pythonFloat } from '../protocol/pythonFloat.js';
import { parsePythonJson } from '../protocol/pythonJson.js';
import { blockContent, findOutputBlock } from '../protocol/tagBlocks.js';
import type { Action } from '../protocol/types.js';

/** How a model writes coordinates. */
export type CoordinateConvention = 'normalized' | 'pixels' | 'thousand';

/** All conventions, for flag validation. */
export const COORDINATE_CONVENTIONS: readonly CoordinateConvention[] = ['normalized', 'pixels', 'thousand'];

/** The resize rule of a Qwen-VL image processor. */
export interface ResizeRule {
  /** Side lengths are multiples of this (patch size × spatial merge; 28 for Qwen2/2.5-VL). */
  readonly factor: number;
  readonly minPixels: number;
  readonly maxPixels: number;
}

/** Qwen2.5-VL (and Qwen2-VL) defaults of `qwen_vl_utils` / the HF preprocessor config. */
export const QWEN25_VL_RESIZE: ResizeRule = { factor: 28, minPixels: 4 * 28 * 28, maxPixels: 16384 * 28 * 28 };

/** The coordinate convention of a policy's answers. */
export interface CoordinateScale {
  readonly convention: CoordinateConvention;
  /** For `pixels`: the resize the model's processor applied (default {@link QWEN25_VL_RESIZE}). */
  readonly resize?: ResizeRule;
}

/** The default: answers already in [0, 1]. */
export const NORMALIZED: CoordinateScale = { convention: 'normalized' };

/**
 * Python 3 `round()` to an integer: halves go to the even neighbour (`round(2.5) == 2`).
 *
 * @example
 * pythonRound(2.5); // 2
 * pythonRound(3.5); // 4
 * pythonRound(-1.5); // -2
 */
export function pythonRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Qwen2.5-VL's `smart_resize` (qwen_vl_utils): the size of the image the model actually sees.
 *
 * `h = max(f, round(H/f)·f)`, `w = max(f, round(W/f)·f)` (Python rounding); if `h·w > max`:
 * `β = √(H·W/max)`, `h = floor(H/β/f)·f`, `w = floor(W/β/f)·f`; else if `h·w < min`: `β = √(min/(H·W))`,
 * `h = ceil(H·β/f)·f`, `w = ceil(W·β/f)·f`. Aspect ratios above 200 are rejected, as in Python.
 *
 * @example
 * smartResize({ width: 640, height: 480 }); // { width: 644, height: 476 }
 * smartResize({ width: 424, height: 240 }); // { width: 420, height: 252 }
 */
export function smartResize(size: ImageSize, rule: ResizeRule = QWEN25_VL_RESIZE): ImageSize {
  const { width, height } = size;
  const { factor, minPixels, maxPixels } = rule;
  if (!(width > 0 && height > 0)) throw new RangeError(`smartResize: bad image size ${width}x${height}`);
  if (Math.max(width, height) / Math.min(width, height) > 200) {
    throw new RangeError(`smartResize: absolute aspect ratio must be smaller than 200, got ${width}x${height}`);
  }
  let h = Math.max(factor, pythonRound(height / factor) * factor);
  let w = Math.max(factor, pythonRound(width / factor) * factor);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.floor(height / beta / factor) * factor;
    w = Math.floor(width / beta / factor) * factor;
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { width: w, height: h };
}

/**
 * The size of the coordinate frame answers are written in: 1×1 for `normalized`, 1000×1000 for `thousand`, the
 * smart-resized image for `pixels` (which needs the original image size).
 *
 * @example
 * answerFrame({ convention: 'pixels' }, { width: 640, height: 480 }); // { width: 644, height: 476 }
 */
export function answerFrame(scale: CoordinateScale, imageSize?: ImageSize): ImageSize {
  switch (scale.convention) {
    case 'normalized':
      return { width: 1, height: 1 };
    case 'thousand':
      return { width: 1000, height: 1000 };
    case 'pixels':
      if (!imageSize) throw new Error('answerFrame: the pixels convention needs the image size');
      return smartResize(imageSize, scale.resize ?? QWEN25_VL_RESIZE);
  }
}

/** A coordinate read the way Python's `float()` reads it (numbers, booleans, numeric strings); else undefined. */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'object' || value === undefined) return undefined;
  try {
    const x = pythonFloat(value);
    return Number.isFinite(x) ? x : undefined;
  } catch {
    return undefined;
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function formatNumber(x: number): string {
  const text = String(round6(x));
  return /[.eE]/.test(text) || !Number.isFinite(x) ? text : `${text}.0`;
}

/**
 * An action written in a coordinate frame (the inverse of {@link scalePayload}): the official 6-decimal JSON
 * with coordinates multiplied by the frame size. With a 1×1 frame it is `formatAction`'s text.
 *
 * @example
 * actionInFrame({ kind: 'trajectory', points: [[0.5, 0.25]] }, { width: 1000, height: 1000 }); // '[[500.0, 250.0]]'
 */
export function actionInFrame(action: Action, frame: ImageSize): string {
  if (action.kind === 'trajectory') {
    return `[${action.points.map(([x, y]) => `[${formatNumber(x * frame.width)}, ${formatNumber(y * frame.height)}]`).join(', ')}]`;
  }
  const { x, y, width, height } = action.box;
  return `{"x": ${formatNumber(x * frame.width)}, "y": ${formatNumber(y * frame.height)}, "width": ${formatNumber(width * frame.width)}, "height": ${formatNumber(height * frame.height)}}`;
}

/**
 * Divide the coordinates of an `<output>` payload by the frame: a box object (`x`, `width` by the width; `y`,
 * `height` by the height) or a trajectory (`[[x, y], …]`), written back in the official 6-decimal format.
 * Returns `undefined` when the payload is neither shape with numeric coordinates (it is then left as is and
 * scored as it stands).
 *
 * @example
 * scalePayload({ x: 322, y: 238, width: 64.4, height: 47.6 }, { width: 644, height: 476 });
 * // '{"x": 0.5, "y": 0.5, "width": 0.1, "height": 0.1}'
 * scalePayload([[500, 250], [750, 1000]], { width: 1000, height: 1000 }); // '[[0.5, 0.25], [0.75, 1.0]]'
 */
export function scalePayload(payload: unknown, frame: ImageSize): string | undefined {
  if (Array.isArray(payload)) {
    const points: string[] = [];
    for (const point of payload) {
      if (!Array.isArray(point) || point.length !== 2) return undefined;
      const x = numeric(point[0]);
      const y = numeric(point[1]);
      if (x === undefined || y === undefined) return undefined;
      points.push(`[${formatNumber(x / frame.width)}, ${formatNumber(y / frame.height)}]`);
    }
    return `[${points.join(', ')}]`;
  }
  if (typeof payload === 'object' && payload !== null) {
    const box = payload as Record<string, unknown>;
    const x = numeric(box.x);
    const y = numeric(box.y);
    const width = numeric(box.width);
    const height = numeric(box.height);
    if (x === undefined || y === undefined || width === undefined || height === undefined) return undefined;
    return `{"x": ${formatNumber(x / frame.width)}, "y": ${formatNumber(y / frame.height)}, "width": ${formatNumber(width / frame.width)}, "height": ${formatNumber(height / frame.height)}}`;
  }
  return undefined;
}

/**
 * An answer text with its coordinates converted to [0, 1]: the first `<output>` block is re-written with
 * {@link scalePayload} (found and parsed exactly as the official reward does); everything else (the `<think>` text) is kept. Texts in the `normalized` convention, and
 * texts without a convertible payload, are returned unchanged.
 *
 * @example
 * normalizeAnswerText('<think>…</think> so, the answer is <output>[[500, 500], [250, 1000]]</output>', { convention: 'thousand' });
 * // '<think>…</think> so, the answer is <output>[[0.5, 0.5], [0.25, 1.0]]</output>'
 */
export function normalizeAnswerText(text: string, scale: CoordinateScale, imageSize?: ImageSize): string {
  if (scale.convention === 'normalized') return text;
  const block = findOutputBlock(text);
  if (block === undefined) return text;
  let payload: unknown;
  try {
    payload = parsePythonJson(blockContent(text, block));
  } catch {
    return text;
  }
  const scaled = scalePayload(payload, answerFrame(scale, imageSize));
  if (scaled === undefined) return text;
  return `${text.slice(0, block.start)}<output>${scaled}</output>${text.slice(block.end)}`;
}
