import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeRewardAvailable, nativeRewardStatus, nativeScoreInto, useNativeReward } from './nativeReward.js';
import { REWARD_SLOTS, RewardSlot, scoreInto, scoreIntoTypeScript } from './scoreInto.js';

interface FixtureCase {
  response: string;
  ground_truth: string;
}

const fixture = readFileSync('test/fixtures/reward-official-400.jsonl', 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as FixtureCase);

/** Every slot of the C reward against the TypeScript reward: equal NaN pattern, values within `tolerance`. */
function expectSameSlots(native: Float64Array, typeScript: Float64Array, label: string, tolerance = 1e-12): void {
  for (let k = 0; k < REWARD_SLOTS; k++) {
    const a = native[k]!;
    const b = typeScript[k]!;
    if (Number.isNaN(b)) expect(a, `${label}: slot ${k}`).toBeNaN();
    else expect(Math.abs(a - b), `${label}: slot ${k}: ${a} vs ${b}`).toBeLessThanOrEqual(tolerance);
  }
}

/** The C reward of a pair (or undefined when it declines) and the TypeScript reward. */
function both(response: string, groundTruth: string, lambdaAngle = 0.25, lambdaLength = 0.1): { native?: Float64Array; typeScript: Float64Array } {
  const native = new Float64Array(REWARD_SLOTS);
  const taken = nativeScoreInto(response, groundTruth, native, lambdaAngle, lambdaLength);
  const typeScript = scoreIntoTypeScript(response, groundTruth, new Float64Array(REWARD_SLOTS), lambdaAngle, lambdaLength);
  return taken ? { native, typeScript } : { typeScript };
}

const answer = (payload: string, think = '<think>reasoning</think> so, the answer is '): string => `${think}<output>${payload}</output>`;

/** A number in the form the C reader takes: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, up to 15 digits. */
const fastNumber = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 99_999_999 }))
  .map(([negative, whole, decimals, digits]) => {
    const fraction = decimals === 0 ? '' : `.${String(digits).padStart(8, '0').slice(0, decimals)}`;
    return `${negative ? '-' : ''}${whole}${fraction}`;
  });

/** JSON separators as models and `json.dumps` write them: compact, spaced, indented. */
const separator = fc.constantFrom(', ', ',', ',\n  ', ' , ');

const trajectoryText = fc
  .tuple(fc.array(fc.tuple(fastNumber, fastNumber), { minLength: 1, maxLength: 14 }), separator, fc.boolean())
  .map(([points, sep, repeat]) => {
    // Repeated points (zero segments) are common in real answers: double some.
    const all = repeat ? points.flatMap((p, i) => (i % 3 === 0 ? [p, p] : [p])) : points;
    return `[${all.map(([x, y]) => `[${x}${sep}${y}]`).join(sep)}]`;
  });

const boxText = fc
  .tuple(fastNumber, fastNumber, fastNumber, fastNumber, separator)
  .map(([x, y, w, h, sep]) => `{"x": ${x}${sep}"y": ${y}${sep}"width": ${w}${sep}"height": ${h}}`);

const thinkPrefix = fc.constantFrom('<think>a</think> ', '', '<THINK>b</THINK>', '<think>unclosed ', '</think><think>', '<thin\u212a>k</think>');

describe('the C reward', () => {
  it('is built by npm run build wherever a C compiler and Node headers are installed', () => {
    const compiler = spawnSync(process.env['CC'] || 'cc', ['--version'], { stdio: 'ignore' }).status === 0;
    const headers = existsSync(join(dirname(process.execPath), '..', 'include', 'node', 'node_api.h'));
    if (compiler && headers && process.env['VLA_R1_NATIVE'] !== '0') expect(nativeRewardAvailable(), nativeRewardStatus()).toBe(true);
    expect(nativeRewardStatus() === '').toBe(nativeRewardAvailable());
  });
});

describe.runIf(nativeRewardAvailable())('the C reward against the TypeScript reward', () => {
  it('gives the same slots on every official fixture case it takes, and takes most of them', () => {
    let taken = 0;
    for (const [i, c] of fixture.entries()) {
      const { native, typeScript } = both(c.response, c.ground_truth);
      if (native === undefined) continue;
      taken++;
      expectSameSlots(native, typeScript, `case ${i}`);
    }
    expect(taken).toBeGreaterThanOrEqual(360);
  });

  it('takes and agrees on plain trajectories of any shape (property)', () => {
    fc.assert(
      fc.property(trajectoryText, trajectoryText, thinkPrefix, fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), (p, g, think, la, lr) => {
        const { native, typeScript } = both(answer(p, think), answer(g), la, lr);
        expect(native).toBeDefined();
        expectSameSlots(native!, typeScript, `${p} vs ${g}`);
      }),
      { numRuns: 400 },
    );
  });

  it('agrees on a trajectory against itself and against a shifted copy, where every pair is (anti)parallel (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 })), { minLength: 1, maxLength: 12 }), (points) => {
        const text = (dx: number): string => `[${points.map(([x, y]) => `[${(x + dx) / 1000}, ${y / 1000}]`).join(', ')}]`;
        for (const [p, g] of [[text(0), text(0)], [text(0), text(7)]] as const) {
          const { native, typeScript } = both(answer(p), answer(g));
          expect(native).toBeDefined();
          expectSameSlots(native!, typeScript, `${p} vs ${g}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('takes and agrees on plain boxes, and on mismatched kinds (property)', () => {
    fc.assert(
      fc.property(boxText, fc.oneof(boxText, trajectoryText), thinkPrefix, (p, g, think) => {
        const { native, typeScript } = both(answer(p, think), answer(g));
        expect(native).toBeDefined();
        expectSameSlots(native!, typeScript, `${p} vs ${g}`);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees where the geometry takes its exact paths: parallel, antiparallel, U-turns, tiny and repeated segments', () => {
    const cases: [string, string][] = [
      ['[[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]', '[[0.1, 0.2], [0.2, 0.3], [0.3, 0.4]]'], // parallel
      ['[[0.3, 0.3], [0.2, 0.2], [0.1, 0.1]]', '[[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]'], // antiparallel
      ['[[0.1, 0.5], [0.5, 0.5], [0.1, 0.5001]]', '[[0.1, 0.5], [0.5, 0.5], [0.1, 0.5]]'], // U-turns
      ['[[0.1, 0.1], [0.1000000001, 0.1], [0.3, 0.3]]', '[[0.1, 0.1], [0.3, 0.3]]'], // a segment shorter than 1e-9
      ['[[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]', '[[0.5, 0.5]]'], // repeated points only
      ['[[0.5, 0.5]]', '[[0.1, 0.2], [0.1, 0.2], [0.3, 0.4]]'],
      ['[[-0.5, 1.5], [2, -1]]', '[[0, 1], [1, 0]]'], // clipped to [0, 1]
      ['[[0.12345678901234, 0.5], [0.6, 0.7]]', '[[0.1, 0.5], [0.6, 0.7]]'], // 15 digits
    ];
    for (const [p, g] of cases) {
      const { native, typeScript } = both(answer(p), answer(g));
      expect(native, p).toBeDefined();
      expectSameSlots(native!, typeScript, `${p} vs ${g}`);
    }
  });

  it('agrees on texts with non-ASCII characters around the tags', () => {
    const cases: [string, string][] = [
      [`<thin\u212a>ok</think><output>[[0.1, 0.2]]</output>`, answer('[[0.1, 0.3]]')], // KELVIN SIGN, as Python's IGNORECASE
      [`<th\u0130nk>ok</think><output>\u00a0[[0.1, 0.2]]\u2003</output>`, answer('[[0.1, 0.3]]')], // Unicode whitespace
      [`<think>caf\u00e9 \u{1f916}</think><output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>`, answer('{"x": 0.4, "y": 0.5, "width": 0.2, "height": 0.2}')],
      [`no tags at all, \u00e9`, answer('[[0.1, 0.3]]')],
    ];
    for (const [p, g] of cases) {
      const { native, typeScript } = both(p, g);
      if (native !== undefined) expectSameSlots(native, typeScript, p);
    }
    // The first two are taken: the tags match as in Python, and the payload is plain.
    expect(both(cases[0]![0], cases[0]![1]).native?.[RewardSlot.formatScore]).toBe(1);
    expect(both(cases[3]![0], cases[3]![1]).native?.[RewardSlot.score]).toBe(0);
  });

  it('declines what only the TypeScript reward reads, leaving the slots alone', () => {
    const declined: [string, string, number?, number?][] = [
      [answer('[[1e-3, 0.2]]'), answer('[[0.1, 0.2]]')], // an exponent
      [answer('[["0.1", "0.2"]]'), answer('[[0.1, 0.2]]')], // numbers as strings
      [answer('[]'), answer('[[0.1, 0.2]]')], // empty trajectory
      [answer('null'), answer('[[0.1, 0.2]]')],
      [answer('[[0.1, 0.2, 0.3]]'), answer('[[0.1, 0.2]]')],
      [answer('{"x": 0.5, "y": 0.5, "width": 0.2}'), answer('{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}')], // a key missing
      [answer('[[0.1, 0.2]] trailing'), answer('[[0.1, 0.2]]')],
      [answer('[[0.1, 0.2]]'), answer('[[0.1, 0.2]]'), Number.NaN, 0.1], // a weight that is not finite
      [answer('[[0.1, 0.2]]'), answer('[[0.1, 0.2]]'), 0.25, Number.POSITIVE_INFINITY],
      [answer('[[0.1234567890123456, 0.2]]'), answer('[[0.1, 0.2]]')], // 16 digits
    ];
    for (const [p, g, la = 0.25, lr = 0.1] of declined) {
      const out = new Float64Array(REWARD_SLOTS).fill(-7);
      expect(nativeScoreInto(p, g, out, la, lr), p).toBe(false);
      expect([...out], p).toEqual(new Array(REWARD_SLOTS).fill(-7));
      // scoreInto still scores them (in TypeScript).
      expectSameSlots(scoreInto(p, g, new Float64Array(REWARD_SLOTS), la, lr), scoreIntoTypeScript(p, g, new Float64Array(REWARD_SLOTS), la, lr), p);
    }
  });

  it('scores answers cut off before the closing tag as having no output, as the official code does', () => {
    const gt = answer('[[0.1, 0.2], [0.3, 0.4]]');
    for (const cut of ['<think>a</think><output>[[0.1, 0.2]]', '<think>a</think><output>[[0.1, 0.2], [0.3', '<think>a</think><output>{"x": 0.5', '<output>null']) {
      const { native, typeScript } = both(cut, gt);
      expect(native, cut).toBeDefined();
      expectSameSlots(native!, typeScript, cut);
      expect(native![RewardSlot.score]).toBe(0);
    }
    // A truncated ground truth gives mode none.
    const { native } = both(gt, '<output>[[0.1, 0.2]]');
    expect(native?.[RewardSlot.mode]).toBe(0);
    expect(native?.[RewardSlot.formatScore]).toBe(1);
  });

  it('declines arguments that are not strings instead of throwing', () => {
    const out = new Float64Array(REWARD_SLOTS);
    expect(nativeScoreInto(42 as unknown as string, answer('[[0.1, 0.2]]'), out, 0.25, 0.1)).toBe(false);
  });

  it('can be switched off and on', () => {
    const gt = answer('[[0.1, 0.2], [0.3, 0.4]]');
    expect(useNativeReward(false)).toBe(false);
    expect(nativeScoreInto(gt, gt, new Float64Array(REWARD_SLOTS), 0.25, 0.1)).toBe(false);
    expect(useNativeReward(true)).toBe(true);
    expect(nativeScoreInto(gt, gt, new Float64Array(REWARD_SLOTS), 0.25, 0.1)).toBe(true);
  });

  it('reads texts of every length across its buffer sizes (a string that just fits, or just does not)', () => {
    const gt = answer('[[0.1, 0.2], [0.3, 0.4]]');
    for (let length = 0; length < 600; length++) {
      const response = answer('[[0.1, 0.25], [0.3, 0.45]]', `<think>${'x'.repeat(length)}</think>`);
      const { native, typeScript } = both(response, gt);
      expect(native).toBeDefined();
      expectSameSlots(native!, typeScript, `length ${length}`);
      // a text cut at every length: the output block then is missing or incomplete
      const cut = both(response.slice(0, length), gt);
      if (cut.native !== undefined) expectSameSlots(cut.native, cut.typeScript, `cut at ${length}`);
    }
  });

  it('scores long trajectories and long texts (buffers grow)', () => {
    const points = Array.from({ length: 3000 }, (_, i) => `[${(0.5 + 0.4 * Math.sin(i / 50)).toFixed(6)}, ${(i / 3000).toFixed(6)}]`);
    const text = answer(`[${points.join(', ')}]`, `<think>${'long reasoning '.repeat(2000)}</think>`);
    const { native, typeScript } = both(text, answer(`[${points.slice(0, 2000).join(', ')}]`));
    expect(native).toBeDefined();
    expectSameSlots(native!, typeScript, 'long');
  });
});
