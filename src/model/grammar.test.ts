import { describe, expect, it } from 'vitest';
import { GRAMMAR_CLASSES, advance, allowedClass, answerReserve, classTemperatures, classesOf, maskTable, startState } from './grammar.js';
import { ANSWER, EOS, PAD, Tokenizer } from './tokenizer.js';

const tok = Tokenizer.train([], { coordinateBins: 10 });
const x = (v: number): number => tok.coordinateOffset + v;
const y = (v: number): number => tok.coordinateOffset + 10 + v;
const text = tok.textOffset + 40;
const name = (i: number): string => GRAMMAR_CLASSES[i] as string;

describe('answer grammar', () => {
  it('allows reasoning, then exactly four box coordinates, then <eos>', () => {
    const classes = classesOf('affordance', [text, text, ANSWER, x(1), y(2), x(3), y(4), EOS, PAD], { maxPoints: 8, thinking: true }, tok);
    expect(classes.map(name)).toEqual(['reasoning', 'reasoning', 'reasoning', 'x', 'y', 'x', 'y', 'eos', 'pad']);
  });

  it('allows only text right after a coordinate while reasoning', () => {
    const classes = classesOf('affordance', [text, x(2), text, y(3), text, ANSWER], { maxPoints: 8, thinking: true }, tok);
    expect(classes.map(name)).toEqual(['reasoning', 'reasoning', 'reasoning-text', 'reasoning', 'reasoning-text', 'reasoning']);
    const V = tok.vocabSize;
    const row = maskTable(tok).subarray(GRAMMAR_CLASSES.indexOf('reasoning-text') * V, (GRAMMAR_CLASSES.indexOf('reasoning-text') + 1) * V);
    expect([...row].flatMap((v, i) => (v === 0 ? [i] : []))).toEqual(Array.from({ length: V - tok.textOffset }, (_, i) => tok.textOffset + i));
  });

  it('allows whole trajectory points up to maxPoints', () => {
    const classes = classesOf('trajectory', [ANSWER, x(1), y(2), x(3), y(4), EOS], { maxPoints: 2, thinking: false }, tok);
    expect(classes.map(name)).toEqual(['answer', 'x', 'y', 'x-or-eos', 'y', 'eos']);
  });

  it('masks every token outside a class', () => {
    const V = tok.vocabSize;
    const table = maskTable(tok);
    const row = (cls: string): Float32Array => table.subarray(GRAMMAR_CLASSES.indexOf(cls as never) * V, (GRAMMAR_CLASSES.indexOf(cls as never) + 1) * V);
    const allowed = (cls: string): number[] => [...row(cls)].flatMap((v, i) => (v === 0 ? [i] : []));
    expect(allowed('eos')).toEqual([EOS]);
    expect(allowed('answer')).toEqual([ANSWER]);
    expect(allowed('x')).toEqual(Array.from({ length: 10 }, (_, i) => x(i)));
    expect(allowed('y')).toEqual(Array.from({ length: 10 }, (_, i) => y(i)));
    expect(allowed('x-or-eos')).toEqual([EOS, ...Array.from({ length: 10 }, (_, i) => x(i))]);
    // Reasoning: text, the coordinates a rationale writes its locations with, and <answer>.
    expect(allowed('reasoning')).toEqual([ANSWER, ...Array.from({ length: V - tok.coordinateOffset }, (_, i) => tok.coordinateOffset + i)]);
  });

  describe('token budget', () => {
    const grammar = { maxPoints: 3, thinking: true };

    it('reserves <answer>, the coordinates of the longest answer and <eos>', () => {
      expect(answerReserve('affordance', grammar)).toBe(6);
      expect(answerReserve('trajectory', grammar)).toBe(8);
    });

    it('ends reasoning when only the answer still fits, and the answer then fits exactly', () => {
      const budget = 9;
      const tokens = [text, text, text, ANSWER, x(1), y(2), x(3), y(4), EOS];
      expect(classesOf('affordance', tokens, grammar, tok, budget).map(name)).toEqual(['reasoning', 'reasoning', 'reasoning', 'answer', 'x', 'y', 'x', 'y', 'eos']);
      expect(classesOf('affordance', tokens, grammar, tok).map(name)).toEqual(['reasoning', 'reasoning', 'reasoning', 'reasoning', 'x', 'y', 'x', 'y', 'eos']);
      const trajectory = [text, ANSWER, x(1), y(2), x(3), y(4), x(5), y(6), EOS];
      expect(classesOf('trajectory', trajectory, grammar, tok, 9).map(name)).toEqual(['reasoning', 'answer', 'x', 'y', 'x-or-eos', 'y', 'x-or-eos', 'y', 'eos']);
    });

    it('forces <answer> at once when the budget holds no more than the answer, even after a coordinate', () => {
      expect(allowedClass(startState('affordance'), grammar, 6)).toBe('answer');
      expect(allowedClass(startState('affordance'), grammar, 7)).toBe('reasoning');
      const afterCoordinate = advance(startState('trajectory'), x(2), tok);
      expect(afterCoordinate.written).toBe(1);
      expect(allowedClass(afterCoordinate, grammar, 10)).toBe('reasoning-text');
      expect(allowedClass(afterCoordinate, grammar, 9)).toBe('answer');
    });

    it('ends a trajectory early when another waypoint would not fit a budget shorter than the reserve', () => {
      const tokens = [ANSWER, x(1), y(2), EOS];
      expect(classesOf('trajectory', tokens, grammar, tok, 4).map(name)).toEqual(['answer', 'x', 'y', 'eos']);
      expect(classesOf('trajectory', tokens, grammar, tok, 5).map(name)).toEqual(['answer', 'x', 'y', 'eos']);
      expect(classesOf('trajectory', tokens, grammar, tok, 6).map(name)).toEqual(['answer', 'x', 'y', 'x-or-eos']);
    });

    it('never changes a sequence whose reasoning ends in time', () => {
      const tokens = [text, x(1), text, ANSWER, x(1), y(2), x(3), y(4), EOS];
      expect(classesOf('affordance', tokens, grammar, tok, 10)).toEqual(classesOf('affordance', tokens, grammar, tok));
    });
  });
});

describe('classTemperatures', () => {
  it("gives the rationale's classes one temperature and the answer's another", () => {
    const t = classTemperatures(1, 0.5);
    expect(t).toHaveLength(GRAMMAR_CLASSES.length);
    expect(GRAMMAR_CLASSES.filter((_, c) => t[c] === 0.5)).toEqual(['reasoning', 'answer', 'reasoning-text']);
    expect(GRAMMAR_CLASSES.filter((_, c) => t[c] === 1)).toEqual(['x', 'y', 'x-or-eos', 'eos', 'pad']);
  });
});
