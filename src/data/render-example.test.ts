import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Action } from '../protocol/types.js';
import { decodeRgb } from './images.js';
import { displayScale, renderExample, wrapText } from './render-example.js';

const AFFORDANCE = 'test/fixtures/official-samples/affordance-640x480.png';
const TRAJECTORY = 'test/fixtures/official-samples/trajectory-424x240.png';
const GREEN = [0x00, 0xc8, 0x53];
const RED = [0xff, 0x17, 0x44];

async function decoded(png: Uint8Array) {
  return (await decodeRgb(png)).image;
}

function pixel(image: { data: Uint8Array; width: number }, x: number, y: number): number[] {
  const i = 3 * (y * image.width + x);
  return [...image.data.subarray(i, i + 3)];
}

const near = (a: number[], b: number[], tol = 12): boolean => a.every((v, k) => Math.abs(v - (b[k] ?? 0)) <= tol);

function countColour(image: { data: Uint8Array; width: number; height: number }, colour: number[], x0: number, x1: number): number {
  let n = 0;
  for (let y = 0; y < image.height; y++) for (let x = x0; x < x1; x++) if (near(pixel(image, x, y), colour, 30)) n++;
  return n;
}

async function greyPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
}

describe('wrapText', () => {
  it('wraps words and cuts words longer than a line', () => {
    expect(wrapText('a bb ccc', 4, (s) => s.length)).toEqual(['a bb', 'ccc']);
    expect(wrapText('abcdefghij', 4, (s) => s.length)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('one\n\ntwo', 10, (s) => s.length)).toEqual(['one', '', 'two']);
  });

  it('enlarges small images by an integer factor and reduces tall ones', () => {
    expect(displayScale(64)).toBe(5);
    expect(displayScale(48)).toBe(7);
    expect(displayScale(480)).toBe(1);
    expect(displayScale(1440)).toBe(0.5);
  });
});

describe('renderExample', () => {
  const box: Action = { kind: 'affordance', box: { x: 0.563749, y: 0.638217, width: 0.094696, height: 0.123233 } };

  it('draws the ground-truth box in green and the predicted centre in red, beside a text panel', async () => {
    const png = await renderExample({
      image: AFFORDANCE,
      kind: 'affordance',
      instruction: 'pick ketchup from table and place on oven.',
      groundTruth: box,
      rationale: 'The ketchup bottle stands on the table; its body is the graspable region.',
      prediction: '<think>bottle</think> so, the answer is <output>{"x": 0.25, "y": 0.25, "width": 0.1, "height": 0.1}</output>',
    });
    const image = await decoded(png);
    expect(image.width).toBe(640 + 440);
    expect(image.height).toBe(480);
    // Top edge of the GT box: y = (0.638217 - 0.123233 / 2) * 480 = 276.8, x from 330.5 to 391.1.
    expect(near(pixel(image, 360, 276), GREEN)).toBe(true);
    expect(near(pixel(image, 360, 277), GREEN)).toBe(true);
    // Left edge: x = 330.5.
    expect(near(pixel(image, 330, 300), GREEN)).toBe(true);
    // The predicted centre dot at (160, 120).
    expect(near(pixel(image, 160, 120), RED)).toBe(true);
    // The panel has text in both colours and is white elsewhere.
    expect(countColour(image, GREEN, 640, 1080)).toBeGreaterThan(20);
    expect(countColour(image, RED, 640, 1080)).toBeGreaterThan(20);
    expect(pixel(image, 1075, 475)).toEqual([255, 255, 255]);
  });

  it('draws a trajectory: line, waypoints and arrow head', async () => {
    const png = await renderExample({
      image: TRAJECTORY,
      kind: 'trajectory',
      instruction: 'reach for the pan.',
      groundTruth: { kind: 'trajectory', points: [[0.1, 0.5], [0.5, 0.5], [0.9, 0.5]] },
    });
    const image = await decoded(png);
    // 424×240 is enlarged ×2 (240 < 320) to 848×480.
    expect([image.width, image.height]).toEqual([848 + 440, 480]);
    // On the line between the first two waypoints, and on the middle waypoint.
    expect(near(pixel(image, 250, 240), GREEN)).toBe(true);
    expect(near(pixel(image, 424, 240), GREEN)).toBe(true);
    // The first waypoint is a ring (hollow centre), the others dots.
    expect(near(pixel(image, 85, 233), GREEN)).toBe(true);
  });

  it('shows an unparseable prediction as text only, and grows with long text', async () => {
    const rationale = 'word '.repeat(600);
    const png = await renderExample(
      { image: await greyPng(64, 48), kind: 'affordance', instruction: 'pick the cube.', groundTruth: box, rationale, prediction: 'I think it is on the left.', notes: ['IoU 0.00'] },
      { maxTextChars: 5000 },
    );
    const image = await decoded(png);
    expect(image.width).toBe(64 * 7 + 440);
    expect(image.height).toBeGreaterThan(48 * 7);
    expect(countColour(image, RED, 0, 64 * 7)).toBe(0);
    expect(countColour(image, RED, 64 * 7, image.width)).toBeGreaterThan(20);
    expect(countColour(image, GREEN, 0, 64 * 7)).toBeGreaterThan(50);
  });

  it('fails with a UserError for a missing image', async () => {
    await expect(renderExample({ image: '/nonexistent/x.png', kind: 'affordance', instruction: 'x' })).rejects.toThrow('/nonexistent/x.png: image not found');
  });
});
