import { describe, expect, it } from 'vitest';
import { parseAnswer } from '../protocol/answer.js';
import type { Action } from '../protocol/types.js';
import fc from 'fast-check';
import { decodeAction, decodeAnswer, encodePrompt, encodeRationale, encodeTarget } from './answer-tokens.js';
import { ANSWER, EOS, PAD, TASK_AFFORDANCE, TASK_TRAJECTORY, Tokenizer } from './tokenizer.js';

const tok = Tokenizer.train(['The mug is on the left.', 'The mug is on the left.'], { coordinateBins: 100 });
const x = (v: number): number => tok.coordinateOffset + v;
const y = (v: number): number => tok.coordinateOffset + 100 + v;

describe('answer tokens', () => {
  it('writes a box as four tokens x y width height and decodes the exact VLA-R1 answer text', () => {
    const action: Action = { kind: 'affordance', box: { x: 0.5, y: 0.25, width: 0.2, height: 0.1 } };
    const target = encodeTarget(tok, 'The mug is on the left.', action);
    expect(target.slice(-6)).toEqual([ANSWER, x(50), y(25), x(20), y(10), EOS]);
    expect(decodeAnswer(tok, target, 'affordance')).toBe(
      '<think>The mug is on the left.</think> so, the answer is <output>{"x": 0.505, "y": 0.255, "width": 0.205, "height": 0.105}</output>',
    );
  });

  it('writes a trajectory as coordinate pairs', () => {
    const action: Action = { kind: 'trajectory', points: [[0.1, 0.2], [0.305, 0.999]] };
    const target = encodeTarget(tok, '', action);
    expect(target).toEqual([ANSWER, x(10), y(20), x(30), y(99), EOS]);
    const text = decodeAnswer(tok, [...target, PAD, PAD], 'trajectory');
    expect(text).toBe('<think></think> so, the answer is <output>[[0.105, 0.205], [0.305, 0.995]]</output>');
    const parsed = parseAnswer(text, 'trajectory');
    expect(parsed.ok && parsed.think).toBe('');
  });

  it('decodes coordinate tokens to bin centres, x and y alternating', () => {
    expect(decodeAction(tok, [x(60), y(30), x(4), y(2)], 'affordance')).toEqual({ kind: 'affordance', box: { x: 0.605, y: 0.305, width: 0.045, height: 0.025 } });
    expect(decodeAction(tok, [y(60), x(30), x(4), y(2)], 'affordance')).toBeUndefined();
    expect(decodeAction(tok, [x(0), y(99)], 'trajectory')).toEqual({ kind: 'trajectory', points: [[0.005, 0.995]] });
  });

  it('decodes broken sequences to answers that do not parse', () => {
    const think = tok.encodeText('The mug');
    expect(decodeAnswer(tok, think, 'affordance')).toBe('<think>The mug');
    expect(parseAnswer(decodeAnswer(tok, [...think, ANSWER, x(1), y(2), x(3)], 'affordance')).ok).toBe(false);
    expect(parseAnswer(decodeAnswer(tok, [ANSWER, x(1), y(2), x(3), EOS], 'affordance')).ok).toBe(false);
    expect(parseAnswer(decodeAnswer(tok, [ANSWER, x(1), x(2), x(3), y(4), EOS], 'affordance')).ok).toBe(false);
    expect(parseAnswer(decodeAnswer(tok, [ANSWER, x(1), y(2), x(3), EOS], 'trajectory')).ok).toBe(false);
    expect(parseAnswer(decodeAnswer(tok, [ANSWER, EOS], 'trajectory')).ok).toBe(false);
  });

  it('starts the prompt with the task token', () => {
    expect(encodePrompt(tok, 'The mug', 'affordance')[0]).toBe(TASK_AFFORDANCE);
    expect(encodePrompt(tok, 'The mug', 'trajectory')).toEqual([TASK_TRAJECTORY, ...tok.encodeText('The mug')]);
  });

  it('writes the locations and sizes of a rationale as coordinate tokens and decodes them back exactly', () => {
    const think = 'The mug is near x 0.29, y 0.32, about 0.19 wide and 0.14 tall; it is 1.50 m away at 0.29.';
    const ids = encodeRationale(tok, think);
    expect(ids.filter((id) => tok.isCoordinate(id))).toEqual([x(29), y(32), x(19), y(14)]);
    expect(tok.decodeText(ids)).toBe(think);
    const action: Action = { kind: 'affordance', box: { x: 0.29, y: 0.32, width: 0.19, height: 0.14 } };
    const parsed = parseAnswer(decodeAnswer(tok, encodeTarget(tok, think, action), 'affordance'), 'affordance');
    expect(parsed.ok && parsed.think).toBe(think);
  });

  it('round-trips any 2-decimal location in a rationale (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (a, b) => {
        const text = `The mug is near x ${(a / 100).toFixed(2)}, y ${(b / 100).toFixed(2)}.`;
        const ids = encodeRationale(tok, text);
        return tok.decodeText(ids) === text && ids.includes(x(a)) && ids.includes(y(b));
      }),
    );
  });
});
