import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANSWER, EOS, PAD, SPECIAL_TOKENS, Tokenizer, UNK, splitPieces } from './tokenizer.js';

describe('splitPieces', () => {
  it('cuts words, numbers and other characters with their leading space', () => {
    expect(splitPieces('grasp the mug, at x 0.42.')).toEqual(['grasp', ' the', ' mug', ',', ' at', ' x', ' 0.42', '.']);
    expect(splitPieces('a  b\n12')).toEqual(['a', ' ', ' b', '\n', '12']);
  });

  it('loses nothing: the pieces join back to the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        expect(splitPieces(s).join('')).toBe(s);
      }),
    );
  });
});

describe('Tokenizer', () => {
  const tok = Tokenizer.train(['pick up the red mug.', 'pick up the blue mug at x 0.42.', 'x 0.42'], { coordinateBins: 100, minCount: 2 });

  it('puts special tokens first, then coordinates, then text pieces', () => {
    expect(SPECIAL_TOKENS.indexOf('<pad>')).toBe(PAD);
    expect(SPECIAL_TOKENS.indexOf('<eos>')).toBe(EOS);
    expect(SPECIAL_TOKENS.indexOf('<answer>')).toBe(ANSWER);
    expect(tok.coordinateOffset).toBe(SPECIAL_TOKENS.length);
    expect(tok.textOffset).toBe(SPECIAL_TOKENS.length + 200);
    expect(tok.vocabSize).toBe(tok.textOffset + 95 + 5); // ASCII + 'pick', ' up', ' the', ' mug', ' 0.42' (seen twice)
  });

  it('encodes learned pieces as one token and unknown words by character', () => {
    const ids = tok.encodeText('pick up the green mug');
    expect(ids.map((id) => tok.tokenName(id))).toEqual(['"pick"', '" up"', '" the"', '" "', '"g"', '"r"', '"e"', '"e"', '"n"', '" mug"']);
    expect(tok.encodeText('é')).toEqual([UNK]);
  });

  it('round-trips any printable ASCII text exactly', () => {
    const ascii = fc.string({ unit: fc.integer({ min: 32, max: 126 }).map((c) => String.fromCharCode(c)), maxLength: 80 });
    fc.assert(
      fc.property(ascii, (s) => {
        expect(tok.decodeText(tok.encodeText(s))).toBe(s);
      }),
    );
  });

  it('bins coordinates uniformly per axis and decodes to bin centres', () => {
    expect(tok.coordinateToken(0, 'x') - tok.coordinateOffset).toBe(0);
    expect(tok.coordinateToken(0.425, 'x') - tok.coordinateOffset).toBe(42);
    expect(tok.coordinateToken(1, 'x') - tok.coordinateOffset).toBe(99);
    expect(tok.coordinateToken(-3, 'x') - tok.coordinateOffset).toBe(0);
    expect(tok.coordinateToken(0.425, 'y') - tok.coordinateOffset).toBe(142);
    expect(tok.coordinateAxis(tok.coordinateOffset + 142)).toBe('y');
    expect(tok.tokenName(tok.coordinateOffset + 142)).toBe('<y42>');
    expect(tok.coordinateValue(tok.coordinateOffset + 42)).toBeCloseTo(0.425, 12);
    expect(tok.coordinateValue(tok.coordinateOffset + 142)).toBeCloseTo(0.425, 12);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('x' as const, 'y' as const), (v, axis) => {
        expect(Math.abs(tok.coordinateValue(tok.coordinateToken(v, axis)) - v)).toBeLessThanOrEqual(0.005 + 1e-12);
      }),
    );
  });

  it('learns phrase merges that shorten templated text, never merging numbers', () => {
    const texts = Array.from({ length: 30 }, (_, i) => `The instruction asks me to pick the mug at x 0.${10 + (i % 10)}.`);
    const merged = Tokenizer.train(texts, { maxMerges: 50, mergeMinCount: 5 });
    const text = 'The instruction asks me to pick the mug at x 0.12.';
    const ids = merged.encodeText(text);
    expect(ids.map((id) => merged.tokenName(id))).toEqual(['"The instruction asks me to pick the mug at x"', '" 0.12"', '"."']);
    expect(merged.decodeText(ids)).toBe(text);
    expect(merged.decodeText(merged.encodeText('The instruction is odd 0.5'))).toBe('The instruction is odd 0.5');
    const again = Tokenizer.fromJSON(JSON.parse(JSON.stringify(merged)));
    expect(again.encodeText(text)).toEqual(ids);
  });

  it('survives a JSON round trip and rejects a malformed file', () => {
    const again = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
    expect(again.encodeText('pick up the red mug.')).toEqual(tok.encodeText('pick up the red mug.'));
    expect(() => Tokenizer.fromJSON({ format: 'vla-r1-tokenizer/1', coordinateBins: 1, pieces: [] })).toThrow();
  });
});
