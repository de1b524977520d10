/**
 * Images as the model sees them: decoded, stretched to `imageSize × imageSize` RGB (normalised answer
 * coordinates are unchanged by a stretch), and cut into non-overlapping square patches.
 */
import type { ImageSource } from '../data/images.js';
import { decodeRgb } from '../data/images.js';

/**
 * Decode and resize an image (file path or encoded bytes) to `size × size` RGB bytes (HWC).
 *
 * @example
 * const rgb = await loadModelImage('scene.png', 64); // Uint8Array(64 * 64 * 3)
 */
export async function loadModelImage(source: ImageSource, size: number): Promise<Uint8Array> {
  const { image } = await decodeRgb(source, { width: size, height: size, fit: 'stretch' });
  return image.data;
}

/**
 * Cut `size × size` RGB bytes (HWC) into patches, row-major over the patch grid, each patch flattened as
 * `(dy, dx, channel)`, with values mapped from [0, 255] to [-1, 1]. Writes into `out` at `offset` when given.
 *
 * @example
 * patchify(rgb, 64, 8).length; // 64 patches × 192 floats
 */
export function patchify(rgb: Uint8Array, size: number, patch: number, out?: Float32Array, offset = 0): Float32Array {
  if (rgb.length !== size * size * 3) throw new Error(`patchify: expected ${size * size * 3} bytes, got ${rgb.length}`);
  const grid = size / patch;
  const target = out ?? new Float32Array(size * size * 3);
  let o = offset;
  for (let py = 0; py < grid; py++) {
    for (let px = 0; px < grid; px++) {
      for (let dy = 0; dy < patch; dy++) {
        const row = ((py * patch + dy) * size + px * patch) * 3;
        for (let k = 0; k < patch * 3; k++) target[o++] = (rgb[row + k] as number) / 127.5 - 1;
      }
    }
  }
  return target;
}
