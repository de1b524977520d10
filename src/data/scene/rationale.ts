/**
 * The four-step chain of thought of VLA-R1 (task parsing; scene understanding; localisation of the region or of
 * the gripper, target and obstacles; feasibility check or trajectory logic), written from the scene graph and
 * the task's facts, so that every statement is true of the image. Vocabulary is kept small and regular.
 *
 * The rationale repeats the instruction's own words for the target, then points at it (coordinates) before it
 * names anything that must be read off the image (its colour, its region): a small model grounds with its
 * coordinate pointer far better than with words, and the later steps condition on the point.
 */
import { colourNoun, coordinateWords, imageRegion, listWords, objectCentre } from './describe.js';
import { relationWords } from './instructions.js';
import type { AffordanceTask, SceneTask, TrajectoryTask } from './tasks.js';
import type { PartName, Scene, SceneObject } from './types.js';
import type { Vec2 } from './vec.js';

const IRREGULAR_PLURALS: Readonly<Record<string, string>> = { box: 'boxes', knife: 'knives' };

/** Plural of a category noun: "mugs", "boxes", "knives". */
export function plural(noun: string): string {
  return IRREGULAR_PLURALS[noun] ?? `${noun}s`;
}

/** How the rationale names objects: "red mug"; an object that looks like a more important one is "other red mug". */
export type Namer = (obj: SceneObject) => string;

/**
 * A namer for a task: the key objects (target, then landmark) get their colour and category; any other object
 * with the same colour and category as an earlier-named one becomes "other …", so no sentence is ambiguous.
 *
 * @example
 * const name = namerFor(scene, [target]);
 * name(target); // 'yellow banana'
 * name(secondBanana); // 'other yellow banana'
 */
export function namerFor(scene: Scene, keys: readonly SceneObject[]): Namer {
  const owner = new Map<string, number>();
  for (const o of [...keys, ...scene.objects]) if (!owner.has(colourNoun(o))) owner.set(colourNoun(o), o.id);
  return (o) => (owner.get(colourNoun(o)) === o.id ? colourNoun(o) : `other ${colourNoun(o)}`);
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];

function countWords(n: number): string {
  return NUMBER_WORDS[n] ?? String(n);
}

/** What the instruction asks, per part (step 1 of an affordance rationale); `ref` is the instruction's own words. */
function affordanceGoal(part: PartName, ref: string): string {
  switch (part) {
    case 'handle':
      return `grasp ${ref} by its handle, so I must find the handle, where the fingers can close around it`;
    case 'rim':
      return `hold ${ref} by its rim, so I must find the rim, the edge the gripper can pinch`;
    case 'lid':
      return `open ${ref}, so I must find the lid on top, which has to be lifted`;
    case 'cap':
      return `take the cap of ${ref}, so I must find the cap at the top, which has to be twisted off`;
    case 'grip':
      return `hold ${ref} by its grip, so I must find the grip, the part made for holding`;
    case 'pull':
      return `open ${ref}, so I must find the pull on its front, which opens the drawer`;
    case 'top':
      return `open ${ref}, so I must find its top, where the tab is`;
    case 'body':
      return `pick up ${ref}, so I must find it, as it is small enough to grasp whole`;
  }
}

function partSide(part: PartName, partCentre: Vec2, objCentre: Vec2): string {
  if (part === 'lid' || part === 'cap' || part === 'top') return 'on top';
  if (part === 'pull') return 'on the front';
  if (part === 'rim') return 'around the top';
  const dx = partCentre[0] - objCentre[0];
  const dy = partCentre[1] - objCentre[1];
  if (Math.hypot(dx, dy) < 0.012) return 'in the middle';
  if (Math.abs(dx) >= Math.abs(dy)) return dx < 0 ? 'on the left side' : 'on the right side';
  return dy < 0 ? 'on the far side' : 'on the near side';
}

function size(v: number): string {
  return v.toFixed(2);
}

function isAre(n: number): string {
  return n === 1 ? 'is' : 'are';
}

/**
 * Step 2 of an affordance rationale: point at the object the instruction names, then say what it is and how it
 * is told apart from objects like it.
 */
function findStep(scene: Scene, task: AffordanceTask, name: Namer): string {
  const target = task.target;
  const centre = objectCentre(scene, target);
  let text = `I find it near ${coordinateWords(centre)}, ${imageRegion(centre)}: the ${name(target)}`;
  const ref = task.reference;
  const landmark = ref.landmarkId !== undefined ? scene.objects[ref.landmarkId] : undefined;
  if (ref.relation && landmark) text += `, ${ref.relation} the ${name(landmark)}`;
  text += '.';
  const same = scene.objects.filter((o) => o.category === target.category);
  if (same.length > 1) {
    const sameColour = same.filter((o) => o.colour === target.colour).length;
    const how = sameColour === 1 ? 'its colour' : 'its position';
    text += ` There are ${countWords(same.length)} ${plural(target.category)}, so I tell the right one by ${how}.`;
  }
  return text;
}

function affordanceRationale(scene: Scene, task: AffordanceTask): string {
  const name = namerFor(scene, [task.target]);
  const noun = name(task.target);
  const part = task.part.name;
  const step1 = `The instruction asks me to ${affordanceGoal(part, task.reference.text)}.`;
  const step2 = findStep(scene, task, name);
  const box = task.action.box;
  const extent = `its box is centred near ${coordinateWords(task.partCentre)}, about ${size(box.width)} wide and ${size(box.height)} tall`;
  const step3 =
    part === 'body'
      ? `The ${noun} itself is the region; ${extent}.`
      : `The ${part} is ${partSide(part, task.partCentre, task.objectCentre)} of it; ${extent}.`;
  const what = part === 'body' ? `the ${noun}` : `the ${part}`;
  let step4: string;
  const occluder = task.visibility.occluders[0] !== undefined ? scene.objects[task.visibility.occluders[0]] : undefined;
  if (task.visibility.fraction < 0.9 && occluder) step4 = `Part of ${what} is hidden behind the ${name(occluder)}, but enough of it is visible.`;
  else if (task.visibility.fraction < 0.9) step4 = `The ${noun} hides part of ${what}, but enough of it is visible.`;
  else step4 = `${what.charAt(0).toUpperCase()}${what.slice(1)} is fully visible.`;
  const close = task.crowding.map((id) => scene.objects[id]).filter((o): o is SceneObject => o !== undefined);
  if (close.length > 0) step4 += ` The ${listWords(close.map(name))} ${isAre(close.length)} close to it, so the gripper should come straight down from above.`;
  else step4 += ` Nothing stands close to it, so the gripper can reach it freely.`;
  return `${step1} ${step2} ${step3} ${step4}`;
}

/** The direction from a to b in the image: "down and to the left", "to the right" … */
export function directionWords(a: Vec2, b: Vec2): string {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const h = dx < -0.05 ? 'to the left' : dx > 0.05 ? 'to the right' : '';
  const v = dy > 0.05 ? 'down' : dy < -0.05 ? 'up' : '';
  if (h && v) return `${v} and ${h}`;
  if (v) return `straight ${v}`;
  if (h) return h;
  return 'almost in place';
}

function endWords(task: TrajectoryTask, name: Namer): string {
  const noun = name(task.target);
  return task.part.name === 'body' ? `the ${noun}` : `the ${task.part.name} of the ${noun}`;
}

/** Where the second leg of a pick-and-place ends: "the blue bowl" (in/on) or "the spot left of the grey cup". */
function placeTarget(task: TrajectoryTask, name: Namer): string {
  const place = task.place;
  if (!place) return '';
  if (place.relation === 'in' || place.relation === 'on') return `the ${name(place.landmark)}`;
  return `the spot ${place.relation} the ${name(place.landmark)}`;
}

function trajectoryRationale(scene: Scene, task: TrajectoryTask): string {
  const name = namerFor(scene, task.place ? [task.target, task.place.landmark] : [task.target]);
  const noun = name(task.target);
  const end = endWords(task, name);
  const ref = task.reference.text;
  let step1: string;
  if (task.mode === 'pick-place' && task.place) {
    step1 = `The task is to pick up ${ref} and put it ${relationWords(task.place.relation)} ${task.place.reference.text}, so the path goes from the gripper to the pick point and then on to the place.`;
  } else if (task.part.name === 'body') {
    step1 = `The instruction asks me to move the end-effector to ${ref}, so I need a path from the gripper to it.`;
  } else if (task.mode === 'reach-part') {
    step1 = `The instruction asks me to move the end-effector to the ${task.part.name} of ${ref}, so I need a path from the gripper to it.`;
  } else {
    step1 = `The instruction asks me to reach ${ref}; the place to take it is its ${task.part.name}, so the path ends at the ${task.part.name}.`;
  }
  // Each point comes before the words that name it, so the model's pointer, not its vocabulary, grounds it.
  const endRole = task.mode === 'pick-place' ? 'The pick point' : 'The end point';
  const step2parts = [
    `${endRole} is near ${coordinateWords(task.targetCentre)}, ${directionWords(task.gripperCentre, task.targetCentre)} from the gripper: ${end}.`,
  ];
  if (task.place && task.placeCentre) step2parts.push(`The place is near ${coordinateWords(task.placeCentre)}: ${placeTarget(task, name)}.`);
  const step2 = step2parts.join(' ');
  const involved = new Set<number>([task.target.id]);
  if (task.place) involved.add(task.place.landmark.id);
  const step3parts: string[] = [];
  task.legs.forEach((leg, i) => {
    const lead = task.legs.length > 1 ? (i === 0 ? `On the way to the ${noun}, ` : `On the way to ${placeTarget(task, name)}, `) : '';
    const blockers = leg.blocking.map((id) => scene.objects[id]).filter((o): o is SceneObject => o !== undefined);
    if (blockers.length > 0) {
      const names = listWords(blockers.map((o) => `the ${name(o)}`));
      step3parts.push(`${lead}${names} ${isAre(blockers.length)} in the way of a straight line.`.replace(/^./, (c) => c.toUpperCase()));
    } else {
      step3parts.push(`${lead}nothing lies on the straight line.`.replace(/^./, (c) => c.toUpperCase()));
    }
  });
  const others = scene.objects.filter((o) => !involved.has(o.id) && !task.legs.some((l) => l.blocking.includes(o.id)));
  if (others.length > 0) step3parts.push(`The ${listWords(others.map(name))} ${isAre(others.length)} off to the side.`);
  const step3 = step3parts.join(' ');
  const n = task.action.points.length;
  const passes = task.legs.flatMap((l) => l.passes).map((p) => `${relationWords(p.side)} the ${name(scene.objects[p.id] as SceneObject)}`);
  const bends = task.legs.reduce((s, l) => s + l.path.length - 2, 0);
  let step4: string;
  if (task.mode === 'pick-place') {
    const route = passes.length > 0 ? `bends to pass ${listWords(passes)}` : 'runs straight on each leg';
    step4 = `So the path ${route}, picking up the ${noun} on the way; I use ${countWords(n)} points, with the start, the pick point${bends > 0 ? `, ${bends === 1 ? 'the bend' : `${countWords(bends)} bends`}` : ''} and the end among them.`;
  } else if (passes.length > 0) {
    step4 = `So the path bends to pass ${listWords(passes)} before it comes down to ${end}; I use ${countWords(n)} points, with the start, ${bends === 1 ? 'the bend' : `${countWords(bends)} bends`} and the end among them.`;
  } else {
    step4 = `So a straight path works: ${countWords(n)} evenly spaced points from the gripper down to ${end}.`;
  }
  // The gripper is pointed at before anything else: its point is the answer's first, and nothing the model
  // writes before it can lead the pointer astray.
  const gripper = `The gripper is near ${coordinateWords(task.gripperCentre)}, ${imageRegion(task.gripperCentre)}.`;
  return `${gripper} ${step1} ${step2} ${step3} ${step4}`;
}

/**
 * The rationale (the text inside `<think>`) of a task on a scene.
 *
 * @example
 * writeRationale(scene, task);
 * // 'The instruction asks me to grasp the red mug by its handle, so I must find the handle, … Nothing stands
 * //  close to it, so the gripper can reach it freely.'
 */
export function writeRationale(scene: Scene, task: SceneTask): string {
  return task.mode === 'affordance' ? affordanceRationale(scene, task) : trajectoryRationale(scene, task);
}
