/**
 * Image decoding and resizing (sharp), and encoded images for policies.
 *
 * Pixel layout: decoded images are 8-bit **RGB, interleaved (HWC), row-major, top row first**; alpha is composited
 * onto `background` (default black) and greyscale is expanded to RGB. EXIF orientation is **not** applied: pixel
 * (0, 0) is the first stored pixel, the same frame the dataset coordinates and `readImageSize` refer to.
 *
 * Resizing (`fit`):
 * - `stretch`: scale x and y independently to the target size. Normalised answer coordinates are unchanged.
 * - `letterbox`: scale by one factor `s = min(W / w, H / h)` so the whole image fits, to
 *   `round(w·s) × round(h·s)`, centred (left/top padding `floor(slack / 2)`) on a `background` canvas. The returned
 *   {@link ImageTransform} maps normalised coordinates between the original and the resized image
 *   ({@link toResizedCoordinates}, {@link fromResizedCoordinates}).
 * The resampling kernel is sharp's default (Lanczos-3).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Sharp, SharpConstructor } from 'sharp';
import { UserError } from '../errors.js';
import type { PolicyImage } from '../policy/types.js';
import type { Point } from '../protocol/types.js';

/** An image file path or encoded image bytes (PNG, JPEG, WebP, … anything sharp decodes). */
export type ImageSource = string | Uint8Array;

/** How an image is brought to a target size: see the module documentation. */
export type ResizeFit = 'stretch' | 'letterbox';

/** 8-bit RGB pixels, interleaved (HWC), row-major. `data.length === width * height * 3`. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Where the original image landed in the resized one, in pixels of the resized image: the original spans
 * `[offsetX, offsetX + contentWidth) × [offsetY, offsetY + contentHeight)`.
 */
export interface ImageTransform {
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly width: number;
  readonly height: number;
  readonly offsetX: number;
  readonly offsetY: number;
  readonly contentWidth: number;
  readonly contentHeight: number;
}

/** Options of {@link decodeRgb}. */
export interface DecodeOptions {
  /** Target size; the original size when left out. */
  readonly width?: number;
  readonly height?: number;
  /** Default `stretch`. */
  readonly fit?: ResizeFit;
  /** Padding and alpha background, RGB 0–255. Default black. */
  readonly background?: readonly [number, number, number];
}

async function loadSharp(): Promise<SharpConstructor> {
  return (await import('sharp')).default;
}

function sourceName(source: ImageSource): string {
  return typeof source === 'string' ? source : 'image bytes';
}

async function sharpOf(source: ImageSource): Promise<Sharp> {
  const sharp = await loadSharp();
  if (typeof source === 'string') return sharp(source, { failOn: 'error' });
  return sharp(source, { failOn: 'error' });
}

/**
 * Whether sharp's `error` on the image file `path` means that the file is not there. libvips does not always
 * say "missing" for a file that is not there (it may call it an unsupported format), so existence is asked
 * directly.
 *
 * @example
 * isMissingImageError('/no/such.png', new Error('Input file contains unsupported image format')); // true
 */
export function isMissingImageError(path: string, error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return !existsSync(path) || /missing|no such file|ENOENT/i.test(message);
}

function decodeError(source: ImageSource, error: unknown): UserError {
  if (typeof source === 'string' && isMissingImageError(source, error)) return new UserError(`${source}: image not found`);
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(`${sourceName(source)}: cannot decode image: ${message}`);
}

/**
 * The pixel size of an image, read from its header.
 *
 * @throws UserError when the file is missing or not an image.
 * @example
 * await readImageSize('test/fixtures/official-samples/affordance-640x480.png'); // { width: 640, height: 480 }
 */
export async function readImageSize(source: ImageSource): Promise<{ width: number; height: number }> {
  try {
    const meta = await (await sharpOf(source)).metadata();
    if (meta.width === undefined || meta.height === undefined) throw new Error('no size in the image header');
    return { width: meta.width, height: meta.height };
  } catch (error: unknown) {
    throw decodeError(source, error);
  }
}

/**
 * The letterbox placement of a `sourceWidth × sourceHeight` image in a `width × height` canvas.
 *
 * @example
 * letterboxTransform(640, 480, 64, 64);
 * // { sourceWidth: 640, sourceHeight: 480, width: 64, height: 64, offsetX: 0, offsetY: 8, contentWidth: 64, contentHeight: 48 }
 */
export function letterboxTransform(sourceWidth: number, sourceHeight: number, width: number, height: number): ImageTransform {
  const scale = Math.min(width / sourceWidth, height / sourceHeight);
  const contentWidth = Math.max(1, Math.min(width, Math.round(sourceWidth * scale)));
  const contentHeight = Math.max(1, Math.min(height, Math.round(sourceHeight * scale)));
  return {
    sourceWidth,
    sourceHeight,
    width,
    height,
    offsetX: Math.floor((width - contentWidth) / 2),
    offsetY: Math.floor((height - contentHeight) / 2),
    contentWidth,
    contentHeight,
  };
}

function stretchTransform(sourceWidth: number, sourceHeight: number, width: number, height: number): ImageTransform {
  return { sourceWidth, sourceHeight, width, height, offsetX: 0, offsetY: 0, contentWidth: width, contentHeight: height };
}

/**
 * Map a point in normalised coordinates of the original image to normalised coordinates of the resized image.
 *
 * @example
 * toResizedCoordinates([0.5, 0], letterboxTransform(640, 480, 64, 64)); // [0.5, 0.125]
 */
export function toResizedCoordinates(point: Point, t: ImageTransform): Point {
  return [(t.offsetX + point[0] * t.contentWidth) / t.width, (t.offsetY + point[1] * t.contentHeight) / t.height];
}

/**
 * Map a point in normalised coordinates of the resized image back to the original image (the inverse of
 * {@link toResizedCoordinates}).
 *
 * @example
 * fromResizedCoordinates([0.5, 0.125], letterboxTransform(640, 480, 64, 64)); // [0.5, 0]
 */
export function fromResizedCoordinates(point: Point, t: ImageTransform): Point {
  return [(point[0] * t.width - t.offsetX) / t.contentWidth, (point[1] * t.height - t.offsetY) / t.contentHeight];
}

/**
 * Decode an image to 8-bit RGB (HWC), optionally resized (see the module documentation for `stretch` and
 * `letterbox`), with the transform from original to resized pixels.
 *
 * @throws UserError naming the file when it is missing or cannot be decoded.
 * @example
 * const { image, transform } = await decodeRgb('scene.png', { width: 64, height: 64, fit: 'letterbox' });
 * image.data.length; // 64 * 64 * 3
 */
export async function decodeRgb(source: ImageSource, options: DecodeOptions = {}): Promise<{ image: RgbImage; transform: ImageTransform }> {
  const [r, g, b] = options.background ?? [0, 0, 0];
  const background = { r, g, b, alpha: 1 };
  try {
    const size = await readImageSize(source);
    const width = options.width ?? size.width;
    const height = options.height ?? size.height;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new UserError(`image size must be positive integers, got ${width}×${height}`);
    }
    const fit = options.fit ?? 'stretch';
    const transform =
      fit === 'letterbox' ? letterboxTransform(size.width, size.height, width, height) : stretchTransform(size.width, size.height, width, height);
    let pipeline = (await sharpOf(source)).flatten({ background }).toColourspace('srgb');
    if (transform.contentWidth !== size.width || transform.contentHeight !== size.height) {
      pipeline = pipeline.resize(transform.contentWidth, transform.contentHeight, { fit: 'fill' });
    }
    if (transform.contentWidth !== width || transform.contentHeight !== height) {
      // Resize and extend are separate stages in sharp's pipeline; materialise the resize first.
      const resized = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const sharp = await loadSharp();
      pipeline = sharp(resized.data, { raw: { width: resized.info.width, height: resized.info.height, channels: resized.info.channels } }).extend({
        left: transform.offsetX,
        top: transform.offsetY,
        right: width - transform.contentWidth - transform.offsetX,
        bottom: height - transform.contentHeight - transform.offsetY,
        background,
      });
    }
    const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== width || info.height !== height) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`);
    }
    return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height }, transform };
  } catch (error: unknown) {
    if (error instanceof UserError) throw error;
    throw decodeError(source, error);
  }
}

/**
 * RGB bytes as floats in [0, 1] (`value / 255`), interleaved (`hwc`, the default) or planar (`chw`).
 *
 * @example
 * rgbToFloat32({ data: new Uint8Array([255, 0, 51]), width: 1, height: 1 }); // Float32Array [1, 0, 0.2]
 */
export function rgbToFloat32(image: RgbImage, layout: 'hwc' | 'chw' = 'hwc'): Float32Array {
  const { data, width, height } = image;
  const out = new Float32Array(width * height * 3);
  if (layout === 'hwc') {
    for (let i = 0; i < out.length; i++) out[i] = (data[i] ?? 0) / 255;
    return out;
  }
  const plane = width * height;
  for (let p = 0; p < plane; p++) {
    out[p] = (data[3 * p] ?? 0) / 255;
    out[plane + p] = (data[3 * p + 1] ?? 0) / 255;
    out[2 * plane + p] = (data[3 * p + 2] ?? 0) / 255;
  }
  return out;
}

/**
 * Decode and resize straight to floats in [0, 1]: {@link decodeRgb} then {@link rgbToFloat32}.
 *
 * @example
 * const { pixels } = await loadImageFloat32('scene.png', { width: 64, height: 64, fit: 'stretch' }, 'chw');
 * pixels.length; // 3 * 64 * 64
 */
export async function loadImageFloat32(
  source: ImageSource,
  options: DecodeOptions = {},
  layout: 'hwc' | 'chw' = 'hwc',
): Promise<{ pixels: Float32Array; width: number; height: number; transform: ImageTransform }> {
  const { image, transform } = await decodeRgb(source, options);
  return { pixels: rgbToFloat32(image, layout), width: image.width, height: image.height, transform };
}

/**
 * The MIME type of PNG or JPEG bytes from their signature, or `undefined` for anything else.
 *
 * @example
 * sniffImageMime(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])); // 'image/png'
 */
export function sniffImageMime(bytes: Uint8Array): 'image/png' | 'image/jpeg' | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/**
 * An image as a policy receives it: PNG and JPEG files are passed through byte for byte; other formats sharp can
 * read (WebP, TIFF, GIF, …) are re-encoded as PNG.
 *
 * @throws UserError naming the file when it is missing or not an image.
 * @example
 * const image = await readPolicyImage('test/fixtures/official-samples/trajectory-424x240.png');
 * image.mimeType; // 'image/png'
 */
export async function readPolicyImage(source: ImageSource): Promise<PolicyImage> {
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = new Uint8Array(await readFile(source));
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${source}: image not found`);
      throw new UserError(`${source}: cannot read image: ${(error as Error).message}`);
    }
  } else {
    bytes = source;
  }
  const mimeType = sniffImageMime(bytes);
  if (mimeType !== undefined) return { bytes, mimeType };
  try {
    const sharp = await loadSharp();
    const png = await sharp(bytes, { failOn: 'error' }).png().toBuffer();
    return { bytes: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), mimeType: 'image/png' };
  } catch (error: unknown) {
    throw decodeError(source, error);
  }
}

/**
 * Encode RGB pixels as PNG (lossless, the default) or JPEG (quality 90) for a policy.
 *
 * @example
 * const image = await encodeRgb({ data: new Uint8Array(4 * 4 * 3), width: 4, height: 4 });
 * image.mimeType; // 'image/png'
 */
export async function encodeRgb(image: RgbImage, mimeType: PolicyImage['mimeType'] = 'image/png'): Promise<PolicyImage> {
  const sharp = await loadSharp();
  const base = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  const out = mimeType === 'image/png' ? await base.png().toBuffer() : await base.jpeg({ quality: 90 }).toBuffer();
  return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength), mimeType };
}
