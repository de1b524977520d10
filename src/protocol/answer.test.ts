import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractOutputPayload, formatAction, formatAnswer, hasThinkBlock, parseAnswer } from './answer.js';
import type { Action } from './types.js';

const BOX_ANSWER =
  '<think>The handle faces right.</think> so, the answer is <output>{"x": 0.563749, "y": 0.638217, "width": 0.094696, "height": 0.123233}</output>';
const TRAJ_ANSWER =
  '<think>Reach over the pot.</think> so, the answer is <output>[[0.715645, 0.684211], [0.593633, 0.504111], [0.463881, 0.436894], [0.356734, 0.386189]]</output>';

describe('extractOutputPayload', () => {
  it('parses the first <output> block as JSON', () => {
    expect(extractOutputPayload(TRAJ_ANSWER)).toEqual([
      [0.715645, 0.684211],
      [0.593633, 0.504111],
      [0.463881, 0.436894],
      [0.356734, 0.386189],
    ]);
    expect(extractOutputPayload('<output>[1]</output><output>{"a": 1}</output>')).toEqual([1]);
  });

  it('returns undefined for no block, bad JSON, and JSON null (Python None)', () => {
    expect(extractOutputPayload('no tags')).toBeUndefined();
    expect(extractOutputPayload('<output>[1,]</output>')).toBeUndefined();
    expect(extractOutputPayload('<output>null</output>')).toBeUndefined();
    expect(extractOutputPayload('<answer>[1]</answer>')).toBeUndefined();
  });

  it('keeps a JSON false, 0 and an empty array (payloads Python treats as present)', () => {
    expect(extractOutputPayload('<output>false</output>')).toBe(false);
    expect(extractOutputPayload('<output>0</output>')).toBe(0);
    expect(extractOutputPayload('<output> [] </output>')).toEqual([]);
  });

  it('accepts NaN like Python json', () => {
    const value = extractOutputPayload('<output>[[NaN, 0.5]]</output>') as number[][];
    expect(value[0]![0]).toBeNaN();
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => void extractOutputPayload(`<output>${s}</output>`)));
  });
});

describe('hasThinkBlock', () => {
  it('accepts empty and upper-case think blocks in any position', () => {
    expect(hasThinkBlock('<think></think>')).toBe(true);
    expect(hasThinkBlock('<output>[]</output><THINK>x</Think>')).toBe(true);
    expect(hasThinkBlock('<think>unclosed')).toBe(false);
    expect(hasThinkBlock('')).toBe(false);
  });
});

describe('parseAnswer', () => {
  it('reads a box answer with its think text', () => {
    const r = parseAnswer(BOX_ANSWER, 'affordance');
    expect(r).toEqual({
      ok: true,
      action: { kind: 'affordance', box: { x: 0.563749, y: 0.638217, width: 0.094696, height: 0.123233 } },
      think: 'The handle faces right.',
    });
  });

  it('reads a trajectory answer without a think block', () => {
    const r = parseAnswer('<output>[[0.1, 0.2]]</output>');
    expect(r).toEqual({ ok: true, action: { kind: 'trajectory', points: [[0.1, 0.2]] } });
  });

  it.each([
    ['no tags at all', undefined, 'no-output'],
    ['<output>[[0.1, 0.2]]', undefined, 'no-output'],
    ['<output>[[0.1, 0.2],]</output>', undefined, 'bad-json'],
    ['<output>{"x": 0.1}</output>', undefined, 'wrong-shape'],
    ['<output>{"x": "0.1", "y": 0.1, "width": 0.1, "height": 0.1}</output>', undefined, 'wrong-shape'],
    ['<output>[]</output>', undefined, 'wrong-shape'],
    ['<output>[[0.1, 0.2, 0.3]]</output>', undefined, 'wrong-shape'],
    ['<output>[[0.1, true]]</output>', undefined, 'wrong-shape'],
    ['<output>null</output>', undefined, 'wrong-shape'],
    ['<output>0.5</output>', undefined, 'wrong-shape'],
    ['<output>[[0.1, 0.2]]</output>', 'affordance', 'wrong-shape'],
    ['<output>{"x": 0.1, "y": 0.1, "width": 0.1, "height": 0.1}</output>', 'trajectory', 'wrong-shape'],
    ['<output>[[0.1, 1.2]]</output>', undefined, 'out-of-range'],
    ['<output>[[NaN, 0.5]]</output>', undefined, 'out-of-range'],
    ['<output>{"x": 0.1, "y": 0.1, "width": -0.1, "height": 0.1}</output>', 'affordance', 'out-of-range'],
  ] as const)('rejects %j (kind %s) with %s', (text, kind, code) => {
    const r = parseAnswer(text, kind);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message.length).toBeGreaterThan(0);
    }
  });

  it('ignores extra box keys', () => {
    const r = parseAnswer('<output>{"x": 0.5, "y": 0.5, "width": 0.1, "height": 0.1, "label": "mug"}</output>');
    expect(r.ok && r.action).toEqual({ kind: 'affordance', box: { x: 0.5, y: 0.5, width: 0.1, height: 0.1 } });
  });
});

describe('formatAction / formatAnswer', () => {
  it('formats like Python json.dumps(round(v, 6))', () => {
    expect(formatAction({ kind: 'affordance', box: { x: 0.5, y: 0.25, width: 0.1, height: 0.2 } })).toBe(
      '{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}',
    );
    expect(
      formatAction({
        kind: 'trajectory',
        points: [
          [0.2302634, 0.1332441],
          [0.4376741, 0.2587],
        ],
      }),
    ).toBe('[[0.230263, 0.133244], [0.437674, 0.2587]]');
    expect(formatAction({ kind: 'trajectory', points: [[1, 0]] })).toBe('[[1.0, 0.0]]');
    expect(formatAction({ kind: 'trajectory', points: [] })).toBe('[]');
  });

  it('writes the official answer form', () => {
    expect(formatAnswer('Reach over the pot.', { kind: 'trajectory', points: [[0.1, 0.2]] })).toBe(
      '<think>Reach over the pot.</think> so, the answer is <output>[[0.1, 0.2]]</output>',
    );
  });

  const unit = fc.double({ min: 0, max: 1, noNaN: true });
  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.record({ x: unit, y: unit, width: unit, height: unit }).map((box) => ({ kind: 'affordance' as const, box })),
    fc.array(fc.tuple(unit, unit), { minLength: 1, maxLength: 12 }).map((points) => ({ kind: 'trajectory' as const, points })),
  );

  it('round-trips through parseAnswer to within the 6-decimal rounding', () => {
    fc.assert(
      fc.property(action, fc.string(), (a, think) => {
        const safeThink = think.replace(/<\/?(think|output)>/gi, '');
        const r = parseAnswer(formatAnswer(safeThink, a), a.kind);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const flat = (x: Action) =>
          x.kind === 'affordance' ? [x.box.x, x.box.y, x.box.width, x.box.height] : x.points.flat();
        const got = flat(r.action);
        const want = flat(a);
        expect(got.length).toBe(want.length);
        got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(5e-7 + 1e-15));
        // Formatting is idempotent once rounded.
        expect(formatAction(r.action)).toBe(formatAction(a));
      }),
    );
  });
});
