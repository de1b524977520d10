/**
 * The object catalogue: every category's 3-D build (body and actionable parts as primitives in the object
 * frame, metres at scale 1), its colours, its actionable part and whether it can hold other objects.
 *
 * Object frame: origin at the footprint centre on the table, z up. Handles stick out along +x; drawers face −y.
 */
import { colourValue, jitterColour, mixColour, shade } from './colours.js';
import type { Random } from './random.js';
import type { Material, Part, PartName, Primitive, Rgb } from './types.js';
import type { Vec3 } from './vec.js';

/** One object category. */
export interface Category {
  /** Key and the noun instructions use. */
  readonly name: string;
  /** The actionable part named by affordance instructions. */
  readonly part: PartName;
  /** Colour names this category comes in. */
  readonly colours: readonly string[];
  /** Can hold other objects: `in` (bowl, pan), `on` (box lid), or not at all. */
  readonly container?: 'in' | 'on';
  /** Can be picked up and moved. */
  readonly movable: boolean;
  /** Keep its front (−y face) towards the camera (yaw limited to ±0.45 rad). */
  readonly facesCamera?: boolean;
  /** Lies flat and long (tools): its footprint is elongated. */
  readonly elongated?: boolean;
  /** Range of the uniform size factor. */
  readonly scaleRange: readonly [number, number];
  /** Build the primitives at scale 1. */
  build(colour: string, random: Random): { body: Primitive[]; parts: Part[] };
}

const METAL: Rgb = [168, 172, 178];
const DARK_METAL: Rgb = [70, 72, 78];

function mat(colour: Rgb, extra: Partial<Material> = {}): Material {
  return { colour, ...extra };
}

function box(centre: Vec3, size: Vec3, material: Material): Primitive {
  return { shape: 'box', centre, size, material };
}

function cyl(centre: Vec3, axis: 'x' | 'y' | 'z', radius: number, length: number, material: Material, radiusTop = radius): Primitive {
  return { shape: 'cylinder', centre, axis, radius, radiusTop, length, material };
}

function ellipsoid(centre: Vec3, radii: Vec3, material: Material): Primitive {
  return { shape: 'sphere', centre, radii, material };
}

/** A C-shaped handle on the +x side of a vertical body of radius `r`, between heights z0 and z1. */
function loopHandle(r: number, z0: number, z1: number, reach: number, thick: number, material: Material): Primitive[] {
  const mid = (z0 + z1) / 2;
  return [
    box([r + reach / 2 - thick / 2, 0, z1 - thick / 2], [reach + thick, thick * 0.9, thick], material),
    box([r + reach, 0, mid], [thick, thick * 0.9, z1 - z0], material),
    box([r + reach / 2 - thick / 2, 0, z0 + thick / 2], [reach + thick, thick * 0.9, thick], material),
  ];
}

/** Natural colours of fruit (names map to their own sRGB values). */
const FRUIT_RGB: Readonly<Record<string, Rgb>> = {
  'apple:red': [178, 30, 36],
  'apple:green': [118, 176, 58],
  'apple:yellow': [226, 196, 72],
  'orange:orange': [240, 136, 28],
  'banana:yellow': [236, 206, 70],
  'pear:green': [150, 184, 70],
  'pear:yellow': [216, 196, 92],
};

function fruitRgb(category: string, colour: string, random: Random): Rgb {
  return jitterColour(FRUIT_RGB[`${category}:${colour}`] ?? colourValue(colour), random, 10);
}

/** Colours of manufactured objects that training uses (OOD splits may hold some out). */
const PAINT = ['red', 'green', 'blue', 'yellow', 'orange', 'white', 'black', 'grey', 'purple', 'pink', 'teal'];

/** Every category, in a stable order. */
export const CATEGORIES: readonly Category[] = [
  {
    name: 'mug',
    part: 'handle',
    colours: PAINT,
    movable: true,
    scaleRange: [0.85, 1.2],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const r = 0.04;
      const h = 0.095;
      return {
        body: [cyl([0, 0, h / 2], 'z', r, h, mat(c, { opening: true, gloss: 0.4 }))],
        parts: [{ name: 'handle', primitives: loopHandle(r, h * 0.22, h * 0.82, 0.026, 0.012, mat(shade(c, 0.95))), grasp: [r + 0.02, 0, h * 0.52] }],
      };
    },
  },
  {
    name: 'cup',
    part: 'rim',
    colours: PAINT,
    movable: true,
    scaleRange: [0.85, 1.2],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const h = 0.09;
      const rim = 0.014;
      const rb = 0.029;
      const rt = 0.04;
      const rAt = (z: number): number => rb + ((rt - rb) * z) / h;
      return {
        body: [cyl([0, 0, (h - rim) / 2], 'z', rb, h - rim, mat(c, { gloss: 0.3 }), rAt(h - rim))],
        parts: [{ name: 'rim', primitives: [cyl([0, 0, h - rim / 2], 'z', rAt(h - rim), rim, mat(shade(c, 1.04), { opening: true }), rt)], grasp: [rt, 0, h - rim / 2] }],
      };
    },
  },
  {
    name: 'bowl',
    part: 'rim',
    colours: PAINT,
    container: 'in',
    movable: true,
    scaleRange: [0.85, 1.2],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const h = 0.05;
      const rim = 0.012;
      const rb = 0.042;
      const rt = 0.078;
      const rAt = (z: number): number => rb + ((rt - rb) * z) / h;
      return {
        body: [cyl([0, 0, (h - rim) / 2], 'z', rb, h - rim, mat(c, { gloss: 0.3 }), rAt(h - rim))],
        parts: [{ name: 'rim', primitives: [cyl([0, 0, h - rim / 2], 'z', rAt(h - rim), rim, mat(shade(c, 1.05), { opening: true }), rt)], grasp: [rt, 0, h - rim / 2] }],
      };
    },
  },
  {
    name: 'box',
    part: 'lid',
    colours: PAINT,
    container: 'on',
    movable: true,
    scaleRange: [0.85, 1.2],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const w = 0.13;
      const d = 0.1;
      const h = 0.065;
      const lid = 0.022;
      return {
        body: [box([0, 0, h / 2], [w, d, h], mat(shade(c, 0.92)))],
        parts: [{ name: 'lid', primitives: [box([0, 0, h + lid / 2], [w + 0.008, d + 0.008, lid], mat(mixColour(c, [255, 255, 255], 0.12)))], grasp: [0, 0, h + lid] }],
      };
    },
  },
  {
    name: 'bottle',
    part: 'cap',
    colours: PAINT,
    movable: true,
    scaleRange: [0.85, 1.15],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const capColour: Rgb = colour === 'white' ? [40, 40, 44] : [240, 240, 236];
      const r = 0.03;
      const h = 0.13;
      return {
        body: [
          cyl([0, 0, h / 2], 'z', r, h, mat(c, { gloss: 0.6 })),
          cyl([0, 0, h + 0.015], 'z', r, 0.03, mat(c, { gloss: 0.6 }), 0.013),
          cyl([0, 0, h + 0.04], 'z', 0.012, 0.02, mat(c, { gloss: 0.6 })),
        ],
        parts: [{ name: 'cap', primitives: [cyl([0, 0, h + 0.061], 'z', 0.015, 0.022, mat(capColour))], grasp: [0, 0, h + 0.061] }],
      };
    },
  },
  {
    name: 'can',
    part: 'top',
    colours: PAINT,
    movable: true,
    scaleRange: [0.9, 1.15],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const r = 0.033;
      const h = 0.115;
      return {
        body: [cyl([0, 0, h / 2], 'z', r, h, mat(c, { gloss: 0.5 }))],
        parts: [{ name: 'top', primitives: [cyl([0, 0, h + 0.004], 'z', r * 0.92, 0.008, mat(METAL, { gloss: 0.8 }))], grasp: [0, 0, h + 0.008] }],
      };
    },
  },
  {
    name: 'apple',
    part: 'body',
    colours: ['red', 'green', 'yellow'],
    movable: true,
    scaleRange: [0.85, 1.15],
    build(colour, random) {
      const c = fruitRgb('apple', colour, random);
      return {
        body: [],
        parts: [
          {
            name: 'body',
            primitives: [ellipsoid([0, 0, 0.036], [0.04, 0.04, 0.036], mat(c, { gloss: 0.5 })), box([0, 0, 0.077], [0.005, 0.005, 0.014], mat([92, 62, 30]))],
            grasp: [0, 0, 0.04],
          },
        ],
      };
    },
  },
  {
    name: 'orange',
    part: 'body',
    colours: ['orange'],
    movable: true,
    scaleRange: [0.85, 1.15],
    build(colour, random) {
      const c = fruitRgb('orange', colour, random);
      return { body: [], parts: [{ name: 'body', primitives: [ellipsoid([0, 0, 0.04], [0.042, 0.042, 0.04], mat(c, { gloss: 0.2 }))], grasp: [0, 0, 0.04] }] };
    },
  },
  {
    name: 'banana',
    part: 'body',
    colours: ['yellow'],
    movable: true,
    elongated: true,
    scaleRange: [0.9, 1.15],
    build(colour, random) {
      const c = fruitRgb('banana', colour, random);
      // Three overlapping ellipsoids along an arc, each turned along the arc's tangent, and two dark tips.
      const arc = (t: number): Vec3 => [0.09 * Math.sin(t), 0.09 * (1 - Math.cos(t)) - 0.02, 0];
      const prims: Primitive[] = [];
      for (const t of [-0.62, 0, 0.62]) {
        const [x, y] = arc(t);
        const rr = t === 0 ? 0.019 : 0.016;
        prims.push({ shape: 'sphere', centre: [x, y, rr], radii: [t === 0 ? 0.04 : 0.036, rr, rr], yaw: t, material: mat(c, { gloss: 0.2 }) });
      }
      const [ax, ay] = arc(-1.0);
      const [bx, by] = arc(1.0);
      prims.push({ shape: 'sphere', centre: [ax, ay, 0.011], radii: [0.008, 0.006, 0.006], yaw: -1, material: mat([80, 60, 30]) });
      prims.push({ shape: 'sphere', centre: [bx, by, 0.011], radii: [0.006, 0.005, 0.005], yaw: 1, material: mat([60, 45, 25]) });
      return { body: [], parts: [{ name: 'body', primitives: prims, grasp: [0, -0.02, 0.019] }] };
    },
  },
  {
    name: 'pear',
    part: 'body',
    colours: ['green', 'yellow'],
    movable: true,
    scaleRange: [0.85, 1.15],
    build(colour, random) {
      const c = fruitRgb('pear', colour, random);
      return {
        body: [],
        parts: [
          {
            name: 'body',
            primitives: [
              ellipsoid([0, 0, 0.036], [0.038, 0.038, 0.036], mat(c, { gloss: 0.3 })),
              ellipsoid([0, 0, 0.08], [0.024, 0.024, 0.03], mat(c, { gloss: 0.3 })),
              box([0, 0, 0.115], [0.005, 0.005, 0.014], mat([92, 62, 30])),
            ],
            grasp: [0, 0, 0.05],
          },
        ],
      };
    },
  },
  {
    name: 'hammer',
    part: 'grip',
    colours: PAINT,
    movable: true,
    elongated: true,
    scaleRange: [0.9, 1.15],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      return {
        body: [box([0.075, 0, 0.012], [0.07, 0.018, 0.02], mat([150, 112, 70])), box([0.12, 0, 0.014], [0.032, 0.1, 0.028], mat(DARK_METAL, { gloss: 0.7 }))],
        parts: [{ name: 'grip', primitives: [box([-0.04, 0, 0.013], [0.16, 0.024, 0.026], mat(c))], grasp: [-0.04, 0, 0.026] }],
      };
    },
  },
  {
    name: 'screwdriver',
    part: 'grip',
    colours: PAINT,
    movable: true,
    elongated: true,
    scaleRange: [0.9, 1.15],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      return {
        body: [cyl([0.055, 0, 0.016], 'x', 0.005, 0.11, mat(METAL, { gloss: 0.8 }))],
        parts: [{ name: 'grip', primitives: [cyl([-0.045, 0, 0.016], 'x', 0.016, 0.09, mat(c, { gloss: 0.4 }))], grasp: [-0.045, 0, 0.03] }],
      };
    },
  },
  {
    name: 'spatula',
    part: 'grip',
    colours: PAINT,
    movable: true,
    elongated: true,
    scaleRange: [0.9, 1.15],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      return {
        body: [box([0.105, 0, 0.004], [0.08, 0.065, 0.006], mat([52, 52, 56])), box([0.05, 0, 0.008], [0.04, 0.012, 0.008], mat(METAL))],
        parts: [{ name: 'grip', primitives: [box([-0.05, 0, 0.01], [0.13, 0.022, 0.018], mat(c))], grasp: [-0.05, 0, 0.019] }],
      };
    },
  },
  {
    name: 'knife',
    part: 'grip',
    colours: PAINT,
    movable: true,
    elongated: true,
    scaleRange: [0.9, 1.15],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      return {
        body: [box([0.07, 0.004, 0.004], [0.13, 0.026, 0.005], mat(METAL, { gloss: 0.9 }))],
        parts: [{ name: 'grip', primitives: [box([-0.05, 0, 0.01], [0.1, 0.022, 0.02], mat(c))], grasp: [-0.05, 0, 0.02] }],
      };
    },
  },
  {
    name: 'drawer',
    part: 'pull',
    colours: ['white', 'grey', 'brown', 'black', 'blue', 'green'],
    movable: false,
    facesCamera: true,
    scaleRange: [0.9, 1.1],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const w = 0.2;
      const d = 0.16;
      const h = 0.15;
      const pull: Rgb = colour === 'black' ? [200, 200, 204] : DARK_METAL;
      return {
        body: [box([0, 0, h / 2], [w, d, h], mat(shade(c, 0.9))), box([0, -d / 2 - 0.005, h * 0.55], [w * 0.86, 0.01, h * 0.5], mat(mixColour(c, [255, 255, 255], 0.1)))],
        parts: [{ name: 'pull', primitives: [box([0, -d / 2 - 0.018, h * 0.6], [0.07, 0.016, 0.016], mat(pull, { gloss: 0.8 }))], grasp: [0, -d / 2 - 0.018, h * 0.6] }],
      };
    },
  },
  {
    name: 'pan',
    part: 'handle',
    colours: ['black', 'grey', 'red', 'blue'],
    container: 'in',
    movable: true,
    scaleRange: [0.9, 1.1],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const r = 0.08;
      const h = 0.035;
      return {
        body: [cyl([0, 0, h / 2], 'z', r * 0.92, h, mat(c, { opening: true, gloss: 0.5 }), r)],
        parts: [{ name: 'handle', primitives: [box([r + 0.06, 0, h * 0.8], [0.12, 0.022, 0.014], mat([36, 36, 40]))], grasp: [r + 0.08, 0, h * 0.8 + 0.007] }],
      };
    },
  },
  {
    name: 'block',
    part: 'body',
    colours: PAINT,
    movable: true,
    scaleRange: [0.85, 1.25],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const s = 0.05;
      return { body: [], parts: [{ name: 'body', primitives: [box([0, 0, s / 2], [s, s, s], mat(c))], grasp: [0, 0, s / 2] }] };
    },
  },
  {
    name: 'jug',
    part: 'handle',
    colours: PAINT,
    movable: true,
    scaleRange: [0.9, 1.1],
    build(colour, random) {
      const c = jitterColour(colourValue(colour), random);
      const r = 0.048;
      const h = 0.14;
      return {
        body: [cyl([0, 0, h / 2], 'z', r, h, mat(c, { opening: true, gloss: 0.4 }), r * 0.9), box([-r - 0.006, 0, h - 0.01], [0.024, 0.03, 0.02], mat(c))],
        parts: [{ name: 'handle', primitives: loopHandle(r * 0.95, h * 0.25, h * 0.85, 0.034, 0.014, mat(shade(c, 0.95))), grasp: [r + 0.028, 0, h * 0.55] }],
      };
    },
  },
];

const BY_NAME = new Map(CATEGORIES.map((c) => [c.name, c]));

/**
 * The category with this name.
 *
 * @example
 * categoryByName('mug').part; // 'handle'
 */
export function categoryByName(name: string): Category {
  const c = BY_NAME.get(name);
  if (!c) throw new RangeError(`unknown category ${name}`);
  return c;
}

function scaleVec(v: Vec3, s: number): Vec3 {
  return [v[0] * s, v[1] * s, v[2] * s];
}

/** A primitive scaled uniformly about the object-frame origin. */
export function scalePrimitive(prim: Primitive, s: number): Primitive {
  if (prim.shape === 'box') return { ...prim, centre: scaleVec(prim.centre, s), size: scaleVec(prim.size, s) };
  if (prim.shape === 'cylinder') return { ...prim, centre: scaleVec(prim.centre, s), radius: prim.radius * s, radiusTop: prim.radiusTop * s, length: prim.length * s };
  return { ...prim, centre: scaleVec(prim.centre, s), radii: scaleVec(prim.radii, s) };
}

/** A part scaled uniformly about the object-frame origin. */
export function scalePart(part: Part, s: number): Part {
  return { name: part.name, primitives: part.primitives.map((p) => scalePrimitive(p, s)), grasp: scaleVec(part.grasp, s) };
}
