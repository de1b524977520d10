import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imageSizeFromHeader, loadPolicyImage, toPolicyImage } from './image.js';

const fixture = (name: string): string => new URL(`../../test/fixtures/official-samples/${name}`, import.meta.url).pathname;

describe('policy images', () => {
  it('reads PNG sizes from the header and passes the bytes through', async () => {
    const loaded = await loadPolicyImage(fixture('affordance-640x480.png'));
    expect([loaded.width, loaded.height, loaded.image.mimeType]).toEqual([640, 480, 'image/png']);
    expect(Buffer.from(loaded.image.bytes).equals(readFileSync(fixture('affordance-640x480.png')))).toBe(true);
  });

  it('reads JPEG sizes (progressive too) and converts other formats to PNG', async () => {
    const { default: sharp } = await import('sharp');
    const base = sharp({ create: { width: 37, height: 23, channels: 3, background: '#336699' } });
    const jpeg = new Uint8Array(await base.clone().jpeg().toBuffer());
    const progressive = new Uint8Array(await base.clone().jpeg({ progressive: true }).toBuffer());
    expect(imageSizeFromHeader(jpeg)).toEqual({ width: 37, height: 23 });
    expect(imageSizeFromHeader(progressive)).toEqual({ width: 37, height: 23 });
    const webp = new Uint8Array(await base.clone().webp().toBuffer());
    expect(imageSizeFromHeader(webp)).toBeUndefined();
    const converted = await toPolicyImage(webp);
    expect([converted.width, converted.height, converted.image.mimeType]).toEqual([37, 23, 'image/png']);
    await expect(toPolicyImage(new Uint8Array([1, 2, 3, 4]), 'junk.bin')).rejects.toThrow(/^junk\.bin: not a readable image/);
  });
});
