/** 2-D convex-polygon helpers shared by projection, occlusion and the path planner (pure functions). */
import type { Vec2 } from './vec.js';

function crossZ(o: Vec2, a: Vec2, b: Vec2): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/**
 * Convex hull (Andrew's monotone chain), counter-clockwise in a y-up frame (clockwise on screen, where y points
 * down); collinear points dropped. Fewer than 3 distinct points come back as they are (deduplicated).
 *
 * @example
 * convexHull([[0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5]]); // the 4 corners
 */
export function convexHull(points: readonly Vec2[]): Vec2[] {
  const pts = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const unique: Vec2[] = [];
  for (const p of pts) {
    const last = unique[unique.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) unique.push(p);
  }
  if (unique.length < 3) return unique;
  const lower: Vec2[] = [];
  for (const p of unique) {
    while (lower.length >= 2 && crossZ(lower[lower.length - 2] as Vec2, lower[lower.length - 1] as Vec2, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Vec2[] = [];
  for (let i = unique.length - 1; i >= 0; i--) {
    const p = unique[i] as Vec2;
    while (upper.length >= 2 && crossZ(upper[upper.length - 2] as Vec2, upper[upper.length - 1] as Vec2, p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/** Axis-aligned bounds of a point set: [minX, minY, maxX, maxY]. */
export function bounds(points: readonly Vec2[]): readonly [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    if (p[0] < x0) x0 = p[0];
    if (p[0] > x1) x1 = p[0];
    if (p[1] < y0) y0 = p[1];
    if (p[1] > y1) y1 = p[1];
  }
  return [x0, y0, x1, y1];
}

/** Signed area (positive for counter-clockwise in a y-up frame). */
export function signedArea(poly: readonly Vec2[]): number {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i] as Vec2;
    const b = poly[(i + 1) % poly.length] as Vec2;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

/**
 * True when `p` is strictly inside a convex polygon (either orientation).
 *
 * @example
 * pointInConvexPolygon([0.5, 0.5], [[0, 0], [1, 0], [1, 1], [0, 1]]); // true
 */
export function pointInConvexPolygon(p: Vec2, poly: readonly Vec2[]): boolean {
  if (poly.length < 3) return false;
  let sign = 0;
  for (let i = 0; i < poly.length; i++) {
    const c = crossZ(poly[i] as Vec2, poly[(i + 1) % poly.length] as Vec2, p);
    if (c === 0) return false;
    const s = c > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

/**
 * Length (as a fraction 0–1 of the segment) of the part of segment a→b inside a convex polygon
 * (Cyrus–Beck clipping). 0 when the segment misses the polygon or only touches its boundary.
 *
 * @example
 * segmentInsideFraction([-1, 0.5], [2, 0.5], [[0, 0], [1, 0], [1, 1], [0, 1]]); // 1/3
 */
export function segmentInsideFraction(a: Vec2, b: Vec2, poly: readonly Vec2[]): number {
  if (poly.length < 3) return 0;
  const orientation = signedArea(poly) >= 0 ? 1 : -1;
  const d: Vec2 = [b[0] - a[0], b[1] - a[1]];
  let tIn = 0;
  let tOut = 1;
  for (let i = 0; i < poly.length; i++) {
    const p0 = poly[i] as Vec2;
    const p1 = poly[(i + 1) % poly.length] as Vec2;
    // Inward normal of edge p0→p1.
    const ex = p1[0] - p0[0];
    const ey = p1[1] - p0[1];
    const nx = -ey * orientation;
    const ny = ex * orientation;
    const num = nx * (a[0] - p0[0]) + ny * (a[1] - p0[1]);
    const den = nx * d[0] + ny * d[1];
    if (den === 0) {
      if (num <= 0) return 0;
      continue;
    }
    const t = -num / den;
    if (den > 0) tIn = Math.max(tIn, t);
    else tOut = Math.min(tOut, t);
    if (tIn >= tOut) return 0;
  }
  return Math.max(0, tOut - tIn);
}

/** Distance from point p to segment a→b. */
export function pointSegmentDistance(p: Vec2, a: Vec2, b: Vec2): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Distance from a point to a convex polygon (0 inside). */
export function pointPolygonDistance(p: Vec2, poly: readonly Vec2[]): number {
  if (pointInConvexPolygon(p, poly)) return 0;
  let best = Infinity;
  for (let i = 0; i < poly.length; i++) {
    best = Math.min(best, pointSegmentDistance(p, poly[i] as Vec2, poly[(i + 1) % poly.length] as Vec2));
  }
  return best;
}

/** Smallest distance between two convex polygons (0 when they overlap). */
export function polygonDistance(a: readonly Vec2[], b: readonly Vec2[]): number {
  let best = Infinity;
  for (const p of a) best = Math.min(best, pointPolygonDistance(p, b));
  for (const p of b) best = Math.min(best, pointPolygonDistance(p, a));
  if (best > 0) {
    for (let i = 0; i < a.length; i++) {
      if (segmentInsideFraction(a[i] as Vec2, a[(i + 1) % a.length] as Vec2, b) > 0) return 0;
    }
  }
  return best;
}
