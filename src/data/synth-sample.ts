/**
 * One sample of the synthetic dataset, generated from (seed, split, index) alone: a scene, a task on it, the
 * instruction, the four-step rationale, the VLA-R1 record and the PNG. Independent of every other sample, so
 * samples can be made in any order or in parallel workers and still give byte-identical files.
 */
import type { Canvas } from '@napi-rs/canvas';
import { formatAnswer } from '../protocol/answer.js';
import { buildHumanTurn } from '../protocol/prompts.js';
import type { Action, TaskKind } from '../protocol/types.js';
import type { VlaR1Record } from './records.js';
import { categoryByName } from './scene/catalog.js';
import { CROWDED_LAYOUT, SCATTERED_LAYOUT } from './scene/distribution.js';
import { writeInstruction, type PhrasingPool } from './scene/instructions.js';
import { deriveSeed, Random } from './scene/random.js';
import { writeRationale } from './scene/rationale.js';
import { encodePng } from './scene/png.js';
import { sampleScene, type ObjectRequest } from './scene/sample-scene.js';
import { affordanceTask, trajectoryTask, type PlaceRelation, type SceneTask, type TaskMode } from './scene/tasks.js';
import type { Scene } from './scene/types.js';
import { HELD_OUT, IN_DOMAIN, oodShift, type OodShift, type SplitName } from './synth-splits.js';

/** Which sample to make. */
export interface SampleSpec {
  readonly seed: number;
  readonly split: SplitName;
  readonly index: number;
  /** Image size in pixels (square). */
  readonly size: number;
}

/** What a sample is about, for statistics, tests and per-shift evaluation. */
export interface SampleMeta {
  readonly split: SplitName;
  readonly index: number;
  readonly mode: TaskMode;
  readonly kind: TaskKind;
  readonly shift?: OodShift;
  readonly layout: string;
  readonly templateId: string;
  readonly target: { readonly category: string; readonly colour: string; readonly part: string };
  /** Categories and colours of every object in the scene. */
  readonly categories: readonly string[];
  readonly colours: readonly string[];
}

/** A generated sample. */
export interface SynthSample {
  /** Image file name relative to the dataset folder, e.g. `images/train-000012.png`. */
  readonly image: string;
  readonly record: VlaR1Record;
  readonly instruction: string;
  readonly rationale: string;
  readonly action: Action;
  readonly meta: SampleMeta;
  readonly scene: Scene;
  readonly task: SceneTask;
}

/** Task mix: affordance half the time; the trajectory half split over reach, reach-a-part and pick-and-place. */
const MODES: readonly TaskMode[] = ['affordance', 'reach', 'reach-part', 'pick-place'];
const MODE_WEIGHTS: readonly number[] = [0.5, 0.175, 0.125, 0.2];

/** Objects small enough to go into a bowl or pan or onto a box. */
const SMALL = ['apple', 'orange', 'banana', 'pear', 'block', 'can'];
const NEXT_TO: readonly PlaceRelation[] = ['left of', 'right of', 'in front of', 'behind'];

/** Fraction of samples with a tall object placed in front of the target. */
const OCCLUDER_RATE = 0.25;
const OCCLUDERS = ['bottle', 'can', 'mug', 'cup', 'box'];

/** Most scene attempts a sample makes before giving up (each attempt continues the same random stream). */
export const MAX_ATTEMPTS = 300;

/** The image file name of a sample. */
export function sampleImageName(split: SplitName, index: number): string {
  return `images/${split}-${String(index).padStart(6, '0')}.png`;
}

interface Plan {
  readonly mode: TaskMode;
  readonly shift?: OodShift;
  readonly target: ObjectRequest;
  readonly landmark?: ObjectRequest;
  readonly relation?: PlaceRelation;
  readonly occluder?: ObjectRequest;
  readonly pool: PhrasingPool;
}

function plan(random: Random, split: SplitName, index: number): Plan {
  const mode = random.weighted(MODES, MODE_WEIGHTS);
  const shift = split === 'ood' ? oodShift(index) : undefined;
  const movable = (c: string): boolean => categoryByName(c).movable;
  let targetCategories = IN_DOMAIN.categories;
  let targetColours: readonly string[] | undefined;
  if (shift === 'category') targetCategories = HELD_OUT.categories;
  if (shift === 'colour') {
    targetCategories = IN_DOMAIN.categories.filter((c) => categoryByName(c).colours.some((k) => HELD_OUT.colours.includes(k)));
    targetColours = HELD_OUT.colours;
  }
  if (mode === 'pick-place') targetCategories = targetCategories.filter(movable);
  const pool: PhrasingPool = shift === 'phrasing' ? 'held-out' : 'in-domain';
  const category = random.pick(targetCategories);
  let relation: PlaceRelation | undefined;
  let landmark: ObjectRequest | undefined;
  if (mode === 'pick-place') {
    if (SMALL.includes(category) && random.bool(0.5)) {
      const container = random.pick(['bowl', 'pan', 'box'].filter((c) => c !== category));
      relation = container === 'box' ? 'on' : 'in';
      landmark = { category: container };
    } else {
      relation = random.pick(NEXT_TO);
      landmark = { categories: IN_DOMAIN.categories.filter((c) => c !== category) };
    }
  }
  const target: ObjectRequest = targetColours ? { category, colours: targetColours } : { category };
  // Sometimes stand an object in front of the target, so that it is partly hidden (occlusion).
  const occluder: ObjectRequest | undefined = random.bool(OCCLUDER_RATE) ? { inFrontOf: 0, categories: OCCLUDERS } : undefined;
  return { mode, ...(shift ? { shift } : {}), target, ...(landmark ? { landmark } : {}), ...(relation ? { relation } : {}), ...(occluder ? { occluder } : {}), pool };
}

function buildTask(scene: Scene, p: Plan, random: Random): SceneTask | undefined {
  const target = scene.objects[0];
  if (!target) return undefined;
  if (p.mode === 'affordance') return affordanceTask(scene, target, random);
  const landmark = p.landmark ? scene.objects[1] : undefined;
  if (p.mode === 'pick-place' && !landmark) return undefined;
  return trajectoryTask(scene, { mode: p.mode, target, ...(landmark ? { landmark } : {}), ...(p.relation ? { relation: p.relation } : {}) }, random);
}

/**
 * Make the scene, task and texts of one sample (no image yet). Deterministic in (seed, split, index, size).
 *
 * @throws Error when no valid scene is found in {@link MAX_ATTEMPTS} attempts (a generator bug, not user input).
 * @example
 * const s = composeSample({ seed: 1, split: 'train', index: 0, size: 128 });
 * s.record.conversations[0].value; // 'pick up the red mug by its handle. Please output …\n<image>'
 */
export function composeSample(spec: SampleSpec): SynthSample {
  const random = new Random(deriveSeed(spec.seed, spec.split, spec.index));
  const p = plan(random, spec.split, spec.index);
  const layout = p.shift === 'layout' ? CROWDED_LAYOUT : SCATTERED_LAYOUT;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const scene = sampleScene(random, {
      size: spec.size,
      distribution: IN_DOMAIN,
      layout,
      required: [p.target, ...(p.landmark ? [p.landmark] : []), ...(p.occluder ? [p.occluder] : [])],
    });
    if (!scene) continue;
    const task = buildTask(scene, p, random);
    if (!task) continue;
    const { text: instruction, templateId } = writeInstruction(task, random, p.pool);
    const rationale = writeRationale(scene, task);
    const kind: TaskKind = task.action.kind;
    const image = sampleImageName(spec.split, spec.index);
    const record: VlaR1Record = {
      image,
      conversations: [
        { from: 'human', value: buildHumanTurn(instruction, kind) },
        { from: 'gpt', value: formatAnswer(rationale, task.action) },
      ],
    };
    const meta: SampleMeta = {
      split: spec.split,
      index: spec.index,
      mode: task.mode,
      kind,
      ...(p.shift ? { shift: p.shift } : {}),
      layout: scene.layout,
      templateId,
      target: { category: task.target.category, colour: task.target.colour, part: task.part.name },
      categories: scene.objects.map((o) => o.category),
      colours: scene.objects.map((o) => o.colour),
    };
    return { image, record, instruction, rationale, action: task.action, meta, scene, task };
  }
  throw new Error(`synth: no valid scene for ${spec.split} sample ${spec.index} (seed ${spec.seed}) after ${MAX_ATTEMPTS} attempts`);
}

/** One canvas per size, reused from sample to sample (drawScene paints every pixel, so nothing carries over). */
const canvases = new Map<string, Canvas>();

/**
 * Render a composed sample's image to PNG bytes (the canvas module is loaded on first use).
 *
 * @example
 * const png = await renderSamplePng(composeSample({ seed: 1, split: 'train', index: 0, size: 128 }));
 */
export async function renderSamplePng(sample: SynthSample): Promise<Buffer> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const { drawScene } = await import('./scene/render.js');
  const { width, height } = sample.scene.camera;
  const key = `${width}x${height}`;
  let canvas = canvases.get(key);
  if (!canvas) {
    canvas = createCanvas(width, height);
    canvases.set(key, canvas);
  }
  const ctx = canvas.getContext('2d');
  drawScene(ctx, sample.scene);
  return encodePng(ctx.getImageData(0, 0, width, height).data, width, height);
}
