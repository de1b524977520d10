/**
 * What the camera sees at each cell of a coarse grid: which object (or the robot, or the table) and which of
 * its parts. The labels follow the renderer's painter order, so an occluded object loses the cells its
 * occluder covers. They are the dense annotation that comes with every synthetic image (the perception
 * targets of SFT; see `src/train/perception.ts`).
 */
import { primitiveHull } from './geometry.js';
import { pointInConvexPolygon } from './polygon.js';
import { primitivePaintOrder, scenePaintOrder } from './render.js';
import type { Scene } from './types.js';
import type { Vec2 } from './vec.js';

/** Cell code of the table (nothing else covers the cell centre). */
export const TABLE_CELL = '.';
/** Cell code of the robot (arm and gripper). */
export const ROBOT_CELL = '#';
/** Cell code of "no part" in the part grid. */
export const NO_PART_CELL = '.';

/** One object as the label grid names it. */
export interface LabelledObject {
  readonly category: string;
  readonly colour: string;
  /** Part names in the object's order (the part grid's digits index this list). */
  readonly parts: readonly string[];
}

/** The dense labels of one image. */
export interface SceneLabels {
  /** Cells per side (the grid covers the whole image). */
  readonly grid: number;
  /** The scene's objects in `Scene.objects` order. */
  readonly objects: readonly LabelledObject[];
  /**
   * Row-major `grid²` characters: `A` + i for object i, {@link ROBOT_CELL} for the robot, {@link TABLE_CELL}
   * for the table.
   */
  readonly instances: string;
  /** Row-major `grid²` characters: the digit of the part of the cell's object, or {@link NO_PART_CELL}. */
  readonly parts: string;
}

/** Most objects and parts a label grid can name (`A`–`Z`, `0`–`9`). */
export const MAX_LABELLED_OBJECTS = 26;
const MAX_PARTS = 10;

/**
 * Label the centre of every cell of a `grid × grid` partition of the image with the object, robot piece or
 * table the renderer paints last there (and the object's part, when a part primitive is painted last).
 *
 * @example
 * const labels = sceneLabelGrid(scene, 16);
 * labels.instances.length; // 256
 */
export function sceneLabelGrid(scene: Scene, grid: number): SceneLabels {
  if (!Number.isInteger(grid) || grid < 1) throw new RangeError(`sceneLabelGrid: grid must be a positive integer, got ${grid}`);
  if (scene.objects.length > MAX_LABELLED_OBJECTS) throw new RangeError(`sceneLabelGrid: at most ${MAX_LABELLED_OBJECTS} objects`);
  const camera = scene.camera;
  const instances = new Array<string>(grid * grid).fill(TABLE_CELL);
  const parts = new Array<string>(grid * grid).fill(NO_PART_CELL);
  const centres: Vec2[] = [];
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) centres.push([((col + 0.5) / grid) * camera.width, ((row + 0.5) / grid) * camera.height]);
  }
  for (const item of scenePaintOrder(scene, camera)) {
    const code = item.object === undefined ? ROBOT_CELL : String.fromCharCode(65 + item.object.id);
    for (const { prim, part } of primitivePaintOrder(camera, item.drawable)) {
      const hull = primitiveHull(camera, item.drawable, prim);
      if (hull.length < 3) continue;
      const partCode = part >= 0 && part < MAX_PARTS ? String(part) : NO_PART_CELL;
      centres.forEach((c, i) => {
        if (!pointInConvexPolygon(c, hull)) return;
        instances[i] = code;
        parts[i] = partCode;
      });
    }
  }
  return {
    grid,
    objects: scene.objects.map((o) => ({ category: o.category, colour: o.colour, parts: o.parts.map((p) => p.name) })),
    instances: instances.join(''),
    parts: parts.join(''),
  };
}
