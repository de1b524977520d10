/**
 * Loading dataset images for policies: PNG and JPEG bytes are passed through untouched (their size read from
 * the header, no decode); any other format sharp reads (WebP, GIF, TIFF…) is converted to PNG.
 */
import { readFile } from 'node:fs/promises';
import type { PolicyImage } from './types.js';

/** Pixel size of an image. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** An image ready for a policy, with its pixel size. */
export interface LoadedImage extends ImageSize {
  readonly image: PolicyImage;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function jpegSize(bytes: Uint8Array): ImageSize | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1] ?? 0;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const length = view.getUint16(i + 2);
    // SOF0..SOF15 except DHT (c4), JPG (c8), DAC (cc) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    }
    i += 2 + length;
  }
  return undefined;
}

/**
 * The pixel size of PNG or JPEG bytes from the header alone, or `undefined` for other formats.
 *
 * @example
 * imageSizeFromHeader(await readFile('test/fixtures/official-samples/affordance-640x480.png')); // { width: 640, height: 480 }
 */
export function imageSizeFromHeader(bytes: Uint8Array): ImageSize | undefined {
  if (isPng(bytes)) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (isJpeg(bytes)) return jpegSize(bytes);
  return undefined;
}

/**
 * Wrap encoded image bytes for a policy: PNG/JPEG as they are, anything else converted to PNG with sharp.
 *
 * @example
 * const { image, width, height } = await toPolicyImage(bytes, 'frame.webp');
 */
export async function toPolicyImage(bytes: Uint8Array, label = 'image'): Promise<LoadedImage> {
  const mimeType = isPng(bytes) ? 'image/png' : isJpeg(bytes) ? 'image/jpeg' : undefined;
  const size = mimeType ? imageSizeFromHeader(bytes) : undefined;
  if (mimeType && size) return { image: { bytes, mimeType }, ...size };
  const { default: sharp } = await import('sharp');
  try {
    const { data, info } = await sharp(bytes).png().toBuffer({ resolveWithObject: true });
    return { image: { bytes: new Uint8Array(data), mimeType: 'image/png' }, width: info.width, height: info.height };
  } catch (error: unknown) {
    throw new Error(`${label}: not a readable image: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Read an image file for a policy.
 *
 * @example
 * const { image, width, height } = await loadPolicyImage('/data/images/0001.png');
 */
export async function loadPolicyImage(path: string): Promise<LoadedImage> {
  const bytes = await readFile(path);
  return toPolicyImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
