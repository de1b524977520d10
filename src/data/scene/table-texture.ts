/**
 * The background of a scene: the wall, and the table top with its texture (wood planks and grain, tiles,
 * gingham cloth or speckled laminate) drawn in table coordinates and projected, so the pattern has the
 * perspective of the camera.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { NEAR_PLANE, normalisedToPlane, projectCameraPoint, worldToCamera } from './camera.js';
import { clampByte, css, mixColour, shade } from './colours.js';
import { Random } from './random.js';
import type { Camera, Rgb, Scene } from './types.js';
import type { Vec2, Vec3 } from './vec.js';

/** Clip a world polygon against the camera's near plane and project it to pixels. */
export function projectPolygon(camera: Camera, poly: readonly Vec3[]): Vec2[] {
  const cam = poly.map((p) => worldToCamera(camera, p));
  const out: Vec2[] = [];
  for (let i = 0; i < cam.length; i++) {
    const a = cam[i] as Vec3;
    const b = cam[(i + 1) % cam.length] as Vec3;
    const ina = a[2] >= NEAR_PLANE;
    const inb = b[2] >= NEAR_PLANE;
    if (ina) out.push(projectCameraPoint(camera, a));
    if (ina !== inb) {
      const t = (NEAR_PLANE - a[2]) / (b[2] - a[2]);
      out.push(projectCameraPoint(camera, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), NEAR_PLANE]));
    }
  }
  return out;
}

function path(ctx: SKRSContext2D, pts: readonly Vec2[]): void {
  ctx.beginPath();
  if (pts.length === 0) return;
  ctx.moveTo((pts[0] as Vec2)[0], (pts[0] as Vec2)[1]);
  for (let i = 1; i < pts.length; i++) ctx.lineTo((pts[i] as Vec2)[0], (pts[i] as Vec2)[1]);
  ctx.closePath();
}

function polyline(ctx: SKRSContext2D, camera: Camera, pts: readonly Vec3[]): void {
  const px = projectPolygon(camera, pts).slice(0, pts.length);
  if (px.length < 2) return;
  ctx.beginPath();
  ctx.moveTo((px[0] as Vec2)[0], (px[0] as Vec2)[1]);
  for (let i = 1; i < px.length; i++) ctx.lineTo((px[i] as Vec2)[0], (px[i] as Vec2)[1]);
  ctx.stroke();
}

/** A point of the table plane in pattern coordinates (u along, v across), rotated by `angle`, at z = 0. */
function patternPoint(u: number, v: number, angle: number): Vec3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return [c * u - s * v, s * u + c * v, 0];
}

/**
 * Bounds, in pattern coordinates (u along, v across the pattern, rotated by `angle`), of the part of the table
 * the camera sees: image-border rays meet the table plane, clamped to the table. Patterns are drawn only there.
 */
export function visiblePatternBounds(camera: Camera, table: Scene['table'], angle: number): readonly [number, number, number, number] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  let u0 = Infinity;
  let v0 = Infinity;
  let u1 = -Infinity;
  let v1 = -Infinity;
  const steps = 8;
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    for (const [x, y] of [
      [t, 0],
      [t, 1],
      [0, t],
      [1, t],
    ] as const) {
      const p = normalisedToPlane(camera, x, y);
      if (!p) continue;
      const wx = Math.min(table.xRange[1], Math.max(table.xRange[0], p[0]));
      const wy = Math.min(table.yRange[1], Math.max(table.yRange[0], p[1]));
      const u = c * wx + s * wy;
      const v = -s * wx + c * wy;
      u0 = Math.min(u0, u);
      u1 = Math.max(u1, u);
      v0 = Math.min(v0, v);
      v1 = Math.max(v1, v);
    }
  }
  if (!Number.isFinite(u0)) return [-1.1, -1.1, 1.1, 1.1];
  return [u0, v0, u1, v1];
}

function tableBrightness(scene: Scene): Rgb {
  const { ambient, diffuse, direction, tint } = scene.lighting;
  const b = ambient + diffuse * Math.max(0, direction[2]);
  return [b * tint[0], b * tint[1], b * tint[2]];
}

function lit(rgb: Rgb, b: Rgb): string {
  return css([clampByte(rgb[0] * b[0]), clampByte(rgb[1] * b[1]), clampByte(rgb[2] * b[2])]);
}

/**
 * Draw the wall and the textured table top.
 *
 * @example
 * drawTable(ctx, scene.camera, scene, 1);
 */
export function drawTable(ctx: SKRSContext2D, camera: Camera, scene: Scene, px: number): void {
  const { table } = scene;
  const b = tableBrightness(scene);
  const wall = ctx.createLinearGradient(0, 0, 0, camera.height * 0.5);
  wall.addColorStop(0, lit(shade(table.wall, 0.92), b));
  wall.addColorStop(1, lit(table.wall, b));
  ctx.fillStyle = wall;
  ctx.fillRect(0, 0, camera.width, camera.height);
  const [x0, x1] = table.xRange;
  const [y0, y1] = table.yRange;
  // The table's front-facing edge band just below the far edge is not visible; draw a skirting line at the wall.
  const top = projectPolygon(camera, [
    [x0, y0, 0],
    [x1, y0, 0],
    [x1, y1, 0],
    [x0, y1, 0],
  ]);
  path(ctx, top);
  const tex = table.texture;
  ctx.fillStyle = lit(tex.base, b);
  ctx.fill();
  ctx.save();
  path(ctx, top);
  ctx.clip();
  const detail = new Random(tex.detailSeed);
  const spacing = tex.spacing;
  const a = tex.angle;
  const [bu0, bv0, bu1, bv1] = visiblePatternBounds(camera, table, a);
  // Pattern lines sit on multiples of the spacing (so the pattern does not move with the view).
  const uStart = Math.floor(bu0 / spacing) * spacing;
  const vStart = Math.floor(bv0 / spacing) * spacing;
  const uEnd = bu1 + 1e-9;
  const vEnd = bv1 + 1e-9;
  ctx.lineCap = 'round';
  if (tex.kind === 'wood') {
    for (let v = vStart; v < vEnd; v += spacing) {
      const plank = shade(tex.base, detail.float(0.92, 1.08));
      path(ctx, projectPolygon(camera, [patternPoint(bu0, v, a), patternPoint(bu1, v, a), patternPoint(bu1, v + spacing, a), patternPoint(bu0, v + spacing, a)]));
      ctx.fillStyle = lit(plank, b);
      ctx.fill();
      ctx.strokeStyle = css(mixColour(tex.accent, [0, 0, 0], 0.15), 0.45);
      ctx.lineWidth = 0.6 * px;
      for (let k = 0; k < 4; k++) {
        const base = v + detail.float(0.1, 0.9) * spacing;
        const amp = detail.float(0.002, 0.006);
        const freq = detail.float(4, 9);
        const phase = detail.float(0, 6.28);
        const pts: Vec3[] = [];
        for (let u = uStart; u <= uEnd + 0.1; u += 0.1) pts.push(patternPoint(u, base + amp * Math.sin(freq * u + phase), a));
        ctx.strokeStyle = css(tex.accent, detail.float(0.15, 0.35));
        polyline(ctx, camera, pts);
      }
      ctx.strokeStyle = css(shade(tex.accent, 0.7), 0.6);
      ctx.lineWidth = 0.8 * px;
      polyline(ctx, camera, [patternPoint(bu0, v, a), patternPoint(bu1, v, a)]);
    }
  } else if (tex.kind === 'tiles') {
    for (let v = vStart; v < vEnd; v += spacing) {
      for (let u = uStart; u < uEnd; u += spacing) {
        path(ctx, projectPolygon(camera, [patternPoint(u, v, a), patternPoint(u + spacing, v, a), patternPoint(u + spacing, v + spacing, a), patternPoint(u, v + spacing, a)]));
        ctx.fillStyle = lit(shade(tex.base, detail.float(0.95, 1.05)), b);
        ctx.fill();
      }
    }
    ctx.strokeStyle = lit(tex.accent, b);
    ctx.lineWidth = 1.1 * px;
    for (let v = vStart; v < vEnd; v += spacing) polyline(ctx, camera, [patternPoint(bu0, v, a), patternPoint(bu1, v, a)]);
    for (let u = uStart; u < uEnd; u += spacing) polyline(ctx, camera, [patternPoint(u, bv0, a), patternPoint(u, bv1, a)]);
  } else if (tex.kind === 'cloth') {
    const stripe = spacing / 2;
    ctx.fillStyle = css([clampByte(tex.accent[0] * b[0]), clampByte(tex.accent[1] * b[1]), clampByte(tex.accent[2] * b[2])], 0.5);
    for (let v = vStart; v < vEnd; v += spacing) {
      path(ctx, projectPolygon(camera, [patternPoint(bu0, v, a), patternPoint(bu1, v, a), patternPoint(bu1, v + stripe, a), patternPoint(bu0, v + stripe, a)]));
      ctx.fill();
    }
    for (let u = uStart; u < uEnd; u += spacing) {
      path(ctx, projectPolygon(camera, [patternPoint(u, bv0, a), patternPoint(u + stripe, bv0, a), patternPoint(u + stripe, bv1, a), patternPoint(u, bv1, a)]));
      ctx.fill();
    }
  } else {
    for (let i = 0; i < 140; i++) {
      const p = patternPoint(detail.float(bu0, bu1), detail.float(bv0, bv1), a);
      const s = 0.004;
      path(ctx, projectPolygon(camera, [p, [p[0] + s, p[1], 0], [p[0] + s, p[1] + s, 0], [p[0], p[1] + s, 0]]));
      ctx.fillStyle = detail.bool() ? 'rgba(0,0,0,0.10)' : 'rgba(255,255,255,0.14)';
      ctx.fill();
    }
  }
  // Soft light pool on the table, off-centre towards the light.
  const [lx, ly] = [scene.lighting.direction[0] * 0.25, scene.lighting.direction[1] * 0.25];
  const centre = projectPolygon(camera, [[lx, ly, 0]])[0];
  if (centre) {
    const g = ctx.createRadialGradient(centre[0], centre[1], 0, centre[0], centre[1], camera.width * 0.9);
    g.addColorStop(0, 'rgba(255,250,240,0.10)');
    g.addColorStop(1, 'rgba(0,0,0,0.10)');
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, camera.width, camera.height);
  }
  ctx.restore();
  // The table's far edge against the wall.
  ctx.strokeStyle = css(shade(tex.base, 0.55), 0.8);
  ctx.lineWidth = 1.2 * px;
  polyline(ctx, camera, [
    [x0, y1, 0],
    [x1, y1, 0],
  ]);
}
