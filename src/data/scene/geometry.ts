/**
 * Scene geometry: object-frame primitives to world points, silhouettes seen from a camera, projected hulls and
 * image boxes of objects and parts, and footprints on the table plane.
 */
import { projectPoint, worldToCamera } from './camera.js';
import { bounds, convexHull } from './polygon.js';
import type { Camera, Part, Primitive, SceneObject } from './types.js';
import { cross, dot, normalize, sub, type Vec2, type Vec3 } from './vec.js';

/** Points on a circle outline (the polygon circumscribes the circle; its corners stick out by 1.2 % of the radius). */
export const CIRCLE_SEGMENTS = 20;
const CIRCUMSCRIBE = 1 / Math.cos(Math.PI / CIRCLE_SEGMENTS);

/**
 * An object-frame point in world coordinates (rotate by yaw about z, then translate).
 *
 * @example
 * objectToWorld({ x: 1, y: 0, yaw: Math.PI / 2 }, [0.1, 0, 0.05]); // ≈ [1, 0.1, 0.05]
 */
export function objectToWorld(pose: { x: number; y: number; yaw: number }, p: Vec3): Vec3 {
  const c = Math.cos(pose.yaw);
  const s = Math.sin(pose.yaw);
  return [pose.x + c * p[0] - s * p[1], pose.y + s * p[0] + c * p[1], p[2]];
}

/** An object-frame direction in world coordinates (rotation only). */
export function objectDirToWorld(yaw: number, d: Vec3): Vec3 {
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  return [c * d[0] - s * d[1], s * d[0] + c * d[1], d[2]];
}

/** The unit axis vector of a cylinder in its object frame. */
export function axisVector(axis: 'x' | 'y' | 'z'): Vec3 {
  return axis === 'x' ? [1, 0, 0] : axis === 'y' ? [0, 1, 0] : [0, 0, 1];
}

/** Two unit vectors perpendicular to `axis` (and to each other). */
export function perpendicularBasis(axis: Vec3): readonly [Vec3, Vec3] {
  const helper: Vec3 = Math.abs(axis[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const a = normalize(cross(axis, helper));
  const b = normalize(cross(axis, a));
  return [a, b];
}

/** The 8 corners of a box primitive (object frame). */
export function boxCorners(prim: Extract<Primitive, { shape: 'box' }>): Vec3[] {
  const [cx, cy, cz] = prim.centre;
  const [sx, sy, sz] = [prim.size[0] / 2, prim.size[1] / 2, prim.size[2] / 2];
  const out: Vec3[] = [];
  for (const dz of [-sz, sz]) for (const dy of [-sy, sy]) for (const dx of [-sx, sx]) out.push([cx + dx, cy + dy, cz + dz]);
  return out;
}

/** The two end circles of a cylinder primitive (object frame), each with {@link CIRCLE_SEGMENTS} points. */
export function cylinderRings(prim: Extract<Primitive, { shape: 'cylinder' }>): readonly [Vec3[], Vec3[]] {
  const axis = axisVector(prim.axis);
  const [a, b] = perpendicularBasis(axis);
  const half = prim.length / 2;
  const low: Vec3[] = [];
  const high: Vec3[] = [];
  for (let end = 0; end < 2; end++) {
    const ring = end === 0 ? low : high;
    const r = (end === 0 ? prim.radius : prim.radiusTop) * CIRCUMSCRIBE;
    const off = end === 0 ? -half : half;
    for (let i = 0; i < CIRCLE_SEGMENTS; i++) {
      const t = (2 * Math.PI * i) / CIRCLE_SEGMENTS;
      const ca = Math.cos(t) * r;
      const sb = Math.sin(t) * r;
      ring.push([
        prim.centre[0] + axis[0] * off + a[0] * ca + b[0] * sb,
        prim.centre[1] + axis[1] * off + a[1] * ca + b[1] * sb,
        prim.centre[2] + axis[2] * off + a[2] * ca + b[2] * sb,
      ]);
    }
  }
  return [low, high];
}

/**
 * World points whose convex hull, once projected, is the silhouette of a primitive seen from `eye`
 * (box corners; cylinder end circles; for an ellipsoid the exact circle of tangency of the viewing cone).
 */
export function primitiveWorldPoints(obj: Pick<SceneObject, 'pose'>, prim: Primitive, eye: Vec3): Vec3[] {
  if (prim.shape === 'box') return boxCorners(prim).map((p) => objectToWorld(obj.pose, p));
  if (prim.shape === 'cylinder') {
    const [r0, r1] = cylinderRings(prim);
    return r0.concat(r1).map((p) => objectToWorld(obj.pose, p));
  }
  // Ellipsoid: work in the space where it is the unit sphere, find the tangency circle seen from the eye, map back.
  const centre = objectToWorld(obj.pose, prim.centre);
  const [rx, ry, rz] = prim.radii;
  const yaw = obj.pose.yaw + (prim.yaw ?? 0);
  const ex = objectDirToWorld(yaw, [1, 0, 0]);
  const ey = objectDirToWorld(yaw, [0, 1, 0]);
  const rel = sub(eye, centre);
  const eyeUnit: Vec3 = [dot(rel, ex) / rx, dot(rel, ey) / ry, rel[2] / rz];
  const d = Math.hypot(eyeUnit[0], eyeUnit[1], eyeUnit[2]);
  const u = normalize(eyeUnit);
  const [a, b] = perpendicularBasis(u);
  const along = d > 1 ? 1 / d : 0;
  const rho = (d > 1 ? Math.sqrt(1 - 1 / (d * d)) : 1) * CIRCUMSCRIBE;
  const out: Vec3[] = [];
  for (let i = 0; i < CIRCLE_SEGMENTS; i++) {
    const t = (2 * Math.PI * i) / CIRCLE_SEGMENTS;
    const q: Vec3 = [
      u[0] * along + (a[0] * Math.cos(t) + b[0] * Math.sin(t)) * rho,
      u[1] * along + (a[1] * Math.cos(t) + b[1] * Math.sin(t)) * rho,
      u[2] * along + (a[2] * Math.cos(t) + b[2] * Math.sin(t)) * rho,
    ];
    const lx = q[0] * rx;
    const ly = q[1] * ry;
    out.push([centre[0] + ex[0] * lx + ey[0] * ly, centre[1] + ex[1] * lx + ey[1] * ly, centre[2] + q[2] * rz]);
  }
  return out;
}

/** Projected pixel points of world points (points behind the camera are dropped). */
export function projectPoints(camera: Camera, points: readonly Vec3[]): Vec2[] {
  const out: Vec2[] = [];
  for (const p of points) {
    const q = projectPoint(camera, p);
    if (q) out.push([q.u, q.v]);
  }
  return out;
}

/** The projected silhouette (convex hull, pixels) of one primitive. */
export function primitiveHull(camera: Camera, obj: Pick<SceneObject, 'pose'>, prim: Primitive): Vec2[] {
  return convexHull(projectPoints(camera, primitiveWorldPoints(obj, prim, camera.position)));
}

/** A pixel-space axis-aligned box: [x0, y0, x1, y1]. */
export type PixelBox = readonly [number, number, number, number];

/** The pixel bounding box of a list of primitives of one object. */
export function primitivesPixelBox(camera: Camera, obj: Pick<SceneObject, 'pose'>, prims: readonly Primitive[]): PixelBox {
  const pts: Vec2[] = [];
  for (const prim of prims) pts.push(...projectPoints(camera, primitiveWorldPoints(obj, prim, camera.position)));
  return bounds(pts);
}

/** All primitives of an object: body then parts. */
export function allPrimitives(obj: SceneObject): Primitive[] {
  const out = obj.body.slice();
  for (const part of obj.parts) out.push(...part.primitives);
  return out;
}

/**
 * The pixel bounding box of the whole object (body and parts).
 *
 * @example
 * const [x0, y0, x1, y1] = objectPixelBox(scene.camera, scene.objects[0]);
 */
export function objectPixelBox(camera: Camera, obj: SceneObject): PixelBox {
  return primitivesPixelBox(camera, obj, allPrimitives(obj));
}

/** The pixel bounding box of one part (the affordance region). */
export function partPixelBox(camera: Camera, obj: SceneObject, part: Part): PixelBox {
  return primitivesPixelBox(camera, obj, part.primitives);
}

/** The projected convex silhouette of the whole object (pixels). */
export function objectHull(camera: Camera, obj: SceneObject): Vec2[] {
  const pts: Vec2[] = [];
  for (const prim of allPrimitives(obj)) pts.push(...projectPoints(camera, primitiveWorldPoints(obj, prim, camera.position)));
  return convexHull(pts);
}

/** Object-frame footprint extents on the table plane: [minX, minY, maxX, maxY]. */
export function footprintExtents(obj: Pick<SceneObject, 'body' | 'parts'>): readonly [number, number, number, number] {
  const pts: Vec2[] = [];
  const prims = obj.body.slice();
  for (const part of obj.parts) prims.push(...part.primitives);
  for (const prim of prims) {
    if (prim.shape === 'box') for (const c of boxCorners(prim)) pts.push([c[0], c[1]]);
    else if (prim.shape === 'cylinder') {
      const [r0, r1] = cylinderRings(prim);
      for (const c of r0.concat(r1)) pts.push([c[0], c[1]]);
    } else {
      const c = Math.cos(prim.yaw ?? 0);
      const s = Math.sin(prim.yaw ?? 0);
      const hx = Math.abs(c * prim.radii[0]) + Math.abs(s * prim.radii[1]);
      const hy = Math.abs(s * prim.radii[0]) + Math.abs(c * prim.radii[1]);
      pts.push([prim.centre[0] - hx, prim.centre[1] - hy]);
      pts.push([prim.centre[0] + hx, prim.centre[1] + hy]);
    }
  }
  return bounds(pts);
}

/**
 * The object's footprint on the table as a world-frame oriented rectangle grown by `margin` on every side,
 * with its corners cut (an octagon), counter-clockwise. Round objects get a near-regular octagon.
 *
 * @example
 * footprintPolygon(mug, 0.03); // the region the end-effector must keep out of
 */
export function footprintPolygon(obj: SceneObject, margin = 0): Vec2[] {
  const [x0, y0, x1, y1] = footprintExtents(obj);
  const a0 = x0 - margin;
  const b0 = y0 - margin;
  const a1 = x1 + margin;
  const b1 = y1 + margin;
  const cut = 0.29 * Math.min(a1 - a0, b1 - b0);
  const local: Vec2[] = [
    [a0 + cut, b0],
    [a1 - cut, b0],
    [a1, b0 + cut],
    [a1, b1 - cut],
    [a1 - cut, b1],
    [a0 + cut, b1],
    [a0, b1 - cut],
    [a0, b0 + cut],
  ];
  return local.map((p) => {
    const w = objectToWorld(obj.pose, [p[0], p[1], 0]);
    return [w[0], w[1]] as Vec2;
  });
}

/** Height of the object's highest point above the table (metres). */
export function objectHeight(obj: Pick<SceneObject, 'body' | 'parts'>): number {
  let top = 0;
  const prims = obj.body.slice();
  for (const part of obj.parts) prims.push(...part.primitives);
  for (const prim of prims) {
    if (prim.shape === 'box') top = Math.max(top, prim.centre[2] + prim.size[2] / 2);
    else if (prim.shape === 'cylinder') {
      const half = prim.axis === 'z' ? prim.length / 2 : Math.max(prim.radius, prim.radiusTop);
      top = Math.max(top, prim.centre[2] + half);
    } else top = Math.max(top, prim.centre[2] + prim.radii[2]);
  }
  return top;
}

/** Depth (camera z, metres) of a world point; used for painter ordering. */
export function cameraDepth(camera: Camera, p: Vec3): number {
  return worldToCamera(camera, p)[2];
}
