import { pythonHypot } from './pythonMath.js';

/**
 * `hypot(dx, dy)` fast: `sqrt(dx² + dy²)`, which is within an ulp of Python's `math.hypot`, falling back to
 * {@link pythonHypot} when the fast form overflows, underflows to 0 or meets an infinity next to a NaN.
 *
 * @example
 * pointDistance(3, 4); // 5
 */
export function pointDistance(dx: number, dy: number): number {
  const d = Math.sqrt(dx * dx + dy * dy);
  return d > 1e-150 && d < 1e150 ? d : pythonHypot(dx, dy);
}
