import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_STRICT_CHECKS, computeScore, strictFormatViolations } from '../rewards/index.js';
import { parseAnswer } from '../protocol/answer.js';
import { parseHumanTurn } from '../protocol/prompts.js';
import { pixelToNormalised } from './scene/camera.js';
import { colourNoun, denotations, objectCentre } from './scene/describe.js';
import { footprintPolygon, objectPixelBox, partPixelBox } from './scene/geometry.js';
import { pointSegmentDistance, segmentInsideFraction } from './scene/polygon.js';
import { PATH_CLEARANCE, type TrajectoryTask } from './scene/tasks.js';
import type { Scene, SceneObject } from './scene/types.js';
import type { Vec2 } from './scene/vec.js';
import { composeSample, renderSamplePng, type SynthSample } from './synth-sample.js';
import { HELD_OUT, OOD_SHIFTS } from './synth-splits.js';

const SEED = 11;
let train: SynthSample[] = [];
let test: SynthSample[] = [];
let ood: SynthSample[] = [];

beforeAll(() => {
  train = Array.from({ length: 120 }, (_, index) => composeSample({ seed: SEED, split: 'train', index, size: 128 }));
  test = Array.from({ length: 40 }, (_, index) => composeSample({ seed: SEED, split: 'test', index, size: 128 }));
  ood = Array.from({ length: 80 }, (_, index) => composeSample({ seed: SEED, split: 'ood', index, size: 128 }));
});

const all = (): SynthSample[] => [...train, ...test, ...ood];

function coordinatesAfter(text: string, lead: string): Vec2[] {
  const out: Vec2[] = [];
  const re = new RegExp(`${lead} x (\\d\\.\\d\\d), y (\\d\\.\\d\\d)`, 'g');
  for (const m of text.matchAll(re)) out.push([Number(m[1]), Number(m[2])]);
  return out;
}

function segmentPolygonDistance(a: Vec2, b: Vec2, poly: readonly Vec2[]): number {
  if (segmentInsideFraction(a, b, poly) > 0) return 0;
  let best = Infinity;
  for (const p of poly) best = Math.min(best, pointSegmentDistance(p, a, b));
  return best;
}

/** Objects the planner must avoid on a leg (the target, and the container of an in/on placement, are excluded). */
function legObstacles(scene: Scene, task: TrajectoryTask, leg: number): SceneObject[] {
  const exclude = new Set([task.target.id]);
  if (leg === 1 && task.place && (task.place.relation === 'in' || task.place.relation === 'on')) exclude.add(task.place.landmark.id);
  return scene.objects.filter((o) => !exclude.has(o.id));
}

describe('synthetic samples: records and answers', () => {
  it('write the official human turn and a well-formed answer that parses back to the action', () => {
    for (const s of all()) {
      const human = parseHumanTurn(s.record.conversations[0].value);
      expect(human).toEqual({ instruction: s.instruction, kind: s.action.kind });
      const parsed = parseAnswer(s.record.conversations[1].value, s.action.kind);
      if (!parsed.ok) throw new Error(`${s.meta.split} ${s.meta.index}: ${parsed.error.message}`);
      expect(parsed.action).toEqual(s.action);
      expect(parsed.think).toBe(s.rationale);
      expect(s.record.image).toBe(`images/${s.meta.split}-${String(s.meta.index).padStart(6, '0')}.png`);
    }
  });

  it('keep every answer inside the image, with 3–8 waypoints for trajectories', () => {
    for (const s of all()) {
      if (s.action.kind === 'affordance') {
        const { x, y, width, height } = s.action.box;
        expect(width).toBeGreaterThan(0);
        expect(height).toBeGreaterThan(0);
        for (const v of [x - width / 2, y - height / 2, x + width / 2, y + height / 2]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      } else {
        expect(s.action.points.length).toBeGreaterThanOrEqual(3);
        expect(s.action.points.length).toBeLessThanOrEqual(8);
        for (const [px, py] of s.action.points) {
          expect(px).toBeGreaterThanOrEqual(0);
          expect(px).toBeLessThanOrEqual(1);
          expect(py).toBeGreaterThanOrEqual(0);
          expect(py).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('score the ground truth against itself at the top of the official reward', () => {
    for (const s of all()) {
      const answer = s.record.conversations[1].value;
      const r = computeScore(answer, answer);
      expect(r.mode).toBe(s.action.kind === 'affordance' ? 'box' : 'trajectory');
      expect(r.formatScore).toBe(1);
      expect(r.score).toBeGreaterThanOrEqual(1 - 1e-6);
      expect(strictFormatViolations(answer, ALL_STRICT_CHECKS)).toEqual([]);
    }
  });

  it('box exactly the projected actionable part, which lies inside its object', () => {
    let checked = 0;
    for (const s of all()) {
      if (s.task.mode !== 'affordance' || s.action.kind !== 'affordance') continue;
      const cam = s.scene.camera;
      const [px0, py0, px1, py1] = partPixelBox(cam, s.task.target, s.task.part);
      const [ox0, oy0, ox1, oy1] = objectPixelBox(cam, s.task.target);
      expect(px0).toBeGreaterThanOrEqual(ox0);
      expect(py0).toBeGreaterThanOrEqual(oy0);
      expect(px1).toBeLessThanOrEqual(ox1);
      expect(py1).toBeLessThanOrEqual(oy1);
      const [nx0, ny0] = pixelToNormalised(cam, px0, py0);
      const [nx1, ny1] = pixelToNormalised(cam, px1, py1);
      const b = s.action.box;
      expect(b.x).toBeCloseTo((nx0 + nx1) / 2, 6);
      expect(b.width).toBeCloseTo(nx1 - nx0, 6);
      expect(b.y).toBeCloseTo((ny0 + ny1) / 2, 6);
      expect(b.height).toBeCloseTo(ny1 - ny0, 6);
      // A handle, grip, cap, pull or can top is a small piece of its object (a rim or lid can span the whole outline).
      if (['handle', 'grip', 'cap', 'pull', 'top'].includes(s.task.part.name)) expect((px1 - px0) * (py1 - py0)).toBeLessThan(0.8 * (ox1 - ox0) * (oy1 - oy0));
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('produce the same PNG twice for the same sample, and a PNG of the requested size', async () => {
    const a = await renderSamplePng(composeSample({ seed: SEED, split: 'train', index: 3, size: 96 }));
    const b = await renderSamplePng(composeSample({ seed: SEED, split: 'train', index: 3, size: 96 }));
    expect(a.equals(b)).toBe(true);
    expect(a.readUInt32BE(16)).toBe(96);
    expect(a.readUInt32BE(20)).toBe(96);
  });
});

describe('synthetic samples: instructions and rationales are true of the scene', () => {
  it('name the target with a reference that denotes exactly that object', () => {
    for (const s of all()) {
      expect(s.instruction).toContain(s.task.reference.text);
      expect(denotations(s.scene, s.task.reference.text).map((o) => o.id)).toEqual([s.task.target.id]);
      if (s.task.mode === 'pick-place' && s.task.place) {
        expect(denotations(s.scene, s.task.place.reference.text).map((o) => o.id)).toEqual([s.task.place.landmark.id]);
      }
    }
  });

  it('state the target colour and category and at least 40 words; a trajectory names every object on the table', () => {
    for (const s of all()) {
      expect(s.rationale).toContain(colourNoun(s.task.target));
      if (s.task.mode !== 'affordance') for (const o of s.scene.objects) expect(s.rationale).toContain(colourNoun(o));
      expect(s.rationale.split(/\s+/).length).toBeGreaterThanOrEqual(40);
      expect(s.rationale).not.toMatch(/undefined|NaN/);
    }
  });

  it("repeat the instruction's words for the target, point at it, then name it", () => {
    let lookAlikes = 0;
    for (const s of all()) {
      expect(s.rationale).toContain(s.task.reference.text);
      const twins = s.scene.objects.filter((o) => o.id !== s.task.target.id && colourNoun(o) === colourNoun(s.task.target));
      if (twins.length > 0) lookAlikes++;
      // A look-alike is never called by the target's plain name where it is reported in the way.
      if (s.task.mode !== 'affordance') {
        for (const twin of twins) {
          if (s.task.legs.some((l) => l.blocking.includes(twin.id))) expect(s.rationale).toContain(`the other ${colourNoun(twin)}`);
        }
        continue;
      }
      const found = /I find it near x (\d\.\d\d), y (\d\.\d\d), [a-z ]+: the ([a-z ]+?)[,.]/.exec(s.rationale);
      expect(found).not.toBeNull();
      const centre = objectCentre(s.scene, s.task.target);
      expect(Math.abs(Number(found![1]) - centre[0])).toBeLessThanOrEqual(0.0051);
      expect(Math.abs(Number(found![2]) - centre[1])).toBeLessThanOrEqual(0.0051);
      expect(found![3]).toBe(colourNoun(s.task.target));
    }
    expect(lookAlikes).toBeGreaterThan(0);
  });

  it('give the coordinates of the answer: the box centre, or the gripper start and the grasp point', () => {
    for (const s of all()) {
      if (s.action.kind === 'affordance') {
        const [c] = coordinatesAfter(s.rationale, 'centred near');
        expect(c).toBeDefined();
        expect(Math.abs(c![0] - s.action.box.x)).toBeLessThanOrEqual(0.0051);
        expect(Math.abs(c![1] - s.action.box.y)).toBeLessThanOrEqual(0.0051);
      } else {
        const stated = coordinatesAfter(s.rationale, '(?:gripper|point) is near');
        const first = s.action.points[0]!;
        expect(Math.abs(stated[0]![0] - first[0])).toBeLessThanOrEqual(0.0051);
        expect(Math.abs(stated[0]![1] - first[1])).toBeLessThanOrEqual(0.0051);
        const task = s.task as TrajectoryTask;
        expect(Math.abs(stated[1]![0] - task.targetCentre[0])).toBeLessThanOrEqual(0.0051);
        expect(Math.abs(stated[1]![1] - task.targetCentre[1])).toBeLessThanOrEqual(0.0051);
        if (task.mode !== 'pick-place') {
          const last = s.action.points[s.action.points.length - 1]!;
          expect(Math.abs(last[0] - task.targetCentre[0])).toBeLessThan(1e-6);
        }
      }
    }
  });

  it('name as "in the way" exactly the objects near the straight line, including every one it runs through', () => {
    let blocked = 0;
    for (const s of all()) {
      if (s.task.mode === 'affordance') continue;
      const task = s.task;
      const inTheWay = s.rationale
        .split('. ')
        .filter((sentence) => sentence.includes('in the way of a straight line'))
        .join(' ');
      task.legs.forEach((leg, i) => {
        const a: Vec2 = [leg.start[0], leg.start[1]];
        const b: Vec2 = [leg.goal[0], leg.goal[1]];
        for (const o of legObstacles(s.scene, task, i)) {
          const d = segmentPolygonDistance(a, b, footprintPolygon(o));
          if (d === 0) {
            // The straight line runs through the object: it must be reported and named.
            expect(leg.blocking).toContain(o.id);
            expect(inTheWay).toContain(colourNoun(o));
          }
          if (leg.blocking.includes(o.id)) {
            // Reported objects are within the planner's clearance of the straight line.
            expect(segmentInsideFraction(a, b, footprintPolygon(o, PATH_CLEARANCE))).toBeGreaterThan(0);
            expect(inTheWay).toContain(colourNoun(o));
            blocked++;
          }
        }
      });
      if (task.legs.every((l) => l.blocking.length === 0)) expect(inTheWay).toBe('');
    }
    expect(blocked).toBeGreaterThan(5);
  });

  it('plan paths that never run through another object', () => {
    for (const s of all()) {
      if (s.task.mode === 'affordance') continue;
      const task = s.task;
      task.legs.forEach((leg, i) => {
        const obstacles = legObstacles(s.scene, task, i);
        for (let k = 0; k + 1 < leg.path.length; k++) {
          for (const o of obstacles) expect(segmentInsideFraction(leg.path[k]!, leg.path[k + 1]!, footprintPolygon(o))).toBeLessThan(1e-6);
        }
      });
    }
  });
});

describe('splits: what the OOD split holds out', () => {
  const heldOutWords = [...HELD_OUT.categories, ...HELD_OUT.colours];
  const wordRe = new RegExp(`\\b(${heldOutWords.join('|')})s?\\b`);

  it('never put a held-out category, colour, layout or phrasing into train or test', () => {
    for (const s of [...train, ...test]) {
      expect(s.meta.shift).toBeUndefined();
      expect(s.meta.categories.filter((c) => HELD_OUT.categories.includes(c))).toEqual([]);
      expect(s.meta.colours.filter((c) => HELD_OUT.colours.includes(c))).toEqual([]);
      expect(HELD_OUT.layouts).not.toContain(s.meta.layout);
      expect(HELD_OUT.templates).not.toContain(s.meta.templateId);
      expect(s.record.conversations[0].value).not.toMatch(wordRe);
      expect(s.record.conversations[1].value).not.toMatch(wordRe);
    }
  });

  it('give each OOD sample its round-robin shift, and realise it', () => {
    ood.forEach((s, i) => {
      expect(s.meta.shift).toBe(OOD_SHIFTS[i % 4]);
      switch (s.meta.shift) {
        case 'category':
          expect(HELD_OUT.categories).toContain(s.meta.target.category);
          break;
        case 'colour':
          expect(HELD_OUT.colours).toContain(s.meta.target.colour);
          break;
        case 'layout':
          expect(s.meta.layout).toBe('crowded');
          expect(s.scene.objects.length).toBeGreaterThanOrEqual(6);
          break;
        case 'phrasing':
          expect(HELD_OUT.templates).toContain(s.meta.templateId);
          break;
      }
    });
  });

  it('cover every task mode and the whole catalogue in training', () => {
    const modes = new Set(train.map((s) => s.meta.mode));
    expect([...modes].sort()).toEqual(['affordance', 'pick-place', 'reach', 'reach-part']);
    const targets = new Set(train.map((s) => s.meta.target.category));
    expect(targets.size).toBeGreaterThanOrEqual(13);
  });
});
