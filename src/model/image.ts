/**
 * Images as the model sees them: decoded, stretched to `imageSize × imageSize` RGB (normalised answer
 * coordinates are unchanged by a stretch), and cut into square patches (each seen with some pixels of context around it when the config asks).
 */
import type { ImageSource } from '../data/images.js';
import { decodeRgb } from '../data/images.js';
import type { ModelConfig } from './config.js';
import { patchWindow } from './config.js';

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

/** Where the patches come from: the image side, the patch side and the context pixels around each patch. */
export type PatchGeometry = Pick<ModelConfig, 'imageSize' | 'patchSize' | 'patchContext'>;

/**
 * Cut `imageSize × imageSize` RGB bytes (HWC) into one window per patch, row-major over the patch grid. A window
 * is the patch with `patchContext` pixels around it (`patchWindow` on a side; pixels outside the image read as
 * mid-grey, 0), flattened as `(dy, dx, channel)` with values mapped from [0, 255] to [-1, 1]. Writes into `out` at
 * `offset` when given.
 *
 * @example
 * patchify(rgb, { imageSize: 64, patchSize: 8 }).length; // 64 patches × 192 floats
 * patchify(rgb, { imageSize: 64, patchSize: 8, patchContext: 4 }).length; // 64 windows × 768 floats
 */
export function patchify(rgb: Uint8Array, geometry: PatchGeometry, out?: Float32Array, offset = 0): Float32Array {
  const { imageSize: size, patchSize: patch } = geometry;
  if (rgb.length !== size * size * 3) throw new Error(`patchify: expected ${size * size * 3} bytes, got ${rgb.length}`);
  const context = geometry.patchContext ?? 0;
  const side = patchWindow(geometry);
  const grid = size / patch;
  const target = out ?? new Float32Array(grid * grid * side * side * 3);
  let o = offset;
  for (let py = 0; py < grid; py++) {
    for (let px = 0; px < grid; px++) {
      // The window's columns inside the image: [x0, x1); the ones left and right of them read as 0.
      const left = px * patch - context;
      const x0 = Math.max(0, left);
      const x1 = Math.min(size, left + side);
      for (let dy = 0; dy < side; dy++) {
        const y = py * patch - context + dy;
        if (y < 0 || y >= size) {
          target.fill(0, o, o + side * 3);
          o += side * 3;
          continue;
        }
        target.fill(0, o, o + (x0 - left) * 3);
        o += (x0 - left) * 3;
        const row = (y * size + x0) * 3;
        for (let k = 0; k < (x1 - x0) * 3; k++) target[o++] = (rgb[row + k] as number) / 127.5 - 1;
        target.fill(0, o, o + (left + side - x1) * 3);
        o += (left + side - x1) * 3;
      }
    }
  }
  return target;
}
