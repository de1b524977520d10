/**
 * The four-step chain of thought of VLA-R1 (task parsing; scene understanding; localisation of the region or of
 * the gripper, target and obstacles; feasibility check or trajectory logic), written from the scene graph and
 * the task's facts, so that every statement is true of the image. Vocabulary is kept small and regular.
 */
import { colourNoun, coordinateWords, imageRegion, listWords, objectCentre, tableWords, withIndefinite } from './describe.js';
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

/** What the instruction asks, per part (step 1 of an affordance rationale). */
function affordanceGoal(part: PartName, noun: string): string {
  switch (part) {
    case 'handle':
      return `grasp the ${noun} by its handle, so I must find the handle, where the fingers can close around it`;
    case 'rim':
      return `hold the ${noun} by its rim, so I must find the rim, the edge the gripper can pinch`;
    case 'lid':
      return `open the ${noun}, so I must find the lid on top, which has to be lifted`;
    case 'cap':
      return `take the cap of the ${noun}, so I must find the cap at the top, which has to be twisted off`;
    case 'grip':
      return `hold the ${noun} by its grip, so I must find the grip, the part made for holding`;
    case 'pull':
      return `open the ${noun}, so I must find the pull on its front, which opens the drawer`;
    case 'top':
      return `open the ${noun}, so I must find its top, where the tab is`;
    case 'body':
      return `pick up the ${noun}, so I must find the ${noun} itself, which is small enough to grasp whole`;
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

/** Step 2: what is on the table, where the target is, and how it is told apart from objects like it. */
function sceneStep(scene: Scene, task: SceneTask, name: Namer): string {
  const target = task.target;
  // Objects from left to right in the image; a second look-alike is "another …".
  const ordered = scene.objects.slice().sort((a, b) => (objectCentre(scene, a)[0] - objectCentre(scene, b)[0]) || a.id - b.id);
  const items = ordered.map((o) => {
    const n = name(o);
    return n.startsWith('other ') ? `another ${n.slice(6)}` : withIndefinite(n);
  });
  let text = `On the ${tableWords(scene.table.texture)} I see, from left to right, ${listWords(items)}. The ${name(target)} is ${imageRegion(objectCentre(scene, target))}`;
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
  const step1 = `The instruction asks me to ${affordanceGoal(part, noun)}.`;
  const step2 = sceneStep(scene, task, name);
  const box = task.action.box;
  const step3 =
    part === 'body'
      ? `The ${noun} itself is the region, ${imageRegion(task.partCentre)}; its box is centred near ${coordinateWords(task.partCentre)}, about ${size(box.width)} wide and ${size(box.height)} tall.`
      : `The ${part} is ${partSide(part, task.partCentre, task.objectCentre)} of the ${noun}, ${imageRegion(task.partCentre)}; its box is centred near ${coordinateWords(task.partCentre)}, about ${size(box.width)} wide and ${size(box.height)} tall.`;
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

function placeWords(task: TrajectoryTask, name: Namer): string {
  const place = task.place;
  if (!place) return '';
  return `${relationWords(place.relation)} the ${name(place.landmark)}`;
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
  let step1: string;
  if (task.mode === 'pick-place') {
    step1 = `The task is to pick up the ${noun} and put it ${placeWords(task, name)}, so the path goes from the gripper to ${end} and then on to ${placeTarget(task, name)}.`;
  } else if (task.mode === 'reach-part' || task.part.name === 'body') {
    step1 = `The instruction asks me to move the end-effector to ${end}, so I need a path from the gripper to it.`;
  } else {
    step1 = `The instruction asks me to reach the ${noun}; the place to take it is its ${task.part.name}, so the path ends at the ${task.part.name}.`;
  }
  const step2parts = [`The gripper is ${imageRegion(task.gripperCentre)}, near ${coordinateWords(task.gripperCentre)}.`];
  const targetAt = `${imageRegion(objectCentre(scene, task.target))}`;
  const whereEnd = `near ${coordinateWords(task.targetCentre)}, ${directionWords(task.gripperCentre, task.targetCentre)} from the gripper`;
  step2parts.push(task.part.name === 'body' ? `The ${noun} is ${targetAt}, ${whereEnd}.` : `The ${noun} is ${targetAt}, and its ${task.part.name} is ${whereEnd}.`);
  if (task.place && task.placeCentre) {
    const landmarkAt = `The ${name(task.place.landmark)} is ${imageRegion(objectCentre(scene, task.place.landmark))}`;
    const inside = task.place.relation === 'in' || task.place.relation === 'on';
    step2parts.push(inside ? `${landmarkAt}, near ${coordinateWords(task.placeCentre)}.` : `${landmarkAt}, and ${placeTarget(task, name)} is near ${coordinateWords(task.placeCentre)}.`);
  }
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
  return `${step1} ${step2} ${step3} ${step4}`;
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
