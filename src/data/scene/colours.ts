/** Named colours: the words instructions use and the sRGB values the renderer paints. */
import type { Random } from './random.js';
import type { Rgb } from './types.js';

/** The named palette for manufactured objects. */
export const PALETTE: Readonly<Record<string, Rgb>> = {
  red: [196, 38, 38],
  green: [46, 146, 60],
  blue: [38, 82, 192],
  yellow: [232, 198, 36],
  orange: [236, 126, 28],
  white: [236, 234, 228],
  black: [38, 38, 42],
  grey: [136, 138, 144],
  brown: [122, 80, 44],
  purple: [118, 58, 164],
  pink: [236, 128, 172],
  teal: [28, 148, 150],
};

/** Colour names of the palette, in a stable order. */
export const PALETTE_NAMES: readonly string[] = Object.keys(PALETTE);

/**
 * The sRGB value of a colour name.
 *
 * @example
 * colourValue('red'); // [196, 38, 38]
 */
export function colourValue(name: string): Rgb {
  const rgb = PALETTE[name];
  if (!rgb) throw new RangeError(`unknown colour ${name}`);
  return rgb;
}

/** A colour with small per-instance variation (keeps the name truthful: ±`amount` per channel). */
export function jitterColour(rgb: Rgb, random: Random, amount = 12): Rgb {
  const d = random.float(-amount, amount);
  return [clampByte(rgb[0] + d + random.float(-4, 4)), clampByte(rgb[1] + d + random.float(-4, 4)), clampByte(rgb[2] + d + random.float(-4, 4))];
}

/** Multiply a colour by a brightness factor. */
export function shade(rgb: Rgb, factor: number): Rgb {
  return [clampByte(rgb[0] * factor), clampByte(rgb[1] * factor), clampByte(rgb[2] * factor)];
}

/** Linear blend a → b by t. */
export function mixColour(a: Rgb, b: Rgb, t: number): Rgb {
  return [clampByte(a[0] + (b[0] - a[0]) * t), clampByte(a[1] + (b[1] - a[1]) * t), clampByte(a[2] + (b[2] - a[2]) * t)];
}

/** Clamp and round to an integer 0–255. */
export function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** CSS `rgb()` / `rgba()` text for a colour. */
export function css(rgb: Rgb, alpha = 1): string {
  return alpha >= 1 ? `rgb(${rgb[0]},${rgb[1]},${rgb[2]})` : `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})`;
}
