/**
 * Sample a random tabletop scene: table and texture, camera, lighting, objects with poses that neither overlap
 * nor leave the image, and the gripper hovering somewhere free. Pure given the {@link Random} stream.
 */
import { createLookAtCamera } from './camera.js';
import { categoryByName, scalePart, scalePrimitive, type Category } from './catalog.js';
import { jitterColour, mixColour } from './colours.js';
import type { LayoutSpec, SceneDistribution } from './distribution.js';
import { footprintExtents, footprintPolygon, objectPixelBox, projectPoints } from './geometry.js';
import { polygonDistance, pointPolygonDistance } from './polygon.js';
import type { Random } from './random.js';
import type { Camera, Gripper, Lighting, Rgb, Scene, SceneObject, Table, TableTexture } from './types.js';
import { normalize, type Vec2, type Vec3 } from './vec.js';

/** A request for one object of the scene (unset fields are sampled from the distribution). */
export interface ObjectRequest {
  readonly category?: string;
  readonly colour?: string;
  /** Restrict the category to these (ignored when `category` is set). */
  readonly categories?: readonly string[];
  /** Restrict the colour to these (ignored when `colour` is set). */
  readonly colours?: readonly string[];
  /** Place it between the camera and object `inFrontOf` (an index of an earlier request), as an occluder. */
  readonly inFrontOf?: number;
}

/** Options of {@link sampleScene}. */
export interface SampleSceneOptions {
  /** Image size in pixels (square). */
  readonly size: number;
  readonly distribution: SceneDistribution;
  /** Objects that must be present, placed first, in order (`objects[i]` is request i). */
  readonly required?: readonly ObjectRequest[];
  /** Use this layout instead of picking one from the distribution. */
  readonly layout?: LayoutSpec;
}

/** Fraction of the image kept free at the border: every object and the gripper lie inside it. */
export const IMAGE_MARGIN = 0.03;

const TABLE_TEXTURES: readonly { kind: TableTexture['kind']; base: Rgb; accent: Rgb; spacing: readonly [number, number] }[] = [
  { kind: 'wood', base: [176, 128, 84], accent: [142, 98, 60], spacing: [0.1, 0.16] },
  { kind: 'wood', base: [204, 168, 120], accent: [174, 136, 92], spacing: [0.12, 0.2] },
  { kind: 'wood', base: [118, 82, 54], accent: [92, 62, 40], spacing: [0.1, 0.16] },
  { kind: 'tiles', base: [214, 212, 204], accent: [168, 166, 160], spacing: [0.1, 0.15] },
  { kind: 'tiles', base: [186, 196, 200], accent: [150, 160, 166], spacing: [0.08, 0.12] },
  { kind: 'cloth', base: [196, 206, 180], accent: [170, 184, 150], spacing: [0.04, 0.06] },
  { kind: 'cloth', base: [210, 196, 176], accent: [180, 164, 142], spacing: [0.04, 0.06] },
  { kind: 'plain', base: [150, 152, 156], accent: [132, 134, 138], spacing: [0.02, 0.03] },
  { kind: 'plain', base: [224, 220, 210], accent: [204, 200, 190], spacing: [0.02, 0.03] },
];

const WALLS: readonly Rgb[] = [
  [226, 222, 212],
  [204, 214, 222],
  [214, 206, 190],
  [190, 196, 188],
  [232, 232, 232],
];

function sampleTable(random: Random): Table {
  const t = random.pick(TABLE_TEXTURES);
  const texture: TableTexture = {
    kind: t.kind,
    base: jitterColour(t.base, random, 10),
    accent: jitterColour(t.accent, random, 8),
    spacing: random.float(t.spacing[0], t.spacing[1]),
    angle: t.kind === 'wood' ? random.pick([0, Math.PI / 2]) + random.float(-0.08, 0.08) : random.float(-0.3, 0.3),
    detailSeed: random.nextUint32(),
  };
  const wall = jitterColour(random.pick(WALLS), random, 8);
  return { xRange: [-0.75, 0.75], yRange: [-0.6, random.float(0.38, 0.5)], texture, wall, floor: mixColour(wall, [60, 50, 40], 0.6) };
}

function sampleCamera(random: Random, layout: LayoutSpec, size: number): Camera {
  const elevation = random.float(layout.elevation[0], layout.elevation[1]);
  const distance = random.float(layout.distance[0], layout.distance[1]);
  const azimuth = random.float(-layout.azimuth, layout.azimuth);
  const target: Vec3 = [random.float(-0.02, 0.02), random.float(0.0, 0.04), 0];
  const horizontal = distance * Math.cos(elevation);
  const position: Vec3 = [target[0] + horizontal * Math.sin(azimuth), target[1] - horizontal * Math.cos(azimuth), distance * Math.sin(elevation)];
  return createLookAtCamera({ width: size, height: size, fovY: random.float(layout.fovY[0], layout.fovY[1]), position, target });
}

function sampleLighting(random: Random): Lighting {
  const azimuth = random.float(0, 2 * Math.PI);
  const elevation = random.float(0.7, 1.3);
  const direction = normalize([Math.cos(azimuth) * Math.cos(elevation), Math.sin(azimuth) * Math.cos(elevation), Math.sin(elevation)]);
  const warm = random.float(-0.05, 0.05);
  return {
    direction,
    ambient: random.float(0.48, 0.62),
    diffuse: random.float(0.42, 0.6),
    tint: [1 + warm, 1, 1 - warm],
    shadow: random.float(0.18, 0.34),
  };
}

/** A colour for an object: the requested one, else one of the requested or allowed colours the category comes in. */
function chooseColour(random: Random, category: Category, allowed: readonly string[], request?: ObjectRequest): string | undefined {
  if (request?.colour) return request.colour;
  const wanted = request?.colours ?? allowed;
  const pool = category.colours.filter((c) => wanted.includes(c));
  return pool.length > 0 ? random.pick(pool) : undefined;
}

function buildObject(random: Random, id: number, category: Category, colour: string, pose: { x: number; y: number; yaw: number }): SceneObject {
  const s = random.float(category.scaleRange[0], category.scaleRange[1]);
  const built = category.build(colour, random);
  return {
    id,
    category: category.name,
    colour,
    scale: s,
    pose,
    body: built.body.map((p) => scalePrimitive(p, s)),
    parts: built.parts.map((p) => scalePart(p, s)),
  };
}

/** Half the larger footprint extent of an object (metres): a rough radius for spacing. */
function footprintRadius(obj: SceneObject): number {
  const [x0, y0, x1, y1] = footprintExtents(obj);
  return Math.max(x1 - x0, y1 - y0) / 2;
}

function insideImage(camera: Camera, box: readonly [number, number, number, number]): boolean {
  const mx = IMAGE_MARGIN * camera.width;
  const my = IMAGE_MARGIN * camera.height;
  return box[0] >= mx && box[1] >= my && box[2] <= camera.width - mx && box[3] <= camera.height - my;
}

/** How far from every object footprint the gripper hovers at least (metres). */
export const GRIPPER_CLEARANCE = 0.07;

function gripperPoints(g: Gripper): Vec3[] {
  const [x, y, z] = g.position;
  const c = Math.cos(g.yaw);
  const s = Math.sin(g.yaw);
  const half = g.opening / 2 + 0.01;
  return [
    [x + c * half, y + s * half, z],
    [x - c * half, y - s * half, z],
    [x + c * half, y + s * half, z + 0.06],
    [x - c * half, y - s * half, z + 0.06],
  ];
}

/**
 * Sample a scene, or `undefined` when the requested objects or the gripper could not be placed (the caller
 * retries with the same stream, so the result stays deterministic).
 *
 * @example
 * const scene = sampleScene(new Random(1), { size: 128, distribution: IN_DOMAIN, required: [{ category: 'mug' }] });
 */
export function sampleScene(random: Random, options: SampleSceneOptions): Scene | undefined {
  const layout = options.layout ?? random.pick(options.distribution.layouts);
  const table = sampleTable(random);
  const camera = sampleCamera(random, layout, options.size);
  const lighting = sampleLighting(random);
  const required = options.required ?? [];
  const count = Math.max(required.length, random.int(layout.objectCount[0], layout.objectCount[1]));
  const objects: SceneObject[] = [];
  const footprints: Vec2[][] = [];
  for (let i = 0; i < count; i++) {
    const request = required[i];
    const names = request?.category ? [request.category] : (request?.categories ?? options.distribution.categories);
    let placed = false;
    for (let attempt = 0; attempt < 40 && !placed; attempt++) {
      const category = categoryByName(random.pick(names));
      const colour = chooseColour(random, category, options.distribution.colours, request);
      if (colour === undefined) return undefined;
      const yaw = category.facesCamera ? random.float(-0.45, 0.45) : random.float(-Math.PI, Math.PI);
      const free = { x: random.float(-layout.region[0], layout.region[0]), y: random.float(-layout.region[1], layout.region[1]) + 0.03, yaw };
      let obj = buildObject(random, objects.length, category, colour, free);
      const behind = request?.inFrontOf !== undefined ? objects[request.inFrontOf] : undefined;
      if (behind) {
        // Towards the camera from the object behind, just clear of it, with some sideways slack.
        const dx = camera.position[0] - behind.pose.x;
        const dy = camera.position[1] - behind.pose.y;
        const len = Math.hypot(dx, dy) || 1;
        const along = footprintRadius(behind) + footprintRadius(obj) + random.float(layout.minGap, layout.minGap + 0.02);
        const side = random.float(-0.03, 0.03);
        obj = { ...obj, pose: { x: behind.pose.x + (dx / len) * along - (dy / len) * side, y: behind.pose.y + (dy / len) * along + (dx / len) * side, yaw } };
      }
      const footprint = footprintPolygon(obj);
      if (footprints.some((f) => polygonDistance(f, footprint) < layout.minGap)) continue;
      if (!insideImage(camera, objectPixelBox(camera, obj))) continue;
      objects.push(obj);
      footprints.push(footprint);
      placed = true;
    }
    if (!placed && i < required.length) return undefined;
  }
  if (objects.length < layout.objectCount[0]) return undefined;
  let gripper: Gripper | undefined;
  for (let attempt = 0; attempt < 40 && !gripper; attempt++) {
    const g: Gripper = {
      position: [random.float(-layout.region[0] - 0.04, layout.region[0] + 0.04), random.float(-layout.region[1] - 0.04, layout.region[1] + 0.08), random.float(0.14, 0.22)],
      yaw: random.float(-0.6, 0.6),
      opening: random.float(0.04, 0.065),
    };
    const xy: Vec2 = [g.position[0], g.position[1]];
    if (footprints.some((f) => pointPolygonDistance(xy, f) < GRIPPER_CLEARANCE)) continue;
    const pts = projectPoints(camera, gripperPoints(g));
    if (pts.length < 4 || pts.some((p) => p[0] < IMAGE_MARGIN * camera.width * 2 || p[0] > camera.width * (1 - 2 * IMAGE_MARGIN) || p[1] < camera.height * 0.12 || p[1] > camera.height * (1 - 2 * IMAGE_MARGIN))) continue;
    gripper = g;
  }
  if (!gripper) return undefined;
  return { layout: layout.name, table, objects, camera, gripper, lighting };
}
