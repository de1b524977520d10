/**
 * Words for what the camera sees: where something is in the image, how objects relate (left of, behind …),
 * and a referring expression that names one object unambiguously among the others.
 */
import { pixelToNormalised } from './camera.js';
import { objectPixelBox } from './geometry.js';
import type { Random } from './random.js';
import type { Scene, SceneObject } from './types.js';
import type { Vec2 } from './vec.js';

/**
 * Centre of an object's image box, normalised to [0, 1].
 *
 * @example
 * objectCentre(scene, scene.objects[0]); // [0.41, 0.66]
 */
export function objectCentre(scene: Scene, obj: SceneObject): Vec2 {
  const cached = CENTRES.get(obj);
  if (cached && cached.camera === scene.camera) return cached.centre;
  const [x0, y0, x1, y1] = objectPixelBox(scene.camera, obj);
  const c = pixelToNormalised(scene.camera, (x0 + x1) / 2, (y0 + y1) / 2);
  const centre: Vec2 = [c[0], c[1]];
  CENTRES.set(obj, { camera: scene.camera, centre });
  return centre;
}

/** Scene objects are immutable: their image centres are computed once per camera. */
const CENTRES = new WeakMap<SceneObject, { camera: Scene['camera']; centre: Vec2 }>();

/**
 * Where a normalised image point is, in words: "near the image centre", "in the lower left of the image" …
 *
 * @example
 * imageRegion([0.2, 0.8]); // 'in the lower left of the image'
 * imageRegion([0.5, 0.5]); // 'near the image centre'
 */
export function imageRegion(p: Vec2): string {
  const h = p[0] < 0.36 ? 'left' : p[0] > 0.64 ? 'right' : 'middle';
  const v = p[1] < 0.36 ? 'upper' : p[1] > 0.64 ? 'lower' : 'middle';
  if (h === 'middle' && v === 'middle') return 'near the image centre';
  if (v === 'middle') return `on the ${h} side of the image`;
  if (h === 'middle') return v === 'upper' ? 'at the top centre of the image' : 'at the bottom centre of the image';
  return `in the ${v} ${h} of the image`;
}

/**
 * A normalised point as the rationale states it: "x 0.42, y 0.63".
 *
 * @example
 * coordinateWords([0.4213, 0.6309]); // 'x 0.42, y 0.63'
 */
export function coordinateWords(p: Vec2): string {
  return `x ${p[0].toFixed(2)}, y ${p[1].toFixed(2)}`;
}

/** Spatial relations between two objects, as seen in the image. */
export type Relation = 'left of' | 'right of' | 'in front of' | 'behind';

/** All relations, in a stable order. */
export const RELATIONS: readonly Relation[] = ['left of', 'right of', 'in front of', 'behind'];

/** Minimum separation (normalised image units) for a relation to count as true. */
export const RELATION_MARGIN = 0.05;

/**
 * True when `a` stands in `relation` to `b` in the image (left/right by x; in front = lower in the image,
 * closer to the camera; behind = higher), with a clear margin and more along that axis than across it.
 *
 * @example
 * holdsRelation(scene, mug, bowl, 'left of');
 */
export function holdsRelation(scene: Scene, a: SceneObject, b: SceneObject, relation: Relation): boolean {
  const pa = objectCentre(scene, a);
  const pb = objectCentre(scene, b);
  const dx = pa[0] - pb[0];
  const dy = pa[1] - pb[1];
  switch (relation) {
    case 'left of':
      return dx < -RELATION_MARGIN && Math.abs(dx) > Math.abs(dy) * 0.8;
    case 'right of':
      return dx > RELATION_MARGIN && Math.abs(dx) > Math.abs(dy) * 0.8;
    case 'in front of':
      return dy > RELATION_MARGIN && Math.abs(dy) > Math.abs(dx) * 0.8;
    case 'behind':
      return dy < -RELATION_MARGIN && Math.abs(dy) > Math.abs(dx) * 0.8;
  }
}

/** "red mug", the colour and noun of an object ("orange", not "orange orange", for fruit named by their colour). */
export function colourNoun(obj: SceneObject): string {
  return obj.colour === obj.category ? obj.category : `${obj.colour} ${obj.category}`;
}

/** A referring expression and how it singles out its object. */
export interface Reference {
  /** The words, with "the": "the red mug left of the blue bowl". */
  readonly text: string;
  /** How it was made unique. */
  readonly kind: 'category' | 'colour' | 'relation';
  /** The landmark object of a relational reference. */
  readonly landmarkId?: number;
  readonly relation?: Relation;
}

function matchesBase(o: SceneObject, target: SceneObject, useColour: boolean): boolean {
  return o.category === target.category && (!useColour || o.colour === target.colour);
}

/** The shortest unique description of a landmark: "the bowl" or "the blue bowl", or undefined. */
export function uniqueSimpleName(scene: Scene, obj: SceneObject): string | undefined {
  if (scene.objects.filter((o) => o.category === obj.category).length === 1) return `the ${obj.category}`;
  if (scene.objects.filter((o) => o.category === obj.category && o.colour === obj.colour).length === 1) return `the ${colourNoun(obj)}`;
  return undefined;
}

/**
 * A referring expression that picks out `target` and no other object, or `undefined` when none of the forms
 * (category; colour and category; either plus a relation to a uniquely named landmark) is unique.
 * The colour is added with probability `colourBias` even when the category alone is unique, and a relation
 * with probability `relationBias`, for variety; the result is always unambiguous.
 *
 * @example
 * referTo(scene, mug, random); // { text: 'the mug left of the blue bowl', kind: 'relation', … }
 */
export function referTo(scene: Scene, target: SceneObject, random: Random, colourBias = 0.5, relationBias = 0.15): Reference | undefined {
  const categoryUnique = scene.objects.filter((o) => matchesBase(o, target, false)).length === 1;
  const colourUnique = scene.objects.filter((o) => matchesBase(o, target, true)).length === 1;
  const wantRelation = random.bool(relationBias);
  const wantColour = random.bool(colourBias);
  if (!wantRelation) {
    if (categoryUnique && !wantColour) return { text: `the ${target.category}`, kind: 'category' };
    if (colourUnique) return { text: `the ${colourNoun(target)}`, kind: 'colour' };
  }
  // Relational: among objects matching the base description, only the target holds the relation to the landmark.
  const options: Reference[] = [];
  for (const useColour of [false, true]) {
    const candidates = scene.objects.filter((o) => matchesBase(o, target, useColour));
    const base = useColour ? colourNoun(target) : target.category;
    for (const landmark of scene.objects) {
      if (landmark.id === target.id || landmark.category === target.category) continue;
      const name = uniqueSimpleName(scene, landmark);
      if (!name) continue;
      for (const relation of RELATIONS) {
        if (!holdsRelation(scene, target, landmark, relation)) continue;
        if (candidates.some((c) => c.id !== target.id && holdsRelation(scene, c, landmark, relation))) continue;
        options.push({ text: `the ${base} ${relation} ${name}`, kind: 'relation', landmarkId: landmark.id, relation });
      }
    }
  }
  if (options.length > 0) return random.pick(options);
  if (categoryUnique) return { text: `the ${target.category}`, kind: 'category' };
  if (colourUnique) return { text: `the ${colourNoun(target)}`, kind: 'colour' };
  return undefined;
}

/**
 * Every object that a reference's text could denote (for tests: a good reference denotes exactly one).
 * Understands the three forms {@link referTo} writes.
 */
export function denotations(scene: Scene, text: string): SceneObject[] {
  const m = /^the (?:(\w+) )?(\w+)(?: (left of|right of|in front of|behind) the (?:(\w+) )?(\w+))?$/.exec(text);
  if (!m) return [];
  const [, colour, category, relation, lColour, lCategory] = m;
  const base = scene.objects.filter((o) => o.category === category && (colour === undefined || o.colour === colour));
  if (!relation) return base;
  const landmarks = scene.objects.filter((o) => o.category === lCategory && (lColour === undefined || o.colour === lColour));
  if (landmarks.length !== 1) return [];
  const landmark = landmarks[0] as SceneObject;
  return base.filter((o) => holdsRelation(scene, o, landmark, relation as Relation));
}

/**
 * Join phrases as English lists: "a", "a and b", "a, b and c".
 *
 * @example
 * listWords(['a red mug', 'a bowl', 'a can']); // 'a red mug, a bowl and a can'
 */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
