/**
 * How much of an object or part is visible in the rendered image, computed the way the renderer paints:
 * objects drawn later (nearer, see {@link paintOrder}) and the object's own nearer primitives cover it.
 */
import { gripperPieces } from './gripper.js';
import { cameraDepth, objectToWorld, primitiveHull } from './geometry.js';
import { convexHull, pointInConvexPolygon } from './polygon.js';
import { paintAnchor } from './render.js';
import type { Primitive, Scene, SceneObject } from './types.js';
import type { Vec2 } from './vec.js';

/** Visibility of a set of primitives of one object. */
export interface Visibility {
  /** Fraction (0–1) of sample points of the silhouette that no nearer surface covers. */
  readonly fraction: number;
  /** Ids of other objects that cover part of it, most-covering first. */
  readonly occluders: readonly number[];
}

const GRID = 12;

/**
 * Visibility of `prims` (primitives of `obj`) in the scene's image.
 *
 * @example
 * visibleFraction(scene, mug, mug.parts[0].primitives).fraction; // 1 when nothing hides the handle
 */
export function visibleFraction(scene: Scene, obj: SceneObject, prims: readonly Primitive[]): Visibility {
  const camera = scene.camera;
  const hulls = prims.map((p) => primitiveHull(camera, obj, p));
  const hull = convexHull(hulls.flat());
  if (hull.length < 3) return { fraction: 0, occluders: [] };
  // Covering surfaces: the object's own primitives painted after these, and objects painted after the object.
  const own = new Set(prims);
  const ownCovers: Vec2[][] = [];
  const minDepth = Math.min(...prims.map((p) => cameraDepth(camera, objectToWorld(obj.pose, p.centre))));
  const all: Primitive[] = obj.body.slice();
  for (const part of obj.parts) all.push(...part.primitives);
  for (const p of all) {
    if (own.has(p)) continue;
    if (cameraDepth(camera, objectToWorld(obj.pose, p.centre)) < minDepth) ownCovers.push(primitiveHull(camera, obj, p));
  }
  const depth = cameraDepth(camera, paintAnchor(obj));
  const others: { id: number; hulls: Vec2[][] }[] = [];
  for (const o of scene.objects) {
    if (o.id === obj.id || cameraDepth(camera, paintAnchor(o)) >= depth) continue;
    const oh: Vec2[][] = [];
    for (const p of o.body) oh.push(primitiveHull(camera, o, p));
    for (const part of o.parts) for (const p of part.primitives) oh.push(primitiveHull(camera, o, p));
    others.push({ id: o.id, hulls: oh });
  }
  for (const piece of gripperPieces(scene.gripper)) {
    const d = piece.drawable;
    if (cameraDepth(camera, piece.anchor) < depth) others.push({ id: -1, hulls: d.body.map((p) => primitiveHull(camera, d, p)) });
  }
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of hull) {
    x0 = Math.min(x0, p[0]);
    y0 = Math.min(y0, p[1]);
    x1 = Math.max(x1, p[0]);
    y1 = Math.max(y1, p[1]);
  }
  let inside = 0;
  let visible = 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      const p: Vec2 = [x0 + ((i + 0.5) / GRID) * (x1 - x0), y0 + ((j + 0.5) / GRID) * (y1 - y0)];
      if (!hulls.some((h) => pointInConvexPolygon(p, h))) continue;
      inside++;
      let covered = ownCovers.some((h) => pointInConvexPolygon(p, h));
      for (const o of others) {
        if (o.hulls.some((h) => pointInConvexPolygon(p, h))) {
          covered = true;
          if (o.id >= 0) counts.set(o.id, (counts.get(o.id) ?? 0) + 1);
        }
      }
      if (!covered) visible++;
    }
  }
  if (inside === 0) return { fraction: 0, occluders: [] };
  const occluders = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([id]) => id);
  return { fraction: visible / inside, occluders };
}
