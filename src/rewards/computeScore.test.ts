import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAnswer } from '../protocol/answer.js';
import type { Action } from '../protocol/types.js';
import { alafNormaliser, computeScore, type RewardResult } from './computeScore.js';

interface FixtureCase {
  response: string;
  ground_truth: string;
  score: number;
  format_score: number;
  task_score: number;
  iou: number | null;
  os_frechet_norm: number | null;
  official_raised: boolean;
}

const FIXTURE = new URL('../../test/fixtures/reward-official-400.jsonl', import.meta.url);
const cases = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as FixtureCase);

describe('computeScore against the official compute_score (test/fixtures/reward-official-400.jsonl)', () => {
  it('has the 400 cases', () => {
    expect(cases).toHaveLength(400);
  });

  it('agrees on score, format, task, iou and os_frechet_norm for every case (1e-9)', () => {
    const failures: string[] = [];
    const close = (a: number | null, b: number | null) => (a === null ? b === null : b !== null && Math.abs(a - b) <= 1e-9);
    cases.forEach((c, i) => {
      const r = computeScore(c.response, c.ground_truth);
      const ok =
        Math.abs(r.score - c.score) <= 1e-9 &&
        r.formatScore === c.format_score &&
        Math.abs(r.taskScore - c.task_score) <= 1e-9 &&
        close(r.iou, c.iou) &&
        close(r.alaf, c.os_frechet_norm);
      if (!ok) failures.push(`case ${i}: ${JSON.stringify(r)} vs ${JSON.stringify(c)}`);
    });
    expect(failures).toEqual([]);
  });

  it('scores 0 for the case the official code caught an exception on, and flags it', () => {
    const raised = cases.filter((c) => c.official_raised);
    expect(raised.length).toBeGreaterThan(0);
    for (const c of raised) {
      const r = computeScore(c.response, c.ground_truth);
      expect(r.taskScore).toBe(0);
      expect(r.error).toBeDefined();
    }
  });
});

const GT_T =
  '<think>Reasoning about the scene.</think> so, the answer is <output>[[0.230263, 0.133244], [0.437674, 0.2587], [0.417752, 0.196741], [0.492707, 0.424829]]</output>';
const GT_B =
  '<think>Reasoning about the scene.</think> so, the answer is <output>{"x": 0.563749, "y": 0.638217, "width": 0.094696, "height": 0.123233}</output>';

type Expected = Pick<RewardResult, 'score' | 'formatScore' | 'taskScore' | 'mode' | 'iou' | 'giou' | 'alaf' | 'dfd'>;
const none = { iou: null, giou: null, alaf: null, dfd: null };

// Expected values computed with the official robot_bbox_traj_norm.compute_score (CPython 3.11).
const EDGE_CASES: readonly (readonly [string, string, string, Expected])[] = [
  ['empty predicted trajectory (official: IndexError)', '<think>a</think> so, the answer is <output>[]</output>', GT_T,
    { score: 0.1, formatScore: 1, taskScore: 0, mode: 'trajectory', ...none }],
  ['empty ground-truth trajectory', '<think>a</think><output>[[0.2, 0.1]]</output>', '<think>x</think><output>[]</output>',
    { score: 0.1, formatScore: 1, taskScore: 0, mode: 'trajectory', ...none }],
  ['numeric strings in a box', '<think>a</think><output>{"x": "0.56", "y": " 0.64 ", "width": "9.5e-2", "height": "0.12"}</output>', GT_B,
    { score: 0.9537115479755894, formatScore: 1, taskScore: 0.9485683866395438, mode: 'box', iou: 0.8982759657244999, giou: 0.8971367732790875, alaf: null, dfd: null }],
  ['numeric strings in a trajectory', '<think>a</think><output>[["0.23", "0.13"], ["0.44", "0.26"], ["0.42", "0.2"], ["0.49", "0.42"]]</output>', GT_T,
    { score: 0.7653359404759178, formatScore: 1, taskScore: 0.7392621560843531, mode: 'trajectory', iou: null, giou: null, alaf: 0.26073784391564697, dfd: 0.003914529984557555 }],
  ['booleans in a box', '<think>a</think><output>{"x": true, "y": false, "width": true, "height": true}</output>', GT_B,
    { score: 0.4365124775410152, formatScore: 1, taskScore: 0.37390275282335017, mode: 'box', iou: 0, giou: -0.25219449435329966, alaf: null, dfd: null }],
  ['booleans in a trajectory', '<think>a</think><output>[[true, false], [0.4, 0.3]]</output>', GT_T,
    { score: 0.47535582560853995, formatScore: 1, taskScore: 0.41706202845393325, mode: 'trajectory', iou: null, giou: null, alaf: 0.5829379715460667, dfd: 0.5523807621129649 }],
  ['a non-numeric string (official: ValueError)', '<think>a</think><output>{"x": "abc", "y": 0.6, "width": 0.1, "height": 0.1}</output>', GT_B,
    { score: 0.1, formatScore: 1, taskScore: 0, mode: 'box', ...none }],
  ['a null coordinate (official: TypeError)', '<think>a</think><output>[[null, 0.1]]</output>', GT_T,
    { score: 0.1, formatScore: 1, taskScore: 0, mode: 'trajectory', ...none }],
  ['a box against a trajectory', '<think>a</think><output>{"x": 0.5, "y": 0.6, "width": 0.1, "height": 0.1}</output>', GT_T,
    { score: 0.1, formatScore: 1, taskScore: 0, mode: 'none', ...none }],
  ['a trajectory against a box', '<think>a</think><output>[[0.5, 0.6]]</output>', GT_B,
    { score: 0.1, formatScore: 1, taskScore: 0, mode: 'none', ...none }],
  ['several output blocks: the first counts', '<think>a</think><output>[[0.23, 0.13], [0.49, 0.42]]</output><output>{"x": 0.5}</output>', GT_T,
    { score: 0.7312072468915777, formatScore: 1, taskScore: 0.7013413854350863, mode: 'trajectory', iou: null, giou: null, alaf: 0.29865861456491377, dfd: 0.16592822934178497 }],
  ['a first output block that is bad JSON: no payload', '<think>a</think><output>[[0.23, 0.13],]</output><output>[[0.23, 0.13]]</output>', GT_T,
    { score: 0, formatScore: 0, taskScore: 0, mode: 'none', ...none }],
  ['upper-case tags', '<THINK>a</THINK> so, the answer is <OUTPUT>[[0.230263, 0.133244], [0.437674, 0.2587]]</Output>', GT_T,
    { score: 0.838980901194449, formatScore: 1, taskScore: 0.8210898902160545, mode: 'trajectory', iou: null, giou: null, alaf: 0.17891010978394553, dfd: 0.12374868833648299 }],
  ['no think block: format 0, task kept', 'so, the answer is <output>[[0.230263, 0.133244], [0.492707, 0.424829]]</output>', GT_T,
    { score: 0.6291085787008402, formatScore: 0, taskScore: 0.6990095318898225, mode: 'trajectory', iou: null, giou: null, alaf: 0.3009904681101775, dfd: 0.16976805908209 }],
  ['no output block', '<think>a</think> so, the answer is [[0.2, 0.1]]', GT_T,
    { score: 0, formatScore: 0, taskScore: 0, mode: 'none', ...none }],
  ['a null payload (Python None = no payload)', '<think>a</think><output>null</output>', GT_T,
    { score: 0, formatScore: 0, taskScore: 0, mode: 'none', ...none }],
  ['the official NaN box hack (a perfect score)', '<think>a</think><output>{"x": NaN, "y": 0.9, "width": 0.1, "height": 0.1}</output>', GT_B,
    { score: 1, formatScore: 1, taskScore: 1, mode: 'box', iou: 0, giou: 1, alaf: null, dfd: null }],
  ['a trajectory against itself', GT_T, GT_T,
    { score: 1, formatScore: 1, taskScore: 1, mode: 'trajectory', iou: null, giou: null, alaf: 0, dfd: 0 }],
  ['a box against itself', GT_B, GT_B, { score: 1, formatScore: 1, taskScore: 1, mode: 'box', iou: 1, giou: 1, alaf: null, dfd: null }],
  ['a single predicted point', '<think>a</think><output>[[0.3, 0.2]]</output>', GT_T,
    { score: 0.1, formatScore: 1, taskScore: 0, mode: 'trajectory', iou: null, giou: null, alaf: 1, dfd: 0.20938489330656113 }],
  ['out-of-range values are clipped, negative sizes taken by magnitude', '<think>a</think><output>{"x": 1.2, "y": -0.1, "width": -0.5, "height": 0.3}</output>', GT_B,
    { score: 0.11884049003237386, formatScore: 1, taskScore: 0.020933877813748725, mode: 'box', iou: 0, giou: -0.9581322443725026, alaf: null, dfd: null }],
];

describe('computeScore edge cases (values from the official code)', () => {
  it.each(EDGE_CASES)('%s', (_name, response, groundTruth, expected) => {
    const r = computeScore(response, groundTruth);
    expect(r.mode).toBe(expected.mode);
    expect(r.formatScore).toBe(expected.formatScore);
    expect(Math.abs(r.score - expected.score)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(r.taskScore - expected.taskScore)).toBeLessThanOrEqual(1e-12);
    for (const key of ['iou', 'giou', 'alaf', 'dfd'] as const) {
      const want = expected[key];
      const got = r[key];
      if (want === null) expect(got).toBeNull();
      else expect(Math.abs(got! - want)).toBeLessThanOrEqual(1e-12);
    }
  });
});

describe('options', () => {
  it('has the official normaliser √2 + 0.25π + 0.1·ln 10', () => {
    expect(alafNormaliser(0.25, 0.1)).toBeCloseTo(2.42987, 5);
    expect(alafNormaliser(0.25, 0.1)).toBe(Math.SQRT2 + 0.25 * Math.PI + 0.1 * Math.log(10));
  });

  it('applies the weights and λ', () => {
    const response = '<think>a</think><output>[[0.23, 0.13], [0.49, 0.42]]</output>';
    const base = computeScore(response, GT_T);
    const weighted = computeScore(response, GT_T, { taskWeight: 0.5, formatWeight: 0.5 });
    expect(weighted.score).toBeCloseTo(0.5 * base.taskScore + 0.5, 15);
    const noAngle = computeScore(response, GT_T, { lambdaAngle: 0, lambdaLength: 0 });
    expect(noAngle.alaf).toBeCloseTo(Math.min(1, (base.dfd! * Math.SQRT2) / Math.SQRT2), 12); // ALAF = DFD when λ = 0
  });

  it('strict mode: one block each, non-empty think, think before output', () => {
    const good = '<think>Reach over the pot.</think> so, the answer is <output>[[0.23, 0.13]]</output>';
    expect(computeScore(good, GT_T, { strict: true }).formatScore).toBe(1);
    for (const bad of [
      '<think></think> so, the answer is <output>[[0.23, 0.13]]</output>',
      '<think> \n </think> so, the answer is <output>[[0.23, 0.13]]</output>',
      '<output>[[0.23, 0.13]]</output><think>after the fact</think>',
      '<think>a</think><think>b</think><output>[[0.23, 0.13]]</output>',
      '<think>a</think><output>[[0.23, 0.13]]</output><output>[[0.9, 0.9]]</output>',
      '<think>a</think><output>[[0.23, 0.13]]</output></output>',
    ]) {
      const official = computeScore(bad, GT_T);
      const strict = computeScore(bad, GT_T, { strict: true });
      expect(official.formatScore).toBe(1);
      expect(strict.formatScore).toBe(0);
      expect(strict.taskScore).toBe(official.taskScore);
      expect(strict.error).toMatch(/^strict: /);
    }
    // Individual checks can be chosen.
    const emptyThink = '<think></think><output>[[0.23, 0.13]]</output>';
    expect(computeScore(emptyThink, GT_T, { strict: { singleBlocks: true } }).formatScore).toBe(1);
    expect(computeScore(emptyThink, GT_T, { strict: { nonEmptyThink: true } }).formatScore).toBe(0);
  });

  it('strict mode closes the NaN box hack and NaN waypoints', () => {
    const hack = '<think>a</think><output>{"x": NaN, "y": 0.9, "width": 0.1, "height": 0.1}</output>';
    expect(computeScore(hack, GT_B).score).toBe(1);
    const strict = computeScore(hack, GT_B, { strict: { finiteNumbers: true } });
    expect(strict.taskScore).toBe(0);
    expect(strict.error).toMatch(/finite/);
    const nanString = '<think>a</think><output>{"x": "nan", "y": "nan", "width": 0, "height": 0}</output>';
    expect(computeScore(nanString, GT_B).score).toBe(1);
    expect(computeScore(nanString, GT_B, { strict: true }).taskScore).toBe(0);
    const nanTrajectory = '<think>a</think><output>[[0.23, 0.13], [NaN, 0.2]]</output>';
    expect(computeScore(nanTrajectory, GT_T, { strict: true }).taskScore).toBe(0);
  });
});

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ x: unit, y: unit, width: unit, height: unit }).map((box) => ({ kind: 'affordance' as const, box })),
  fc.array(fc.tuple(unit, unit), { minLength: 1, maxLength: 10 }).map((points) => ({ kind: 'trajectory' as const, points })),
);

describe('computeScore properties', () => {
  it('never throws and stays in [0, 1] on arbitrary strings', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom('<think>', '</think>', '<output>', '</output>', '[[', ']]', '[0.5, 0.5]', '{"x": 0.5, "y": 0.5, "width": 0.1, "height": 0.1}', 'NaN', ', '),
    );
    const text = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, text, (response, groundTruth) => {
        const r = computeScore(response, groundTruth);
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(1);
        expect([0, 1]).toContain(r.formatScore);
      }),
    );
  });

  it('scores an answer against itself with task ≥ 1 − 1e-6 (acos rounding, see DESIGN.md "Rounding")', () => {
    fc.assert(
      fc.property(action, (a) => {
        const text = formatAnswer('x', a);
        const r = computeScore(text, text);
        expect(r.formatScore).toBe(1);
        // A box with zero width or height has no area: IoU 0 against itself, GIoU 0. The answer holds the sizes
        // rounded to 6 decimals, so a size below 5e-7 is 0 there.
        const rounded = (v: number): number => Math.round(v * 1e6) / 1e6;
        if (a.kind === 'affordance' && rounded(a.box.width) * rounded(a.box.height) < 1e-9) return;
        expect(r.taskScore).toBeGreaterThanOrEqual(1 - 1e-6);
      }),
    );
  });

  it('box GIoU and IoU are symmetric in response and ground truth', () => {
    const box = fc.record({ x: unit, y: unit, width: unit, height: unit });
    fc.assert(
      fc.property(box, box, (a, b) => {
        const ta = formatAnswer('t', { kind: 'affordance', box: a });
        const tb = formatAnswer('t', { kind: 'affordance', box: b });
        const ab = computeScore(ta, tb);
        const ba = computeScore(tb, ta);
        expect(ab.mode).toBe('box');
        expect(ab.iou).toBe(ba.iou);
        expect(Math.abs(ab.giou! - ba.giou!)).toBeLessThanOrEqual(1e-12);
      }),
    );
  });
});
