/**
 * ShareRobot raw annotations (RoboBrain, CVPR 2025) ⇄ VLA-R1 records.
 *
 * ShareRobot affordance and trajectory files are JSON arrays of items:
 *
 * ```json
 * {"id": "bridge/episode_1/frame_3.png",
 *  "meta_data": {"original_dataset": "bridge", "original_width": 640, "original_height": 480},
 *  "instruction": "place the red fork to the left of the left burner",
 *  "affordance": {"x": 352.87, "y": 186.48, "width": 19.30, "height": 14.47}}
 * {"id": …, "meta_data": {…}, "instruction": "reach for the carrot", "points": [[265.45, 120.0], [275.15, 162.42], …]}
 * ```
 *
 * {@link SHAREROBOT_CONVENTION} states the coordinate conventions: ShareRobot is in **pixels** of the original image
 * (`meta_data.original_width × original_height`) with the affordance **(x, y) the top-left corner**; VLA-R1 answers
 * are **normalised to [0, 1]** with the box **(x, y) the centre**. The image of an item is `id` (a path) relative to
 * an image root, as in ShareRobot's own visualisation code, or a template such as `{id}.jpg` for numeric ids.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { formatAnswer } from '../protocol/answer.js';
import { boxToShareRobotPixels, clip01, shareRobotPixelsToBox } from '../protocol/boxes.js';
import { buildHumanTurn } from '../protocol/prompts.js';
import type { Action, Point, TaskKind } from '../protocol/types.js';
import { fieldName, type LoadedRecord, type VlaR1Record } from './records.js';

export { SHAREROBOT_CONVENTION } from './sharerobot-convention.js';

const finite = z.number({ error: 'expected a number' }).finite({ error: 'expected a finite number' });
const positive = finite.positive({ error: 'expected a positive number of pixels' });

const pixelBox = z.object({ x: finite, y: finite, width: finite, height: finite });

/** One raw ShareRobot affordance or trajectory item; unknown keys are kept. */
export const ShareRobotItem = z
  .looseObject({
    id: z.union([z.string().min(1), z.number()], { error: 'expected a string (image path) or a number' }),
    meta_data: z.looseObject({
      original_dataset: z.string().optional(),
      original_width: positive,
      original_height: positive,
    }),
    instruction: z.string({ error: 'expected a string' }).min(1, { error: 'expected a non-empty instruction' }),
    affordance: pixelBox.optional(),
    points: z.array(z.tuple([finite, finite], { error: 'expected an [x, y] pair of pixels' })).min(1, { error: 'expected at least one point' }).optional(),
  })
  .superRefine((item, ctx) => {
    if ((item.affordance === undefined) === (item.points === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected exactly one of "affordance" (a box) and "points" (a trajectory)' });
    }
  });

/** A raw ShareRobot item. */
export type ShareRobotItem = z.infer<typeof ShareRobotItem>;

/** The kind of a ShareRobot item. */
export function shareRobotKind(item: ShareRobotItem): TaskKind {
  return item.affordance !== undefined ? 'affordance' : 'trajectory';
}

/**
 * Check a value against {@link ShareRobotItem}; problems name the field like record problems do.
 *
 * @example
 * parseShareRobotItem({ id: 'a.png', meta_data: { original_width: 640, original_height: 480 }, instruction: 'x', points: [[1, 2]] }).ok; // true
 */
export function parseShareRobotItem(
  value: unknown,
): { ok: true; item: ShareRobotItem } | { ok: false; problems: { field: string; message: string }[] } {
  const parsed = ShareRobotItem.safeParse(value);
  if (parsed.success) return { ok: true, item: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((i) => ({ field: fieldName(i.path), message: i.message })) };
}

/**
 * The VLA-R1 action of a ShareRobot item: the top-left pixel box becomes a normalised centre box
 * (`shareRobotPixelsToBox`), points are divided by the image size. Labels are clipped to the image first (a box is
 * intersected with it, points are clamped); `clipped` says whether anything was outside.
 *
 * @throws UserError (without a file name: the caller adds it) when a box lies entirely outside the image.
 * @example
 * shareRobotAction({ id: 'a.png', meta_data: { original_width: 640, original_height: 480 }, instruction: 'pick',
 *   affordance: { x: 320, y: 240, width: 64, height: 48 } }).action;
 * // { kind: 'affordance', box: { x: 0.55, y: 0.55, width: 0.1, height: 0.1 } }
 */
export function shareRobotAction(item: ShareRobotItem): { action: Action; clipped: boolean } {
  const w = item.meta_data.original_width;
  const h = item.meta_data.original_height;
  if (item.affordance !== undefined) {
    const px = item.affordance;
    const x1 = Math.min(px.x, px.x + px.width);
    const y1 = Math.min(px.y, px.y + px.height);
    const x2 = Math.max(px.x, px.x + px.width);
    const y2 = Math.max(px.y, px.y + px.height);
    const cx1 = Math.max(0, x1);
    const cy1 = Math.max(0, y1);
    const cx2 = Math.min(w, x2);
    const cy2 = Math.min(h, y2);
    if (cx2 < cx1 || cy2 < cy1) throw new UserError(`affordance: the box lies outside the ${w}x${h} image`);
    const clipped = cx1 !== px.x || cy1 !== px.y || cx2 !== px.x + px.width || cy2 !== px.y + px.height;
    const box = shareRobotPixelsToBox({ x: cx1, y: cy1, width: cx2 - cx1, height: cy2 - cy1 }, w, h);
    return { action: { kind: 'affordance', box }, clipped };
  }
  const points = (item.points ?? []).map(([x, y]): Point => [x / w, y / h]);
  const clipped = points.some(([x, y]) => x < 0 || x > 1 || y < 0 || y > 1);
  return { action: { kind: 'trajectory', points: points.map(([x, y]): Point => [clip01(x), clip01(y)]) }, clipped };
}

/** How the `<think>` block of a converted record is filled: a short templated rationale, or left empty. */
export type ThinkMode = 'template' | 'empty';

/**
 * A short, deterministic rationale for a converted ShareRobot label (ShareRobot has no chain of thought). It
 * restates the task and where the annotated region or path lies, without inventing scene details.
 *
 * @example
 * templateRationale('reach for the carrot', { kind: 'trajectory', points: [[0.4, 0.2], [0.4, 0.5]] });
 * // 'The task is "reach for the carrot". The end-effector should move from (0.400, 0.200) to (0.400, 0.500) in 2 waypoints.'
 */
export function templateRationale(instruction: string, action: Action): string {
  const task = `The task is "${instruction.trim()}".`;
  const f = (v: number): string => v.toFixed(3);
  if (action.kind === 'affordance') {
    const b = action.box;
    return `${task} The region to act on is centred at (${f(b.x)}, ${f(b.y)}) and spans ${f(b.width)} x ${f(b.height)} of the image.`;
  }
  const first = action.points[0];
  const last = action.points[action.points.length - 1];
  if (first === undefined || last === undefined) return task;
  return `${task} The end-effector should move from (${f(first[0])}, ${f(first[1])}) to (${f(last[0])}, ${f(last[1])}) in ${action.points.length} waypoints.`;
}

/** Options of {@link shareRobotItemToRecord}. */
export interface ToRecordOptions {
  /** The image path to write in the record (relative to the output dataset's folder, or absolute). */
  readonly image: string;
  /** Default `template`. */
  readonly think?: ThinkMode;
}

/**
 * A ShareRobot item as a VLA-R1 record: the human turn is the instruction with the official suffix and
 * `\n<image>`, the gpt turn `<think>…</think> so, the answer is <output>…</output>` with the normalised,
 * centre-form answer. The item's `id` and `meta_data` are kept on the record (extra keys the official tools
 * ignore) so the conversion back is exact.
 *
 * @example
 * shareRobotItemToRecord(item, { image: 'images/a.png' }).conversations[1].value;
 * // '<think>The task is …</think> so, the answer is <output>{"x": 0.55, "y": 0.55, "width": 0.1, "height": 0.1}</output>'
 */
export function shareRobotItemToRecord(item: ShareRobotItem, options: ToRecordOptions): { record: VlaR1Record; clipped: boolean } {
  const { action, clipped } = shareRobotAction(item);
  const think = (options.think ?? 'template') === 'template' ? templateRationale(item.instruction, action) : '';
  const record: VlaR1Record = {
    image: options.image,
    conversations: [
      { from: 'human', value: buildHumanTurn(item.instruction, action.kind) },
      { from: 'gpt', value: formatAnswer(think, action) },
    ],
    id: item.id,
    meta_data: item.meta_data,
  };
  return { record, clipped };
}

/**
 * The image path of a ShareRobot item relative to the image root: `template` with `{id}` and
 * `{original_dataset}` replaced, or else the `id` itself (ShareRobot's ids are image paths).
 *
 * @throws UserError (without a file name: the caller adds it) when the id is a number and there is no template.
 * @example
 * shareRobotImagePath({ id: 12, … }, '{original_dataset}/{id}.jpg'); // 'bridge/12.jpg'
 */
export function shareRobotImagePath(item: ShareRobotItem, template?: string): string {
  if (template !== undefined) {
    return template.replaceAll('{id}', String(item.id)).replaceAll('{original_dataset}', item.meta_data.original_dataset ?? '');
  }
  if (typeof item.id === 'string') return item.id;
  throw new UserError(`id: ${item.id} is a number, not an image path: pass --image-template (e.g. "{id}.jpg")`);
}

/** Options of {@link recordToShareRobotItem}. */
export interface ToShareRobotOptions {
  /** The item id (its image path relative to the image root). */
  readonly id: string | number;
  /** Pixel size of the image. */
  readonly width: number;
  readonly height: number;
  readonly originalDataset?: string;
}

/**
 * A loaded VLA-R1 record as a ShareRobot item: the centre box becomes a top-left pixel box
 * (`boxToShareRobotPixels`), points are multiplied by the image size. Pixel values are rounded to 6 decimals
 * (a micro-pixel: far below the 6-decimal precision of the normalised answer) so no float noise is written.
 *
 * @example
 * recordToShareRobotItem(loaded, { id: 'a.png', width: 640, height: 480 }).affordance;
 * // { x: 320, y: 240, width: 64, height: 48 } for the box {"x": 0.55, "y": 0.55, "width": 0.1, "height": 0.1}
 */
export function recordToShareRobotItem(loaded: LoadedRecord, options: ToShareRobotOptions): ShareRobotItem {
  const meta_data = {
    original_dataset: options.originalDataset ?? 'unknown',
    original_width: options.width,
    original_height: options.height,
  };
  const base = { id: options.id, meta_data, instruction: loaded.instruction };
  const action = loaded.action;
  const r = (v: number): number => Math.round(v * 1e6) / 1e6;
  if (action.kind === 'affordance') {
    const px = boxToShareRobotPixels(action.box, options.width, options.height);
    return { ...base, affordance: { x: r(px.x), y: r(px.y), width: r(px.width), height: r(px.height) } };
  }
  return { ...base, points: action.points.map(([x, y]): [number, number] => [r(x * options.width), r(y * options.height)]) };
}

/**
 * The preserved ShareRobot `id` and `meta_data` of a record converted by {@link shareRobotItemToRecord}, when
 * present and well-formed.
 */
export function preservedShareRobotMeta(
  record: VlaR1Record,
): { id: string | number; width: number; height: number; originalDataset?: string } | undefined {
  const parsed = z
    .object({
      id: z.union([z.string().min(1), z.number()]),
      meta_data: z.object({ original_dataset: z.string().optional(), original_width: z.number().positive(), original_height: z.number().positive() }),
    })
    .safeParse(record);
  if (!parsed.success) return undefined;
  const { id, meta_data } = parsed.data;
  return {
    id,
    width: meta_data.original_width,
    height: meta_data.original_height,
    ...(meta_data.original_dataset !== undefined ? { originalDataset: meta_data.original_dataset } : {}),
  };
}
