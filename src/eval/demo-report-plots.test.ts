import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { lineChartPng, niceTicks, tickLabel } from './demo-report-plots.js';

describe('niceTicks', () => {
  it('gives round steps of 1, 2 or 5 × 10^k inside the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.87, 4)).toEqual([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    expect(niceTicks(1, 40, 6)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    expect(niceTicks(0, 0.00003, 3)).toEqual([0, 0.00001, 0.00002, 0.00003]);
    expect(niceTicks(3, 3, 4)).toEqual([3]);
    expect(niceTicks(Number.NaN, 1, 4)).toEqual([]);
  });
  it('stays inside the range, in order, with a constant step (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.integer({ min: 2, max: 10 }), (lo, span, count) => {
        const ticks = niceTicks(lo, lo + span, count);
        expect(ticks.length).toBeGreaterThanOrEqual(count);
        expect(ticks.length).toBeLessThanOrEqual(2.5 * count + 2);
        for (const t of ticks) {
          // Ticks are rounded to 14 significant digits, so allow that much relative slack too.
          const slack = span * 1e-6 + Math.abs(t) * 1e-13;
          expect(t).toBeGreaterThanOrEqual(lo - slack);
          expect(t).toBeLessThanOrEqual(lo + span + slack);
        }
        for (let k = 2; k < ticks.length; k++) {
          const step = (ticks[1] as number) - (ticks[0] as number);
          expect(Math.abs((ticks[k] as number) - (ticks[k - 1] as number) - step)).toBeLessThanOrEqual(step * 1e-6 + Math.abs(ticks[k] as number) * 1e-14);
        }
      }),
    );
  });
});

describe('tickLabel', () => {
  it('prints ordinary numbers plainly and tiny ones in exponent form', () => {
    expect(tickLabel(0)).toBe('0');
    expect(tickLabel(0.25)).toBe('0.25');
    expect(tickLabel(0.1 + 0.2)).toBe('0.3');
    expect(tickLabel(120)).toBe('120');
    expect(tickLabel(0.0002)).toBe('2e-4');
    expect(tickLabel(0.000015)).toBe('1.5e-5');
    expect(tickLabel(-0.0005)).toBe('-5e-4');
  });
});

async function pixels(png: Uint8Array): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

function countColour(data: Buffer, [r, g, b]: readonly [number, number, number]): number {
  let n = 0;
  for (let i = 0; i < data.length; i += 3) if (data[i] === r && data[i + 1] === g && data[i + 2] === b) n++;
  return n;
}

describe('lineChartPng', () => {
  it('draws each series in its colour on a chart of the asked size', async () => {
    const png = await lineChartPng({
      title: 'reward',
      xLabel: 'step',
      yLabel: 'mean',
      width: 400,
      height: 240,
      series: [
        { name: 'a', colour: '#ff0000', points: [[1, 0.1], [2, 0.4], [3, 0.3]] },
        { name: 'b', colour: '#0000ff', points: [[1, 0.2], [2, Number.NaN], [3, 0.5]] },
      ],
    });
    const { width, height, data } = await pixels(png);
    expect([width, height]).toEqual([400, 240]);
    expect(countColour(data, [255, 0, 0])).toBeGreaterThan(50);
    expect(countColour(data, [0, 0, 255])).toBeGreaterThan(10);
  });
  it('draws an empty chart with its note when there is no finite point', async () => {
    const png = await lineChartPng({ title: 'KL', xLabel: 'step', yLabel: 'kl', series: [{ name: 'kl', colour: '#ff0000', points: [[1, Number.NaN]] }] });
    const { width, height, data } = await pixels(png);
    expect([width, height]).toEqual([560, 320]);
    expect(countColour(data, [255, 0, 0])).toBe(0);
  });
});
