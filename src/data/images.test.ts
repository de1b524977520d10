import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import {
  decodeRgb,
  encodeRgb,
  fromResizedCoordinates,
  letterboxTransform,
  loadImageFloat32,
  readImageSize,
  readPolicyImage,
  rgbToFloat32,
  sniffImageMime,
  toResizedCoordinates,
} from './images.js';

const AFFORDANCE = 'test/fixtures/official-samples/affordance-640x480.png';
const TRAJECTORY = 'test/fixtures/official-samples/trajectory-424x240.png';

/** A `width × height` RGB PNG whose pixel (x, y) is (x * 10, y * 10, 7). */
async function gradientPng(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x * 10, y * 10, 7], 3 * (y * width + x));
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

function pixel(image: { data: Uint8Array; width: number }, x: number, y: number): number[] {
  const i = 3 * (y * image.width + x);
  return [...image.data.subarray(i, i + 3)];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vla-r1-images-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readImageSize', () => {
  it('reads the official sample sizes', async () => {
    expect(await readImageSize(AFFORDANCE)).toEqual({ width: 640, height: 480 });
    expect(await readImageSize(TRAJECTORY)).toEqual({ width: 424, height: 240 });
    expect(await readImageSize(await gradientPng(5, 3))).toEqual({ width: 5, height: 3 });
  });

  it('reports missing files and non-images as UserErrors naming the file', async () => {
    await expect(readImageSize(join(dir, 'missing.png'))).rejects.toThrow(new UserError(`${join(dir, 'missing.png')}: image not found`));
    const text = join(dir, 'not-an-image.png');
    await writeFile(text, 'hello');
    await expect(readImageSize(text)).rejects.toThrow(`${text}: cannot decode image:`);
  });
});

describe('decodeRgb', () => {
  it('decodes at the original size, pixel for pixel', async () => {
    const { image, transform } = await decodeRgb(await gradientPng(4, 3));
    expect([image.width, image.height, image.data.length]).toEqual([4, 3, 36]);
    expect(pixel(image, 0, 0)).toEqual([0, 0, 7]);
    expect(pixel(image, 3, 2)).toEqual([30, 20, 7]);
    expect(transform).toEqual({ sourceWidth: 4, sourceHeight: 3, width: 4, height: 3, offsetX: 0, offsetY: 0, contentWidth: 4, contentHeight: 3 });
  });

  it('stretches to the target size', async () => {
    const { image, transform } = await decodeRgb(AFFORDANCE, { width: 64, height: 32 });
    expect([image.width, image.height, image.data.length]).toEqual([64, 32, 64 * 32 * 3]);
    expect(transform).toMatchObject({ offsetX: 0, offsetY: 0, contentWidth: 64, contentHeight: 32 });
  });

  it('letterboxes: centred content, padding in the background colour', async () => {
    // 4×2 into 4×4: no resampling, one padding row above and below.
    const { image, transform } = await decodeRgb(await gradientPng(4, 2), { width: 4, height: 4, fit: 'letterbox', background: [1, 2, 3] });
    expect(transform).toEqual({ sourceWidth: 4, sourceHeight: 2, width: 4, height: 4, offsetX: 0, offsetY: 1, contentWidth: 4, contentHeight: 2 });
    expect([0, 1, 2, 3].map((x) => pixel(image, x, 0))).toEqual([[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    expect([0, 1, 2, 3].map((x) => pixel(image, x, 1))).toEqual([[0, 0, 7], [10, 0, 7], [20, 0, 7], [30, 0, 7]]);
    expect(pixel(image, 2, 2)).toEqual([20, 10, 7]);
    expect(pixel(image, 3, 3)).toEqual([1, 2, 3]);
  });

  it('letterboxes with resampling: a uniform 8×4 image into 4×4', async () => {
    const red = await sharp({ create: { width: 8, height: 4, channels: 3, background: { r: 200, g: 0, b: 0 } } }).png().toBuffer();
    const { image } = await decodeRgb(red, { width: 4, height: 4, fit: 'letterbox' });
    expect([0, 1, 2, 3].map((y) => pixel(image, 1, y))).toEqual([[0, 0, 0], [200, 0, 0], [200, 0, 0], [0, 0, 0]]);
  });

  it('letterboxes a real sample: 640×480 into 64×64 leaves 8 black rows above and below', async () => {
    const { image, transform } = await decodeRgb(AFFORDANCE, { width: 64, height: 64, fit: 'letterbox' });
    expect(transform).toMatchObject({ offsetX: 0, offsetY: 8, contentWidth: 64, contentHeight: 48 });
    const rowSum = (y: number): number => [...Array(64).keys()].reduce((s, x) => s + pixel(image, x, y).reduce((a, b) => a + b, 0), 0);
    expect([rowSum(0), rowSum(7), rowSum(56), rowSum(63)]).toEqual([0, 0, 0, 0]);
    expect(rowSum(8)).toBeGreaterThan(0);
    expect(rowSum(55)).toBeGreaterThan(0);
  });

  it('turns greyscale and alpha into RGB over the background', async () => {
    const grey = await sharp(Buffer.from([0, 128, 255, 64]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    const a = await decodeRgb(grey);
    expect([pixel(a.image, 0, 0), pixel(a.image, 1, 0), pixel(a.image, 0, 1)]).toEqual([[0, 0, 0], [128, 128, 128], [255, 255, 255]]);
    const rgba = await sharp(Buffer.from([255, 0, 0, 0, 0, 255, 0, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const b = await decodeRgb(rgba, { background: [10, 20, 30] });
    expect([pixel(b.image, 0, 0), pixel(b.image, 1, 0)]).toEqual([[10, 20, 30], [0, 255, 0]]);
  });

  it('rejects bad sizes and bad input', async () => {
    await expect(decodeRgb(AFFORDANCE, { width: 0, height: 4 })).rejects.toThrow('image size must be positive integers, got 0×4');
    await expect(decodeRgb(new Uint8Array([1, 2, 3]))).rejects.toThrow('image bytes: cannot decode image:');
  });
});

describe('letterbox coordinates', () => {
  it('places a 640×480 image in 64×64', () => {
    const t = letterboxTransform(640, 480, 64, 64);
    expect(t).toEqual({ sourceWidth: 640, sourceHeight: 480, width: 64, height: 64, offsetX: 0, offsetY: 8, contentWidth: 64, contentHeight: 48 });
    expect(toResizedCoordinates([0.5, 0], t)).toEqual([0.5, 0.125]);
    expect(toResizedCoordinates([1, 1], t)).toEqual([1, 0.875]);
    expect(letterboxTransform(240, 424, 100, 50)).toMatchObject({ offsetX: 36, offsetY: 0, contentWidth: 28, contentHeight: 50 });
  });

  it('maps back and forth (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 512 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (sw, sh, w, h, x, y) => {
          const t = letterboxTransform(sw, sh, w, h);
          expect(t.contentWidth).toBeLessThanOrEqual(w);
          expect(t.contentHeight).toBeLessThanOrEqual(h);
          expect(t.contentWidth === w || t.contentHeight === h).toBe(true);
          const [bx, by] = fromResizedCoordinates(toResizedCoordinates([x, y], t), t);
          expect(bx).toBeCloseTo(x, 9);
          expect(by).toBeCloseTo(y, 9);
        },
      ),
    );
  });
});

describe('rgbToFloat32 and loadImageFloat32', () => {
  const image = { data: new Uint8Array([255, 0, 51, 102, 204, 0]), width: 2, height: 1 };
  it('scales to [0, 1] in HWC or CHW', () => {
    expect([...rgbToFloat32(image)]).toEqual([1, 0, 0.2, 0.4, 0.8, 0].map(Math.fround));
    expect([...rgbToFloat32(image, 'chw')]).toEqual([1, 0.4, 0, 0.8, 0.2, 0].map(Math.fround));
  });

  it('decodes straight to floats', async () => {
    const { pixels, width, height } = await loadImageFloat32(await gradientPng(3, 2), {}, 'chw');
    expect([width, height, pixels.length]).toEqual([3, 2, 18]);
    expect([...pixels.subarray(0, 6)]).toEqual([0, 10, 20, 0, 10, 20].map((v) => Math.fround(v / 255)));
    expect([...pixels.subarray(12, 18)]).toEqual(Array(6).fill(Math.fround(7 / 255)));
  });
});

describe('policy images', () => {
  it('sniffs PNG and JPEG signatures', async () => {
    expect(sniffImageMime(await readFile(AFFORDANCE))).toBe('image/png');
    expect(sniffImageMime(await sharp(await gradientPng(2, 2)).jpeg().toBuffer())).toBe('image/jpeg');
    expect(sniffImageMime(new Uint8Array([0x52, 0x49, 0x46, 0x46]))).toBeUndefined();
  });

  it('passes PNG files through byte for byte', async () => {
    const image = await readPolicyImage(TRAJECTORY);
    expect(image.mimeType).toBe('image/png');
    expect(Buffer.from(image.bytes).equals(await readFile(TRAJECTORY))).toBe(true);
  });

  it('re-encodes other formats as PNG', async () => {
    const webp = await sharp(await gradientPng(4, 3)).webp({ lossless: true }).toBuffer();
    const image = await readPolicyImage(webp);
    expect(image.mimeType).toBe('image/png');
    expect(sniffImageMime(image.bytes)).toBe('image/png');
    const { image: decoded } = await decodeRgb(image.bytes);
    expect(pixel(decoded, 3, 2)).toEqual([30, 20, 7]);
  });

  it('names missing and undecodable files', async () => {
    await expect(readPolicyImage(join(dir, 'nope.jpg'))).rejects.toThrow(`${join(dir, 'nope.jpg')}: image not found`);
    const junk = join(dir, 'junk.bin');
    await writeFile(junk, 'not an image at all');
    await expect(readPolicyImage(junk)).rejects.toThrow(`${junk}: cannot decode image:`);
  });

  it('encodes RGB pixels losslessly as PNG, or as JPEG', async () => {
    const rgb = { data: new Uint8Array([1, 2, 3, 250, 251, 252]), width: 2, height: 1 };
    const png = await encodeRgb(rgb);
    expect(png.mimeType).toBe('image/png');
    expect([...(await decodeRgb(png.bytes)).image.data]).toEqual([1, 2, 3, 250, 251, 252]);
    const jpeg = await encodeRgb(rgb, 'image/jpeg');
    expect(sniffImageMime(jpeg.bytes)).toBe('image/jpeg');
  });
});
