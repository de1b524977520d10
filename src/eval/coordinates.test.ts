import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerFrame, normalizeAnswerText, pythonRound, QWEN25_VL_RESIZE, scalePayload, smartResize } from './coordinates.js';

describe('pythonRound', () => {
  it('rounds halves to even like Python 3', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4999, 2.5001, 17.142857].map(pythonRound)).toEqual([0, 2, 2, 4, 0, -2, 2, 3, 17]);
  });
});

describe('smartResize (Qwen2.5-VL)', () => {
  it('matches qwen_vl_utils on known sizes', () => {
    // Values computed with qwen_vl_utils.smart_resize (factor 28, min 3136, max 12845056).
    expect(smartResize({ width: 640, height: 480 })).toEqual({ width: 644, height: 476 });
    expect(smartResize({ width: 424, height: 240 })).toEqual({ width: 420, height: 252 });
    expect(smartResize({ width: 1920, height: 1080 })).toEqual({ width: 1932, height: 1092 });
    // 14 / 28 = 0.5 rounds to 0 (even), then max(28, 0): 28.  Area 28·28 = 784 < 3136: scale up.
    expect(smartResize({ width: 14, height: 14 })).toEqual({ width: 56, height: 56 });
    // Too large: 8000×6000 = 48e6 > 12845056, β = √(48e6/12845056) = 1.93306…
    expect(smartResize({ width: 8000, height: 6000 })).toEqual({ width: 4116, height: 3080 });
    // A smaller max_pixels (vLLM --mm-processor-kwargs '{"max_pixels": 1003520}')
    expect(smartResize({ width: 1920, height: 1080 }, { ...QWEN25_VL_RESIZE, maxPixels: 1003520 })).toEqual({ width: 1316, height: 728 });
    expect(() => smartResize({ width: 10000, height: 40 })).toThrow(/aspect ratio/);
  });

  it('gives multiples of the factor within [min, max] pixels, close to the aspect ratio', () => {
    fc.assert(
      fc.property(fc.integer({ min: 28, max: 8000 }), fc.integer({ min: 28, max: 8000 }), (width, height) => {
        fc.pre(Math.max(width, height) / Math.min(width, height) <= 200);
        const r = smartResize({ width, height });
        const area = r.width * r.height;
        const rounded = Math.max(28, pythonRound(width / 28) * 28) * Math.max(28, pythonRound(height / 28) * 28);
        const unscaled = rounded >= QWEN25_VL_RESIZE.minPixels && rounded <= QWEN25_VL_RESIZE.maxPixels;
        const close = Math.abs(r.width - width) <= 14 && Math.abs(r.height - height) <= 14;
        const ratio = Math.abs(Math.log(r.width / r.height / (width / height)));
        return (
          r.width % 28 === 0 &&
          r.height % 28 === 0 &&
          area <= QWEN25_VL_RESIZE.maxPixels &&
          area >= QWEN25_VL_RESIZE.minPixels &&
          (!unscaled || close) &&
          ratio < 0.7
        );
      }),
    );
  });
});

describe('answer conversion', () => {
  it('divides box and trajectory coordinates by the frame', () => {
    expect(scalePayload({ x: 322, y: 238, width: 64.4, height: 47.6 }, { width: 644, height: 476 })).toBe('{"x": 0.5, "y": 0.5, "width": 0.1, "height": 0.1}');
    expect(scalePayload([[500, 250], ['750', 1000]], { width: 1000, height: 1000 })).toBe('[[0.5, 0.25], [0.75, 1.0]]');
    expect(scalePayload([], { width: 1000, height: 1000 })).toBe('[]');
    expect(scalePayload({ x: 'left', y: 1, width: 1, height: 1 }, { width: 10, height: 10 })).toBeUndefined();
    expect(scalePayload([[1, 2, 3]], { width: 10, height: 10 })).toBeUndefined();
    expect(scalePayload(42, { width: 10, height: 10 })).toBeUndefined();
  });

  it('rewrites only the first output block of the text', () => {
    const text = '<think>go to (500, 500)</think> so, the answer is <output> [[500, 500], [250, 1000]] </output> <output>[[1, 1]]</output>';
    expect(normalizeAnswerText(text, { convention: 'thousand' })).toBe(
      '<think>go to (500, 500)</think> so, the answer is <output>[[0.5, 0.5], [0.25, 1.0]]</output> <output>[[1, 1]]</output>',
    );
    const box = '<think>x</think><OUTPUT>{"x": 322, "y": 238, "width": 64.4, "height": 47.6}</OUTPUT>';
    expect(normalizeAnswerText(box, { convention: 'pixels' }, { width: 640, height: 480 })).toBe(
      '<think>x</think><output>{"x": 0.5, "y": 0.5, "width": 0.1, "height": 0.1}</output>',
    );
  });

  it('leaves normalized answers and unconvertible payloads untouched', () => {
    const text = '<think>x</think> <output>{"x": 500}</output>';
    expect(normalizeAnswerText(text, { convention: 'thousand' })).toBe(text);
    expect(normalizeAnswerText('<output>not json</output>', { convention: 'thousand' })).toBe('<output>not json</output>');
    expect(normalizeAnswerText('<output>[[500, 500]]</output>', { convention: 'normalized' })).toBe('<output>[[500, 500]]</output>');
    expect(() => answerFrame({ convention: 'pixels' })).toThrow(/image size/);
  });

  it('round-trips pixel answers of the resized frame back to the normalised truth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 64, max: 4000 }),
        fc.integer({ min: 64, max: 4000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (width, height, x, y) => {
          fc.pre(Math.max(width, height) / Math.min(width, height) <= 200);
          const frame = smartResize({ width, height });
          const text = `<output>[[${x * frame.width}, ${y * frame.height}]]</output>`;
          const out = normalizeAnswerText(text, { convention: 'pixels' }, { width, height });
          const [[nx, ny]] = JSON.parse(/<output>(.*)<\/output>/.exec(out)?.[1] ?? '') as number[][] as [[number, number]];
          return Math.abs(nx - x) <= 5e-7 && Math.abs(ny - y) <= 5e-7;
        },
      ),
    );
  });
});
