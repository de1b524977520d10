/**
 * Draw a scene through its pinhole camera with @napi-rs/canvas: wall, textured table, soft cast shadows,
 * then objects and the gripper as shaded projected primitives in painter order (far to near), and a light
 * vignette. Deterministic: the same scene gives the same pixels.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { NEAR_PLANE, projectCameraPoint, resizeCamera, worldToCamera } from './camera.js';
import { clampByte, css, mixColour } from './colours.js';
import { boxCorners, cameraDepth, cylinderRings, objectDirToWorld, objectHeight, objectToWorld, primitiveWorldPoints, axisVector } from './geometry.js';
import { gripperPieces } from './gripper.js';
import { convexHull } from './polygon.js';
import { drawTable } from './table-texture.js';
import type { Camera, Lighting, Primitive, Rgb, Scene, SceneObject } from './types.js';
import { add, dot, normalize, scale, sub, type Vec2, type Vec3 } from './vec.js';

type Drawable = Pick<SceneObject, 'pose' | 'body' | 'parts'>;

/** Colour stops per cylinder shade gradient. */
const MAX_GRADIENT_STOPS = 7;

/** Options of {@link renderScenePng}. */
export interface RenderOptions {
  /** Output size in pixels (default: the scene camera's size); the camera's intrinsics scale with it. */
  readonly width?: number;
  readonly height?: number;
}

/** Lit colour of a surface with world normal `n` seen along `view` (unit, surface → eye). */
export function litColour(rgb: Rgb, n: Vec3, view: Vec3, lighting: Lighting, gloss = 0): Rgb {
  const L = lighting.direction;
  const diffuse = Math.max(0, dot(n, L));
  const b = lighting.ambient + lighting.diffuse * diffuse;
  let r: Rgb = [rgb[0] * b * lighting.tint[0], rgb[1] * b * lighting.tint[1], rgb[2] * b * lighting.tint[2]];
  if (gloss > 0 && diffuse > 0) {
    const h = normalize(add(L, view));
    const spec = gloss * Math.pow(Math.max(0, dot(n, h)), 24) * 0.7;
    r = mixColour([clampByte(r[0]), clampByte(r[1]), clampByte(r[2])], [255, 255, 250], Math.min(1, spec));
  }
  return [clampByte(r[0]), clampByte(r[1]), clampByte(r[2])];
}

function toPixels(camera: Camera, points: readonly Vec3[]): Vec2[] {
  const out: Vec2[] = [];
  for (const p of points) {
    const c = worldToCamera(camera, p);
    if (c[2] >= NEAR_PLANE) out.push(projectCameraPoint(camera, c));
  }
  return out;
}

function fillPolygon(ctx: SKRSContext2D, pts: readonly Vec2[], style: string): void {
  if (pts.length < 3) return;
  ctx.beginPath();
  ctx.moveTo((pts[0] as Vec2)[0], (pts[0] as Vec2)[1]);
  for (let i = 1; i < pts.length; i++) ctx.lineTo((pts[i] as Vec2)[0], (pts[i] as Vec2)[1]);
  ctx.closePath();
  ctx.fillStyle = style;
  ctx.fill();
}

function outline(ctx: SKRSContext2D, pts: readonly Vec2[], px: number): void {
  if (pts.length < 3) return;
  ctx.beginPath();
  ctx.moveTo((pts[0] as Vec2)[0], (pts[0] as Vec2)[1]);
  for (let i = 1; i < pts.length; i++) ctx.lineTo((pts[i] as Vec2)[0], (pts[i] as Vec2)[1]);
  ctx.closePath();
  ctx.lineWidth = 0.5 * px;
  ctx.strokeStyle = 'rgba(0,0,0,0.22)';
  ctx.stroke();
}

const BOX_FACES: readonly (readonly [number, number, number, number])[] = [
  [0, 2, 6, 4],
  [1, 3, 7, 5],
  [0, 1, 5, 4],
  [2, 3, 7, 6],
  [0, 1, 3, 2],
  [4, 5, 7, 6],
];
const BOX_NORMALS: readonly Vec3[] = [
  [-1, 0, 0],
  [1, 0, 0],
  [0, -1, 0],
  [0, 1, 0],
  [0, 0, -1],
  [0, 0, 1],
];

function drawBox(ctx: SKRSContext2D, camera: Camera, lighting: Lighting, obj: Drawable, prim: Extract<Primitive, { shape: 'box' }>, px: number): void {
  const corners = boxCorners(prim).map((p) => objectToWorld(obj.pose, p));
  for (let f = 0; f < 6; f++) {
    const idx = BOX_FACES[f] as readonly [number, number, number, number];
    const quad = idx.map((i) => corners[i] as Vec3);
    const centre = scale(quad.reduce((a, b) => add(a, b), [0, 0, 0] as Vec3), 0.25);
    const n = objectDirToWorld(obj.pose.yaw, BOX_NORMALS[f] as Vec3);
    const view = normalize(sub(camera.position, centre));
    if (dot(n, view) <= 1e-9) continue;
    const pts = toPixels(camera, quad);
    fillPolygon(ctx, pts, css(litColour(prim.material.colour, n, view, lighting, prim.material.gloss)));
    outline(ctx, pts, px);
  }
}

function drawCylinder(ctx: SKRSContext2D, camera: Camera, lighting: Lighting, obj: Drawable, prim: Extract<Primitive, { shape: 'cylinder' }>, px: number): void {
  const [r0, r1] = cylinderRings(prim);
  const w0 = r0.map((p) => objectToWorld(obj.pose, p));
  const w1 = r1.map((p) => objectToWorld(obj.pose, p));
  const p0 = toPixels(camera, w0);
  const p1 = toPixels(camera, w1);
  const hull = convexHull(p0.concat(p1));
  if (hull.length < 3) return;
  const axisLocal = axisVector(prim.axis);
  const axis = objectDirToWorld(obj.pose.yaw, axisLocal);
  const half = prim.length / 2;
  const c0 = objectToWorld(obj.pose, add(prim.centre, scale(axisLocal, -half)));
  const c1 = objectToWorld(obj.pose, add(prim.centre, scale(axisLocal, half)));
  const [q0] = toPixels(camera, [c0]);
  const [q1] = toPixels(camera, [c1]);
  if (!q0 || !q1) return;
  // Screen direction across the silhouette (perpendicular to the projected axis).
  let ax = q1[0] - q0[0];
  let ay = q1[1] - q0[1];
  const alen = Math.hypot(ax, ay);
  if (alen < 1e-6) {
    ax = 0;
    ay = 1;
  } else {
    ax /= alen;
    ay /= alen;
  }
  const perp: Vec2 = [-ay, ax];
  const origin: Vec2 = [(q0[0] + q1[0]) / 2, (q0[1] + q1[1]) / 2];
  let smin = Infinity;
  let smax = -Infinity;
  for (const p of hull) {
    const s = (p[0] - origin[0]) * perp[0] + (p[1] - origin[1]) * perp[1];
    smin = Math.min(smin, s);
    smax = Math.max(smax, s);
  }
  const taper = (prim.radius - prim.radiusTop) / prim.length;
  const mid = objectToWorld(obj.pose, prim.centre);
  const stops: { s: number; colour: Rgb }[] = [];
  for (let i = 0; i < w0.length; i++) {
    const a = w0[i] as Vec3;
    const b = w1[i] as Vec3;
    const centre: Vec3 = scale(add(a, b), 0.5);
    const radial = normalize(sub(centre, add(mid, scale(axis, dot(sub(centre, mid), axis)))));
    const n = normalize(add(radial, scale(axis, taper)));
    const view = normalize(sub(camera.position, centre));
    if (dot(n, view) < -0.05) continue;
    const [pc] = toPixels(camera, [centre]);
    if (!pc) continue;
    const s = (pc[0] - origin[0]) * perp[0] + (pc[1] - origin[1]) * perp[1];
    stops.push({ s, colour: litColour(prim.material.colour, n, view, lighting, prim.material.gloss) });
  }
  stops.sort((x, y) => x.s - y.s);
  const span = smax - smin;
  if (span > 1e-6 && stops.length > 0) {
    const g = ctx.createLinearGradient(origin[0] + perp[0] * smin, origin[1] + perp[1] * smin, origin[0] + perp[0] * smax, origin[1] + perp[1] * smax);
    // A handful of stops is enough for a smooth shade (and each stop costs a native call).
    const step = Math.max(1, Math.ceil(stops.length / MAX_GRADIENT_STOPS));
    for (let i = 0; i < stops.length; i += step) {
      const st = stops[i] as { s: number; colour: Rgb };
      g.addColorStop(Math.min(1, Math.max(0, (st.s - smin) / span)), css(st.colour));
    }
    const last = stops[stops.length - 1] as { s: number; colour: Rgb };
    if ((stops.length - 1) % step !== 0) g.addColorStop(Math.min(1, Math.max(0, (last.s - smin) / span)), css(last.colour));
    ctx.beginPath();
    ctx.moveTo((hull[0] as Vec2)[0], (hull[0] as Vec2)[1]);
    for (let i = 1; i < hull.length; i++) ctx.lineTo((hull[i] as Vec2)[0], (hull[i] as Vec2)[1]);
    ctx.closePath();
    ctx.fillStyle = g;
    ctx.fill();
  } else {
    fillPolygon(ctx, hull, css(litColour(prim.material.colour, [0, 0, 1], [0, 0, 1], lighting)));
  }
  // End caps facing the camera.
  for (const [ring, centre, sign] of [
    [w0, c0, -1],
    [w1, c1, 1],
  ] as const) {
    const n = scale(axis, sign);
    const view = normalize(sub(camera.position, centre));
    if (dot(n, view) <= 1e-9) continue;
    const pts = toPixels(camera, ring);
    const capColour = litColour(prim.material.colour, n, view, lighting, prim.material.gloss);
    fillPolygon(ctx, pts, css(capColour));
    if (prim.material.opening && sign > 0) {
      const inner = ring.map((p) => add(centre, scale(sub(p, centre), 0.84)));
      const innerPts = toPixels(camera, inner);
      const dark = litColour(prim.material.colour, [0, 0, 1], view, { ...lighting, ambient: lighting.ambient * 0.55, diffuse: lighting.diffuse * 0.35 });
      fillPolygon(ctx, innerPts, css(dark));
      // The lit inner wall on the far side of the opening.
      const far = inner.map((p) => add(p, [0, 0, -Math.min(prim.length * 0.6, 0.025)]));
      const farPts = toPixels(camera, far);
      ctx.save();
      ctx.beginPath();
      ctx.moveTo((innerPts[0] as Vec2)[0], (innerPts[0] as Vec2)[1]);
      for (let i = 1; i < innerPts.length; i++) ctx.lineTo((innerPts[i] as Vec2)[0], (innerPts[i] as Vec2)[1]);
      ctx.closePath();
      ctx.clip();
      fillPolygon(ctx, farPts, css(mixColour(dark, capColour, 0.25)));
      ctx.restore();
    }
    outline(ctx, pts, px);
  }
}

function drawEllipsoid(ctx: SKRSContext2D, camera: Camera, lighting: Lighting, obj: Drawable, prim: Extract<Primitive, { shape: 'sphere' }>): void {
  const pts = toPixels(camera, primitiveWorldPoints(obj, prim, camera.position));
  const hull = convexHull(pts);
  if (hull.length < 3) return;
  const centre = objectToWorld(obj.pose, prim.centre);
  const view = normalize(sub(camera.position, centre));
  const r = Math.max(prim.radii[0], prim.radii[1], prim.radii[2]);
  const hiDir = normalize(add(lighting.direction, view));
  const [hc] = toPixels(camera, [add(centre, scale(hiDir, r * 0.55))]);
  const [cc] = toPixels(camera, [centre]);
  if (!hc || !cc) return;
  let radius = 0;
  for (const p of hull) radius = Math.max(radius, Math.hypot(p[0] - hc[0], p[1] - hc[1]));
  const g = ctx.createRadialGradient(hc[0], hc[1], 0, hc[0], hc[1], radius);
  const lit = litColour(prim.material.colour, hiDir, view, lighting, prim.material.gloss);
  const rim = litColour(prim.material.colour, normalize(sub(view, lighting.direction)), view, lighting);
  g.addColorStop(0, css(lit));
  g.addColorStop(0.55, css(mixColour(lit, rim, 0.45)));
  g.addColorStop(1, css(rim));
  ctx.beginPath();
  ctx.moveTo((hull[0] as Vec2)[0], (hull[0] as Vec2)[1]);
  for (let i = 1; i < hull.length; i++) ctx.lineTo((hull[i] as Vec2)[0], (hull[i] as Vec2)[1]);
  ctx.closePath();
  ctx.fillStyle = g;
  ctx.fill();
}

/** A primitive of a drawable and the index of the part it belongs to (-1 for the body). */
export interface PaintedPrimitive {
  readonly prim: Primitive;
  readonly part: number;
}

/**
 * The primitives of one drawable in the order the renderer paints them (far to near by their centres' depth),
 * each with its part index.
 */
export function primitivePaintOrder(camera: Camera, obj: Drawable): PaintedPrimitive[] {
  const prims: PaintedPrimitive[] = obj.body.map((prim) => ({ prim, part: -1 }));
  obj.parts.forEach((part, i) => {
    for (const prim of part.primitives) prims.push({ prim, part: i });
  });
  return prims
    .map((p) => ({ p, depth: cameraDepth(camera, objectToWorld(obj.pose, p.prim.centre)) }))
    .sort((a, b) => b.depth - a.depth)
    .map((x) => x.p);
}

function drawObject(ctx: SKRSContext2D, camera: Camera, lighting: Lighting, obj: Drawable, px: number): void {
  for (const { prim } of primitivePaintOrder(camera, obj)) {
    if (prim.shape === 'box') drawBox(ctx, camera, lighting, obj, prim, px);
    else if (prim.shape === 'cylinder') drawCylinder(ctx, camera, lighting, obj, prim, px);
    else drawEllipsoid(ctx, camera, lighting, obj, prim);
  }
}

/** The world point whose depth orders an object in the painter's algorithm (footprint centre, mid-height). */
export function paintAnchor(obj: SceneObject): Vec3 {
  return [obj.pose.x, obj.pose.y, objectHeight(obj) / 2];
}

/**
 * Objects in painter order (far to near, by the depth of {@link paintAnchor}): the order the renderer draws
 * them in, so a later object covers an earlier one where they overlap.
 */
export function paintOrder(scene: Scene): SceneObject[] {
  return scene.objects
    .map((o) => ({ o, depth: cameraDepth(scene.camera, paintAnchor(o)) }))
    .sort((a, b) => b.depth - a.depth || a.o.id - b.o.id)
    .map((x) => x.o);
}

/** A drawable of the scene: an object (with its id) or a piece of the robot (`object` undefined). */
export interface PaintedItem {
  readonly drawable: Drawable;
  readonly object: SceneObject | undefined;
}

/**
 * Every object and robot piece in the order the renderer paints them (far to near), so a later item covers
 * an earlier one where they overlap.
 *
 * @example
 * const nearest = scenePaintOrder(scene, scene.camera).at(-1);
 */
export function scenePaintOrder(scene: Scene, camera: Camera = scene.camera): PaintedItem[] {
  const items = scene.objects.map((o) => ({ item: { drawable: o, object: o } as PaintedItem, depth: cameraDepth(camera, paintAnchor(o)) }));
  for (const piece of gripperPieces(scene.gripper)) items.push({ item: { drawable: piece.drawable, object: undefined }, depth: cameraDepth(camera, piece.anchor) });
  return items.sort((a, b) => b.depth - a.depth).map((x) => x.item);
}

function shadowHull(obj: Drawable, prim: Primitive, light: Vec3): Vec2[] {
  const far = add(objectToWorld(obj.pose, prim.centre), scale(light, 100));
  const pts = primitiveWorldPoints(obj, prim, far);
  return convexHull(pts.map((p) => [p[0] - (light[0] * p[2]) / light[2], p[1] - (light[1] * p[2]) / light[2]] as Vec2));
}

function drawShadows(ctx: SKRSContext2D, camera: Camera, scene: Scene, drawables: readonly Drawable[]): void {
  const light = scene.lighting.direction;
  const hulls: Vec2[][] = [];
  for (const obj of drawables) {
    const prims: Primitive[] = obj.body.slice();
    for (const part of obj.parts) prims.push(...part.primitives);
    for (const prim of prims) hulls.push(toPixels(camera, shadowHull(obj, prim, light).map((p) => [p[0], p[1], 0] as Vec3)));
  }
  const pass = (alpha: number, grow: number): void => {
    ctx.beginPath();
    for (const h of hulls) {
      if (h.length < 3) continue;
      let cx = 0;
      let cy = 0;
      for (const p of h) {
        cx += p[0];
        cy += p[1];
      }
      cx /= h.length;
      cy /= h.length;
      const at = (p: Vec2): Vec2 => [cx + (p[0] - cx) * grow, cy + (p[1] - cy) * grow];
      const first = at(h[0] as Vec2);
      ctx.moveTo(first[0], first[1]);
      for (let i = 1; i < h.length; i++) {
        const q = at(h[i] as Vec2);
        ctx.lineTo(q[0], q[1]);
      }
      ctx.closePath();
    }
    ctx.fillStyle = `rgba(20,16,12,${alpha.toFixed(3)})`;
    ctx.fill('nonzero');
  };
  pass(scene.lighting.shadow * 0.45, 1.08);
  pass(scene.lighting.shadow * 0.75, 0.97);
}

/**
 * Draw `scene` into a 2-D context whose canvas has the camera's size.
 *
 * @example
 * const canvas = createCanvas(128, 128);
 * drawScene(canvas.getContext('2d'), scene);
 */
export function drawScene(ctx: SKRSContext2D, scene: Scene, camera: Camera = scene.camera): void {
  const px = camera.width / 128;
  drawTable(ctx, camera, scene, px);
  const robot = gripperPieces(scene.gripper);
  drawShadows(ctx, camera, scene, [...scene.objects, ...robot.map((p) => p.drawable)]);
  for (const item of scenePaintOrder(scene, camera)) drawObject(ctx, camera, scene.lighting, item.drawable, px);
  // Vignette: lens fall-off, part of the lighting noise.
  const g = ctx.createRadialGradient(camera.width / 2, camera.height / 2, camera.width * 0.3, camera.width / 2, camera.height / 2, camera.width * 0.75);
  g.addColorStop(0, 'rgba(0,0,0,0)');
  g.addColorStop(1, 'rgba(0,0,0,0.18)');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, camera.width, camera.height);
}

/**
 * Render `scene` to PNG bytes (deterministic for a given scene and size).
 *
 * @example
 * await writeFile('scene.png', renderScenePng(scene));
 */
export function renderScenePng(scene: Scene, options: RenderOptions = {}): Buffer {
  const width = options.width ?? scene.camera.width;
  const height = options.height ?? scene.camera.height;
  const camera = width === scene.camera.width && height === scene.camera.height ? scene.camera : resizeCamera(scene.camera, width, height);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  drawScene(ctx, scene, camera);
  return canvas.encodeSync('png');
}
