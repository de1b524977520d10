import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { crc32, encodePng } from './png.js';
import { Random } from './random.js';

function noiseImage(w: number, h: number, seed: number): Uint8Array {
  const r = new Random(seed);
  const out = new Uint8Array(w * h * 4);
  for (let i = 0; i < out.length; i += 4) {
    // Smooth-ish content plus noise, so every filter type gets used.
    const x = (i / 4) % w;
    out[i] = (x * 3 + r.int(0, 20)) & 0xff;
    out[i + 1] = r.int(0, 255);
    out[i + 2] = 128;
    out[i + 3] = 255;
  }
  return out;
}

describe('encodePng', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  for (const options of [{}, { filter: 'adaptive', compression: 'deflate', level: 9 }] as const) {
    it(`round-trips pixels exactly through a real decoder (${JSON.stringify(options)})`, async () => {
      const rgba = noiseImage(37, 23, 1);
      const png = encodePng(rgba, 37, 23, options);
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([37, 23, 3]);
      for (let i = 0, j = 0; j < rgba.length; i += 3, j += 4) {
        if (data[i] !== rgba[j] || data[i + 1] !== rgba[j + 1] || data[i + 2] !== rgba[j + 2]) throw new Error(`pixel ${j / 4} differs`);
      }
    });
  }

  it('is deterministic and rejects short buffers', () => {
    const rgba = noiseImage(16, 16, 2);
    expect(encodePng(rgba, 16, 16).equals(encodePng(rgba, 16, 16))).toBe(true);
    expect(() => encodePng(rgba, 17, 16)).toThrow(/need 1088 bytes/);
  });
});
