/**
 * The pinhole camera: construction from a look-at pose, projection of world points to pixels and to the
 * normalised [0, 1] image coordinates of VLA-R1 answers, and the inverse (a pixel back onto the table plane),
 * which is what an action decoder needs to lift a 2-D answer into 3-D.
 */
import type { Camera } from './types.js';
import { cross, dot, normalize, sub, type Vec3 } from './vec.js';

/** Options of {@link createLookAtCamera}. */
export interface LookAtOptions {
  /** Image size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Vertical field of view (radians). */
  readonly fovY: number;
  /** Camera centre (world metres). */
  readonly position: Vec3;
  /** Point the optical axis passes through. */
  readonly target: Vec3;
}

/**
 * A camera at `position` looking at `target`, with world +z as "up" (no roll), square pixels and the principal
 * point at the image centre.
 *
 * @example
 * const cam = createLookAtCamera({ width: 128, height: 128, fovY: 0.9, position: [0, -0.6, 0.55], target: [0, 0.05, 0] });
 * projectPoint(cam, [0, 0.05, 0]); // { u: 64, v: 64, depth: … }
 */
export function createLookAtCamera(options: LookAtOptions): Camera {
  const forward = normalize(sub(options.target, options.position));
  let right = cross(forward, [0, 0, 1]);
  if (dot(right, right) < 1e-12) right = [1, 0, 0];
  right = normalize(right);
  const down = cross(forward, right);
  const f = options.height / 2 / Math.tan(options.fovY / 2);
  return {
    width: options.width,
    height: options.height,
    fx: f,
    fy: f,
    cx: options.width / 2,
    cy: options.height / 2,
    position: options.position,
    rotation: [right, down, forward],
  };
}

/**
 * The same camera for another image size (intrinsics scaled, pose unchanged): render a scene larger or
 * smaller without moving anything in normalised coordinates.
 *
 * @example
 * resizeCamera(cam, 256, 256).fx === cam.fx * 2; // for a 128-pixel camera
 */
export function resizeCamera(camera: Camera, width: number, height: number): Camera {
  const sx = width / camera.width;
  const sy = height / camera.height;
  return { ...camera, width, height, fx: camera.fx * sx, fy: camera.fy * sy, cx: camera.cx * sx, cy: camera.cy * sy };
}

/** World point → camera-frame coordinates (x right, y down, z forward). */
export function worldToCamera(camera: Camera, p: Vec3): Vec3 {
  const d = sub(p, camera.position);
  const [r0, r1, r2] = camera.rotation;
  return [dot(r0, d), dot(r1, d), dot(r2, d)];
}

/** A projected point: pixel coordinates (origin top-left) and depth along the optical axis (metres). */
export interface Projected {
  readonly u: number;
  readonly v: number;
  readonly depth: number;
}

/** The near clipping distance (metres) below which points are considered behind the camera. */
export const NEAR_PLANE = 0.02;

/**
 * Project a world point to pixels, or `undefined` when it is behind the near plane.
 *
 * @example
 * const { u, v } = projectPoint(cam, [0.1, 0.2, 0])!;
 */
export function projectPoint(camera: Camera, p: Vec3): Projected | undefined {
  const c = worldToCamera(camera, p);
  if (c[2] < NEAR_PLANE) return undefined;
  return { u: (camera.fx * c[0]) / c[2] + camera.cx, v: (camera.fy * c[1]) / c[2] + camera.cy, depth: c[2] };
}

/** Project a camera-frame point (already in front of the near plane) to pixels. */
export function projectCameraPoint(camera: Camera, c: Vec3): readonly [number, number] {
  return [(camera.fx * c[0]) / c[2] + camera.cx, (camera.fy * c[1]) / c[2] + camera.cy];
}

/**
 * Pixel → normalised image coordinates in [0, 1] (not clipped): the coordinates of VLA-R1 answers.
 *
 * @example
 * pixelToNormalised(cam, 64, 32); // [0.5, 0.25] for a 128×128 camera
 */
export function pixelToNormalised(camera: Camera, u: number, v: number): readonly [number, number] {
  return [u / camera.width, v / camera.height];
}

/**
 * Project a world point straight to normalised image coordinates, or `undefined` behind the camera.
 *
 * @example
 * projectNormalised(cam, [0, 0.05, 0]); // [0.5, 0.5] for a camera looking at that point
 */
export function projectNormalised(camera: Camera, p: Vec3): readonly [number, number] | undefined {
  const q = projectPoint(camera, p);
  return q ? pixelToNormalised(camera, q.u, q.v) : undefined;
}

/** The viewing ray through a pixel: unit direction in world coordinates. */
export function pixelRay(camera: Camera, u: number, v: number): Vec3 {
  const c: Vec3 = [(u - camera.cx) / camera.fx, (v - camera.cy) / camera.fy, 1];
  const [r0, r1, r2] = camera.rotation;
  // world = Rᵀ c
  return normalize([
    r0[0] * c[0] + r1[0] * c[1] + r2[0] * c[2],
    r0[1] * c[0] + r1[1] * c[1] + r2[1] * c[2],
    r0[2] * c[0] + r1[2] * c[1] + r2[2] * c[2],
  ]);
}

/**
 * Lift normalised image coordinates back to the horizontal plane z = `planeZ` (default the table top):
 * the inverse of {@link projectNormalised} for points on that plane, `undefined` when the ray misses it.
 *
 * @example
 * const p = normalisedToPlane(cam, 0.5, 0.5); // ≈ [0, 0.05, 0] for the camera above
 */
export function normalisedToPlane(camera: Camera, x: number, y: number, planeZ = 0): Vec3 | undefined {
  const dir = pixelRay(camera, x * camera.width, y * camera.height);
  if (Math.abs(dir[2]) < 1e-12) return undefined;
  const t = (planeZ - camera.position[2]) / dir[2];
  if (t <= 0) return undefined;
  return [camera.position[0] + t * dir[0], camera.position[1] + t * dir[1], planeZ];
}
