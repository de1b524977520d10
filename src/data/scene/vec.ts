/** Tiny 3-D and 2-D vector helpers on readonly tuples (allocation-light, pure). */

/** A 3-D vector or point, in metres when it is a position. */
export type Vec3 = readonly [number, number, number];

/** A 2-D vector or point (table-plane metres, or image pixels, by context). */
export type Vec2 = readonly [number, number];

/** a + b */
export function add(a: Vec3, b: Vec3): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

/** a − b */
export function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

/** s · a */
export function scale(a: Vec3, s: number): Vec3 {
  return [a[0] * s, a[1] * s, a[2] * s];
}

/** a · b */
export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** a × b */
export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** ‖a‖ */
export function norm(a: Vec3): number {
  return Math.sqrt(dot(a, a));
}

/**
 * a / ‖a‖ (the zero vector stays zero).
 *
 * @example
 * normalize([3, 0, 4]); // [0.6, 0, 0.8]
 */
export function normalize(a: Vec3): Vec3 {
  const n = norm(a);
  return n > 0 ? [a[0] / n, a[1] / n, a[2] / n] : [0, 0, 0];
}

/** Euclidean distance between two 2-D points. */
export function dist2(a: Vec2, b: Vec2): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Rotate a 2-D vector by `angle` radians (counter-clockwise seen from +z). */
export function rotate2(v: Vec2, angle: number): Vec2 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return [c * v[0] - s * v[1], s * v[0] + c * v[1]];
}
