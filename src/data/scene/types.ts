/**
 * The 3-D scene graph of the procedural tabletop: the data the renderer draws, the task builder reasons about
 * and the simulator will load. Units are metres and radians.
 *
 * World frame: the table top is the plane z = 0; +x points to the right of the camera's view, +y away from the
 * camera (into the scene), +z up. Object frame: origin at the centre of the object's footprint on the table, z
 * up, rotated by the object's yaw about z.
 */
import type { Vec3 } from './vec.js';

/** An sRGB colour, components 0–255. */
export type Rgb = readonly [number, number, number];

/** The names of the actionable parts (the affordance regions). `body` is the whole object (fruit, blocks). */
export type PartName = 'handle' | 'rim' | 'lid' | 'cap' | 'grip' | 'pull' | 'top' | 'body';

/** Surface appearance of a primitive. */
export interface Material {
  readonly colour: Rgb;
  /** Draw the top face as an opening (the dark inside of a mug, cup or bowl). */
  readonly opening?: boolean;
  /** Specular highlight strength 0–1 (glass, metal, glossy plastic). */
  readonly gloss?: number;
}

/** A solid primitive in its object's frame. Boxes are axis-aligned in that frame. */
export type Primitive =
  | {
      readonly shape: 'box';
      /** Centre of the box. */
      readonly centre: Vec3;
      /** Full extents along the object-frame x, y, z axes. */
      readonly size: Vec3;
      readonly material: Material;
    }
  | {
      readonly shape: 'cylinder';
      /** Centre of the cylinder (midway along its axis). */
      readonly centre: Vec3;
      /** Object-frame axis the cylinder runs along. */
      readonly axis: 'x' | 'y' | 'z';
      /** Radius at the low end (−axis side). */
      readonly radius: number;
      /** Radius at the high end (+axis side); a frustum when it differs from `radius`. */
      readonly radiusTop: number;
      /** Length along the axis. */
      readonly length: number;
      readonly material: Material;
    }
  | {
      readonly shape: 'sphere';
      readonly centre: Vec3;
      /** Semi-axes along the object-frame x, y, z (equal for a sphere), before `yaw`. */
      readonly radii: Vec3;
      /** Extra rotation about the vertical axis, relative to the object frame (radians, default 0). */
      readonly yaw?: number;
      readonly material: Material;
    };

/** An actionable part of an object: its own primitives and the point a gripper aims at. */
export interface Part {
  readonly name: PartName;
  /** Primitives that make up the part (object frame); they are also drawn as part of the object. */
  readonly primitives: readonly Primitive[];
  /** Where an end-effector grasps or touches the part (object frame). */
  readonly grasp: Vec3;
}

/** An object's pose on the table. */
export interface Pose {
  /** Footprint centre on the table (metres). */
  readonly x: number;
  readonly y: number;
  /** Rotation about the world z axis (radians). */
  readonly yaw: number;
}

/** One object on the table. */
export interface SceneObject {
  /** Index in `Scene.objects`. */
  readonly id: number;
  /** Category key from the catalogue (e.g. `mug`). */
  readonly category: string;
  /** Colour name used in language (e.g. `red`). */
  readonly colour: string;
  /** Uniform size factor relative to the category's nominal size. */
  readonly scale: number;
  readonly pose: Pose;
  /** Primitives of the object's body, excluding its parts (object frame). */
  readonly body: readonly Primitive[];
  /** Actionable parts (object frame). */
  readonly parts: readonly Part[];
}

/** The table's surface pattern. */
export interface TableTexture {
  readonly kind: 'wood' | 'tiles' | 'cloth' | 'plain';
  readonly base: Rgb;
  readonly accent: Rgb;
  /** Pattern spacing (metres). */
  readonly spacing: number;
  /** Pattern rotation on the table (radians). */
  readonly angle: number;
  /** Seed for the pattern's fine detail (grain, speckles). */
  readonly detailSeed: number;
}

/** The table: a rectangle of the plane z = 0, and the wall behind it. */
export interface Table {
  /** Extent in x: [minX, maxX]. */
  readonly xRange: readonly [number, number];
  /** Extent in y: [minY, maxY]; the far edge maxY is where the wall begins. */
  readonly yRange: readonly [number, number];
  readonly texture: TableTexture;
  readonly wall: Rgb;
  readonly floor: Rgb;
}

/**
 * A pinhole camera. Camera frame (OpenCV convention): x right, y down, z forward (the viewing direction).
 * A world point p maps to camera coordinates `c = R (p − position)`, then to pixels
 * `u = fx · c.x / c.z + cx`, `v = fy · c.y / c.z + cy`, with (0, 0) the top-left corner of the image.
 */
export interface Camera {
  /** Image size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Focal lengths and principal point, in pixels. */
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
  /** Camera centre in the world (metres). */
  readonly position: Vec3;
  /** World-to-camera rotation, rows are the camera x, y, z axes expressed in world coordinates. */
  readonly rotation: readonly [Vec3, Vec3, Vec3];
}

/** The robot's end-effector: a parallel gripper hanging from a vertical wrist. */
export interface Gripper {
  /** Tool centre point (between the finger tips), world metres. */
  readonly position: Vec3;
  /** Rotation of the finger plane about z (radians). */
  readonly yaw: number;
  /** Finger opening (metres). */
  readonly opening: number;
}

/** Scene lighting: one directional light plus ambient, with per-scene noise. */
export interface Lighting {
  /** Unit vector from the scene towards the light (z > 0). */
  readonly direction: Vec3;
  readonly ambient: number;
  readonly diffuse: number;
  /** Multiplicative colour tint of the light. */
  readonly tint: readonly [number, number, number];
  /** Darkness of cast shadows, 0–1. */
  readonly shadow: number;
}

/** A complete tabletop scene. */
export interface Scene {
  /** Name of the layout family the scene was sampled from (e.g. `scattered`). */
  readonly layout: string;
  readonly table: Table;
  readonly objects: readonly SceneObject[];
  readonly camera: Camera;
  readonly gripper: Gripper;
  readonly lighting: Lighting;
}
