import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnswer } from '../protocol/answer.js';
import { buildHumanTurn } from '../protocol/prompts.js';
import { interpretRecord } from './records.js';
import {
  parseShareRobotItem,
  preservedShareRobotMeta,
  recordToShareRobotItem,
  shareRobotAction,
  shareRobotImagePath,
  shareRobotItemToRecord,
  SHAREROBOT_CONVENTION,
  templateRationale,
  type ShareRobotItem,
} from './sharerobot.js';

/** The affordance example of the ShareRobot README. */
const affordanceItem: ShareRobotItem = {
  id: 'bridge/2486.png',
  meta_data: { original_dataset: 'bridge', original_width: 640, original_height: 480 },
  instruction: 'place the red fork to the left of the left burner',
  affordance: { x: 352.87425387858815, y: 186.47871614766484, width: 19.296008229513156, height: 14.472006172134865 },
};

/** The trajectory example of the ShareRobot README. */
const trajectoryItem: ShareRobotItem = {
  id: 'bridge/456.png',
  meta_data: { original_dataset: 'bridge', original_width: 640, original_height: 480 },
  instruction: 'reach for the carrot',
  points: [
    [265.45454545454544, 120.0],
    [275.1515151515152, 162.42424242424244],
    [280.0, 213.33333333333331],
    [280.0, 259.3939393939394],
  ],
};

function loaded(item: ShareRobotItem, image = 'img.png') {
  const result = interpretRecord(shareRobotItemToRecord(item, { image }).record, '/data');
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return { index: 0, line: 1, ...result.loaded };
}

describe('the convention', () => {
  it('names both conventions', () => {
    expect(SHAREROBOT_CONVENTION).toContain('TOP-LEFT');
    expect(SHAREROBOT_CONVENTION).toContain('CENTRE');
    expect(SHAREROBOT_CONVENTION).toContain('original_width');
  });
});

describe('parseShareRobotItem', () => {
  it('accepts the README examples, numeric ids and extra keys', () => {
    expect(parseShareRobotItem(affordanceItem)).toEqual({ ok: true, item: affordanceItem });
    expect(parseShareRobotItem({ ...trajectoryItem, id: 456, extra: 1 }).ok).toBe(true);
  });

  it.each([
    [{ ...affordanceItem, points: [[1, 2]] }, 'record', 'expected exactly one of "affordance" (a box) and "points" (a trajectory)'],
    [{ ...affordanceItem, affordance: undefined }, 'record', 'expected exactly one of "affordance" (a box) and "points" (a trajectory)'],
    [{ ...affordanceItem, meta_data: { original_width: 640 } }, 'meta_data.original_height', 'expected a number'],
    [{ ...affordanceItem, meta_data: { original_width: 0, original_height: 480 } }, 'meta_data.original_width', 'expected a positive number of pixels'],
    [{ ...affordanceItem, instruction: '' }, 'instruction', 'expected a non-empty instruction'],
    [{ ...affordanceItem, affordance: { x: 1, y: 2, width: 'w', height: 4 } }, 'affordance.width', 'expected a number'],
    [{ ...trajectoryItem, points: [[1, 2], [3]] }, 'points[1]', 'expected an [x, y] pair of pixels'],
    [{ ...trajectoryItem, points: [] }, 'points', 'expected at least one point'],
    [{ ...trajectoryItem, id: null }, 'id', 'expected a string (image path) or a number'],
  ])('reports %j: %s: %s', (value, field, message) => {
    const r = parseShareRobotItem(value);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toContainEqual({ field, message });
  });
});

describe('ShareRobot → VLA-R1', () => {
  it('converts the README affordance box: top-left pixels → normalised centre', () => {
    const { action, clipped } = shareRobotAction(affordanceItem);
    expect(clipped).toBe(false);
    expect(action.kind).toBe('affordance');
    const box = action.kind === 'affordance' ? action.box : undefined;
    expect(box?.x).toBeCloseTo((352.87425387858815 + 19.296008229513156 / 2) / 640, 15);
    expect(box?.y).toBeCloseTo((186.47871614766484 + 14.472006172134865 / 2) / 480, 15);
    expect(box?.width).toBeCloseTo(19.296008229513156 / 640, 15);
    expect(box?.height).toBeCloseTo(14.472006172134865 / 480, 15);
  });

  it('writes the official human turn and a 6-decimal answer, keeping id and meta_data', () => {
    const { record } = shareRobotItemToRecord(affordanceItem, { image: 'images/bridge/2486.png', think: 'empty' });
    expect(record).toEqual({
      image: 'images/bridge/2486.png',
      conversations: [
        { from: 'human', value: buildHumanTurn('place the red fork to the left of the left burner', 'affordance') },
        // (352.874… + 19.296…/2) / 640 = 0.566441…, (186.478… + 14.472…/2) / 480 = 0.403572…, 19.296… / 640 = 0.030150…
        { from: 'gpt', value: '<think></think> so, the answer is <output>{"x": 0.566441, "y": 0.403572, "width": 0.03015, "height": 0.03015}</output>' },
      ],
      id: 'bridge/2486.png',
      meta_data: { original_dataset: 'bridge', original_width: 640, original_height: 480 },
    });
  });

  it('converts the README trajectory: pixels / image size', () => {
    const { record } = shareRobotItemToRecord(trajectoryItem, { image: 'x.png' });
    const gpt = record.conversations[1].value;
    expect(gpt).toBe(
      '<think>The task is "reach for the carrot". The end-effector should move from (0.415, 0.250) to (0.438, 0.540) in 4 waypoints.</think>' +
        ' so, the answer is <output>[[0.414773, 0.25], [0.429924, 0.338384], [0.4375, 0.444444], [0.4375, 0.540404]]</output>',
    );
  });

  it('clips labels that leave the image and counts them', () => {
    const spill = { ...affordanceItem, affordance: { x: 600, y: -10, width: 80, height: 50 } };
    const { action, clipped } = shareRobotAction(spill);
    expect(clipped).toBe(true);
    expect(action).toEqual({ kind: 'affordance', box: { x: 620 / 640, y: 20 / 480, width: 40 / 640, height: 40 / 480 } });
    const negative = { ...affordanceItem, affordance: { x: 100, y: 100, width: -20, height: -10 } };
    expect(shareRobotAction(negative)).toEqual({ action: { kind: 'affordance', box: { x: 90 / 640, y: 95 / 480, width: 20 / 640, height: 10 / 480 } }, clipped: true });
    const far = { ...trajectoryItem, points: [[-5, 10], [700, 490]] as [number, number][] };
    expect(shareRobotAction(far)).toEqual({ action: { kind: 'trajectory', points: [[0, 10 / 480], [1, 1]] }, clipped: true });
    expect(() => shareRobotAction({ ...affordanceItem, affordance: { x: 700, y: 10, width: 5, height: 5 } })).toThrow('affordance: the box lies outside the 640x480 image');
  });

  it('finds image paths from the id or a template', () => {
    expect(shareRobotImagePath(affordanceItem)).toBe('bridge/2486.png');
    expect(shareRobotImagePath({ ...affordanceItem, id: 2486 }, '{original_dataset}/{id}.jpg')).toBe('bridge/2486.jpg');
    expect(() => shareRobotImagePath({ ...affordanceItem, id: 2486 })).toThrow('id: 2486 is a number, not an image path: pass --image-template (e.g. "{id}.jpg")');
  });

  it('writes a rationale that restates the label', () => {
    expect(templateRationale(' pick the cube ', { kind: 'affordance', box: { x: 0.5, y: 0.25, width: 0.1, height: 0.2 } })).toBe(
      'The task is "pick the cube". The region to act on is centred at (0.500, 0.250) and spans 0.100 x 0.200 of the image.',
    );
  });
});

describe('round trips', () => {
  it('ShareRobot → VLA-R1 → ShareRobot keeps id, meta and pixels (to the 6-decimal rounding)', () => {
    for (const item of [affordanceItem, trajectoryItem]) {
      const record = loaded(item);
      const kept = preservedShareRobotMeta(record.record);
      expect(kept).toEqual({ id: item.id, width: 640, height: 480, originalDataset: 'bridge' });
      if (kept === undefined) continue;
      const back = recordToShareRobotItem(record, kept);
      expect(back.id).toBe(item.id);
      expect(back.meta_data).toEqual(item.meta_data);
      expect(back.instruction).toBe(item.instruction);
      const flat = (i: ShareRobotItem): number[] =>
        i.affordance ? [i.affordance.x, i.affordance.y, i.affordance.width, i.affordance.height] : (i.points ?? []).flat();
      const a = flat(back);
      const b = flat(item);
      expect(a.length).toBe(b.length);
      // 6 decimals of a 640-pixel image: at most 0.5e-6 * 640 = 3.2e-4 px per coordinate (box corners add two).
      a.forEach((v, k) => expect(Math.abs(v - (b[k] ?? Number.NaN))).toBeLessThanOrEqual(7e-4));
    }
  });

  it('pixels → normalised → pixels for any box inside any image (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 4096 }),
        fc.integer({ min: 16, max: 4096 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (w, h, a, b, c, d) => {
          const x = a * w;
          const y = b * h;
          const item: ShareRobotItem = { id: 'i.png', meta_data: { original_width: w, original_height: h }, instruction: 'pick', affordance: { x, y, width: c * (w - x), height: d * (h - y) } };
          const back = recordToShareRobotItem(loaded(item), { id: 'i.png', width: w, height: h }).affordance;
          const tol = 1e-6 * Math.max(w, h) + 1e-9;
          expect(Math.abs((back?.x ?? Number.NaN) - x)).toBeLessThanOrEqual(tol);
          expect(Math.abs((back?.y ?? Number.NaN) - y)).toBeLessThanOrEqual(tol);
          expect(Math.abs((back?.width ?? Number.NaN) - item.affordance!.width)).toBeLessThanOrEqual(tol);
          expect(Math.abs((back?.height ?? Number.NaN) - item.affordance!.height)).toBeLessThanOrEqual(tol);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('VLA-R1 → ShareRobot → VLA-R1 reproduces the same answer JSON', () => {
    const answers = [
      '<think>t</think> so, the answer is <output>{"x": 0.563749, "y": 0.638217, "width": 0.094696, "height": 0.123233}</output>',
      '<think>t</think> so, the answer is <output>[[0.715645, 0.684211], [0.593633, 0.504111], [0.463881, 0.436894], [0.356734, 0.386189]]</output>',
    ];
    for (const [k, answer] of answers.entries()) {
      const kind = k === 0 ? 'affordance' : 'trajectory';
      const first = interpretRecord({ image: 'a.png', conversations: [{ from: 'human', value: buildHumanTurn('open the left door.', kind) }, { from: 'gpt', value: answer }] }, '/d');
      if (!first.ok) throw new Error('bad fixture');
      for (const [w, h] of [[640, 480], [424, 240], [37, 1013]] as const) {
        const item = recordToShareRobotItem({ index: 0, line: 1, ...first.loaded }, { id: 'a.png', width: w, height: h });
        const again = shareRobotItemToRecord(item, { image: 'a.png' }).record;
        const output = (s: string): string => s.slice(s.indexOf('<output>'));
        expect(output(again.conversations[1].value)).toBe(output(answer));
        expect(again.conversations[0].value).toBe(buildHumanTurn('open the left door.', kind));
        expect(parseAnswer(again.conversations[1].value, kind).ok).toBe(true);
      }
    }
  });

  it('writes pixel values, rounded to 6 decimals, for a record without preserved meta', () => {
    const record = loaded({ ...trajectoryItem, meta_data: { original_width: 424, original_height: 240 }, points: [[42.4, 24], [212, 120]] });
    expect(recordToShareRobotItem(record, { id: 'x.png', width: 424, height: 240 })).toEqual({
      id: 'x.png',
      meta_data: { original_dataset: 'unknown', original_width: 424, original_height: 240 },
      instruction: 'reach for the carrot',
      points: [
        [42.4, 24],
        [212, 120],
      ],
    });
  });
});
