import { describe, expect, it } from 'vitest';
import type { Action, Trajectory } from '../protocol/types.js';
import {
  FAILED_TRAJECTORY_DISTANCE,
  aggregateMetrics,
  evalMetricsSchema,
  referenceNumbers,
  sampleMetrics,
  trajectoryDistances,
} from './metrics.js';
import type { SampleMetrics, TrajectorySampleMetrics } from './metrics.js';

const answer = (json: string): string => `<think>look</think> so, the answer is <output>${json}</output>`;
const boxGt = (x: number, y: number, width: number, height: number): Action => ({
  kind: 'affordance',
  box: { x, y, width, height },
});
const trajGt = (points: Trajectory): Action => ({ kind: 'trajectory', points });

function trajectoryOf(m: SampleMetrics): TrajectorySampleMetrics {
  if (m.kind !== 'trajectory') throw new Error('expected trajectory metrics');
  return m;
}

describe('affordance sample metrics', () => {
  // Ground truth centre (0.5, 0.5), 0.4 × 0.4 -> corners (0.3, 0.3)-(0.7, 0.7), area 0.16.
  const gt = boxGt(0.5, 0.5, 0.4, 0.4);

  it('IoU of a shifted box: 0.12 / 0.20 = 0.6', () => {
    // prediction (0.4, 0.3)-(0.8, 0.7): intersection 0.3 × 0.4 = 0.12; union 0.16 + 0.16 − 0.12 = 0.20.
    const m = sampleMetrics(answer('{"x": 0.6, "y": 0.5, "width": 0.4, "height": 0.4}'), gt);
    expect(m.kind).toBe('affordance');
    expect(m.parsed).toBe(true);
    expect(m.kind === 'affordance' && m.iou).toBeCloseTo(0.6, 12);
  });

  it('IoU of a box inside the ground truth: 0.04 / 0.16 = 0.25', () => {
    // prediction (0.4, 0.4)-(0.6, 0.6): area 0.04, all of it inside.
    const m = sampleMetrics(answer('{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}'), gt);
    expect(m.kind === 'affordance' && m.iou).toBeCloseTo(0.25, 12);
  });

  it('clips both boxes to the image before the IoU', () => {
    // ground truth centre (0.1, 0.5), 0.2 × 0.4 -> (0, 0.3)-(0.2, 0.7).
    // prediction centre (0, 0.5), 0.4 × 0.4 -> (−0.2, 0.3)-(0.2, 0.7), clipped to (0, 0.3)-(0.2, 0.7): IoU 1
    // (unclipped it would be 0.08 / 0.16 = 0.5).
    const m = sampleMetrics(answer('{"x": 0.0, "y": 0.5, "width": 0.4, "height": 0.4}'), boxGt(0.1, 0.5, 0.2, 0.4));
    expect(m.kind === 'affordance' && m.iou).toBeCloseTo(1, 12);
  });

  it('a box with a negative size or a centre off the image is clipped, not failed', () => {
    // prediction centre (0.6, 0.5), size (−0.4, 0.4): |w| is used -> (0.4, 0.3)-(0.8, 0.7), IoU 0.6 as above.
    const m = sampleMetrics(answer('{"x": 0.6, "y": 0.5, "width": -0.4, "height": 0.4}'), gt);
    expect(m.parsed).toBe(true);
    expect(m.kind === 'affordance' && m.iou).toBeCloseTo(0.6, 12);
    // centre (1.1, 0.5), 0.4 × 0.4 -> (0.9, 0.3)-(1, 0.7): no overlap with (0.3..0.7), IoU 0 but parsed.
    expect(sampleMetrics(answer('{"x": 1.1, "y": 0.5, "width": 0.4, "height": 0.4}'), gt)).toEqual({
      kind: 'affordance',
      parsed: true,
      iou: 0,
    });
  });

  it('an answer without output, or of the wrong kind, is a failure with IoU 0', () => {
    expect(sampleMetrics('<think>hmm</think> no idea', gt)).toEqual({
      kind: 'affordance',
      parsed: false,
      failure: 'no-output',
      iou: 0,
    });
    const wrongKind = sampleMetrics(answer('[[0.5, 0.5], [0.6, 0.6]]'), gt);
    expect(wrongKind).toMatchObject({ kind: 'affordance', parsed: false, iou: 0 });
    const badJson = sampleMetrics(answer('{"x": 0.5,'), gt);
    expect(badJson).toMatchObject({ kind: 'affordance', parsed: false, iou: 0 });
  });
});

describe('trajectory sample metrics ([0, 1000) scale)', () => {
  it('two parallel segments 100 apart: DFD = HD = RMSE = 100', () => {
    // gt (0,0)-(300,400), prediction (0,100)-(300,500). Pairwise: d(P0,Q0) = d(P1,Q1) = 100,
    // d(P0,Q1) = √(300² + 500²) ≈ 583.1, d(P1,Q0) = √(300² + 300²) ≈ 424.3.
    // DFD: C(1,1) = max(min(583.1, 100, 424.3), 100) = 100. HD: every point's nearest is 100 away.
    // RMSE: both already 2 points, distances 100 and 100.
    const m = trajectoryOf(
      sampleMetrics(answer('[[0, 0.1], [0.3, 0.5]]'), trajGt([
        [0, 0],
        [0.3, 0.4],
      ])),
    );
    expect(m.parsed).toBe(true);
    expect(m.dfd).toBeCloseTo(100, 9);
    expect(m.hd).toBeCloseTo(100, 9);
    expect(m.rmse).toBeCloseTo(100, 9);
    expect(m.avg).toBeCloseTo(100, 9);
  });

  it('unequal lengths: a detour through (500, 200)', () => {
    // gt (0,0),(1000,0); prediction (0,0),(500,200),(1000,0).
    // d((0,0),(500,200)) = d((1000,0),(500,200)) = √(500² + 200²) = √290000 = 100√29 ≈ 538.516.
    // DFD table (gt rows, prediction columns): row 0 = [0, 538.5, 1000]; row 1: C(1,0) = 1000,
    //   C(1,1) = max(min(538.5, 0, 1000), 538.5) = 538.5, C(1,2) = max(min(1000, 538.5, 538.5), 0) = 538.5.
    // HD: gt points sit on prediction waypoints (0); (500,200) is 538.5 from both gt waypoints -> 538.5.
    // RMSE: resample both to max(2, 3) = 3 points by arc length: gt (0,0),(500,0),(1000,0);
    //   prediction (0,0),(500,200),(1000,0) (its midpoint by arc length is the apex). Distances 0, 200, 0:
    //   √((0 + 200² + 0) / 3) = 200 / √3 ≈ 115.470.
    const m = trajectoryOf(
      sampleMetrics(answer('[[0, 0], [0.5, 0.2], [1, 0]]'), trajGt([
        [0, 0],
        [1, 0],
      ])),
    );
    const detour = 100 * Math.sqrt(29);
    expect(m.dfd).toBeCloseTo(detour, 9);
    expect(m.hd).toBeCloseTo(detour, 9);
    expect(m.rmse).toBeCloseTo(200 / Math.sqrt(3), 9);
    expect(m.avg).toBeCloseTo((2 * detour + 200 / Math.sqrt(3)) / 3, 9); // ≈ 397.50
  });

  it('a zero-length ground truth resamples to copies of its first point', () => {
    // gt (500,500),(500,500): length 0 -> resampled to 3 copies of (500,500).
    // prediction (500,500),(500,600),(500,700): length 200, resampled to 3 points = itself.
    // RMSE = √((0 + 100² + 200²) / 3) = √(50000 / 3) ≈ 129.099.
    // DFD: row 0 = [0, 100, 200]; C(1,0) = 0, C(1,1) = max(min(100, 0, 0), 100) = 100,
    //   C(1,2) = max(min(200, 100, 100), 200) = 200. HD: (500,700) is 200 from the gt -> 200.
    const m = trajectoryOf(
      sampleMetrics(answer('[[0.5, 0.5], [0.5, 0.6], [0.5, 0.7]]'), trajGt([
        [0.5, 0.5],
        [0.5, 0.5],
      ])),
    );
    expect(m.rmse).toBeCloseTo(Math.sqrt(50000 / 3), 9);
    expect(m.dfd).toBeCloseTo(200, 9);
    expect(m.hd).toBeCloseTo(200, 9);
  });

  it('a single predicted point against a segment', () => {
    // prediction (500,500) alone: resampled to 2 copies. gt (500,500),(500,700).
    // RMSE = √((0 + 200²) / 2) = 200/√2 ≈ 141.421; DFD = HD = 200.
    const m = trajectoryOf(
      sampleMetrics(answer('[[0.5, 0.5]]'), trajGt([
        [0.5, 0.5],
        [0.5, 0.7],
      ])),
    );
    expect(m.rmse).toBeCloseTo(200 / Math.SQRT2, 9);
    expect(m.dfd).toBeCloseTo(200, 9);
    expect(m.hd).toBeCloseTo(200, 9);
  });

  it('clips coordinates to [0, 1] before scaling', () => {
    // (−0.1, 0) -> (0, 0) and (1.2, −0.3) -> (1, 0): the same as the ground truth, every distance 0.
    const d = trajectoryDistances(
      [
        [-0.1, 0],
        [1.2, -0.3],
      ],
      [
        [0, 0],
        [1, 0],
      ],
    );
    expect(d).toEqual({ dfd: 0, hd: 0, rmse: 0, avg: 0 });
  });

  it('clips an answer with coordinates outside [0, 1] instead of failing it; NaN stays a failure', () => {
    // prediction (−0.2, 0.5),(0.5, 1.3) -> clipped (0, 500),(500, 1000) = the ground truth: all distances 0.
    const gt = trajGt([
      [0, 0.5],
      [0.5, 1],
    ]);
    const m = trajectoryOf(sampleMetrics(answer('[[-0.2, 0.5], [0.5, 1.3]]'), gt));
    expect(m).toEqual({ kind: 'trajectory', parsed: true, dfd: 0, hd: 0, rmse: 0, avg: 0 });
    expect(sampleMetrics(answer('[[NaN, 0.5], [0.5, 1]]'), gt)).toMatchObject({
      parsed: false,
      failure: 'out-of-range',
      dfd: 1000,
    });
  });

  it('a failure costs 1000 for each distance', () => {
    const gt = trajGt([
      [0, 0],
      [1, 1],
    ]);
    const failure = { dfd: 1000, hd: 1000, rmse: 1000, avg: 1000 };
    expect(sampleMetrics('nothing', gt)).toEqual({ kind: 'trajectory', parsed: false, failure: 'no-output', ...failure });
    expect(sampleMetrics(answer('{"x": 0.5, "y": 0.5, "width": 0.1, "height": 0.1}'), gt)).toMatchObject({
      parsed: false,
      ...failure,
    });
    expect(sampleMetrics(answer('[]'), gt)).toMatchObject({ parsed: false, ...failure });
    expect(FAILED_TRAJECTORY_DISTANCE).toBe(1000);
  });

  it('rejects an empty ground-truth trajectory', () => {
    expect(() => sampleMetrics(answer('[[0, 0]]'), trajGt([]))).toThrow(RangeError);
  });
});

describe('aggregateMetrics', () => {
  it('averages with failures charged, and repeats the means over parsed answers', () => {
    const samples: SampleMetrics[] = [
      { kind: 'affordance', parsed: true, iou: 0.6 },
      { kind: 'affordance', parsed: true, iou: 1 },
      { kind: 'affordance', parsed: true, iou: 0.25 },
      { kind: 'affordance', parsed: false, failure: 'no-output', iou: 0 },
      { kind: 'trajectory', parsed: true, dfd: 100, hd: 100, rmse: 100, avg: 100 },
      { kind: 'trajectory', parsed: true, dfd: 500, hd: 400, rmse: 120, avg: 340 },
      { kind: 'trajectory', parsed: false, failure: 'bad-json', dfd: 1000, hd: 1000, rmse: 1000, avg: 1000 },
    ];
    const m = aggregateMetrics(samples);
    // IoU: (0.6 + 1 + 0.25 + 0) / 4 = 0.4625 -> 46.25; success (≥ 0.5): 2 of 4; one failure of 4.
    expect(m.affordance.n).toBe(4);
    expect(m.affordance.iou).toBeCloseTo(46.25, 12);
    expect(m.affordance.success_at_0_5).toBe(0.5);
    expect(m.affordance.parse_failure_rate).toBe(0.25);
    // DFD (100 + 500 + 1000)/3 = 533.33; HD (100 + 400 + 1000)/3 = 500; RMSE (100 + 120 + 1000)/3 = 406.67;
    // Avg = (533.33 + 500 + 406.67)/3 = 480.
    expect(m.trajectory.n).toBe(3);
    expect(m.trajectory.dfd).toBeCloseTo(1600 / 3, 9);
    expect(m.trajectory.hd).toBeCloseTo(500, 9);
    expect(m.trajectory.rmse).toBeCloseTo(1220 / 3, 9);
    expect(m.trajectory.avg).toBeCloseTo(480, 9);
    expect(m.trajectory.parse_failure_rate).toBeCloseTo(1 / 3, 12);
    // parsed only: DFD (100 + 500)/2 = 300, HD 250, RMSE 110, Avg (300 + 250 + 110)/3 = 220.
    expect(m.trajectory.parsed_only.dfd).toBeCloseTo(300, 9);
    expect(m.trajectory.parsed_only.hd).toBeCloseTo(250, 9);
    expect(m.trajectory.parsed_only.rmse).toBeCloseTo(110, 9);
    expect(m.trajectory.parsed_only.avg).toBeCloseTo(220, 9);
    expect(evalMetricsSchema.parse(m)).toEqual(m);
  });

  it('gives n 0 and null means when a kind is absent, and IoU exactly 0.5 counts as success', () => {
    const m = aggregateMetrics([{ kind: 'affordance', parsed: true, iou: 0.5 }]);
    expect(m.affordance).toEqual({ n: 1, iou: 50, success_at_0_5: 1, parse_failure_rate: 0 });
    expect(m.trajectory).toEqual({
      n: 0,
      dfd: null,
      hd: null,
      rmse: null,
      avg: null,
      parse_failure_rate: null,
      parsed_only: { dfd: null, hd: null, rmse: null, avg: null },
    });
    // all trajectory answers failed: headline 1000, parsed-only null.
    const failed = aggregateMetrics([
      { kind: 'trajectory', parsed: false, failure: 'no-output', dfd: 1000, hd: 1000, rmse: 1000, avg: 1000 },
    ]);
    expect(failed.trajectory).toMatchObject({ n: 1, dfd: 1000, avg: 1000, parse_failure_rate: 1 });
    expect(failed.trajectory.parsed_only.avg).toBeNull();
  });

  it('aggregates end to end from answer texts', () => {
    const gt = boxGt(0.5, 0.5, 0.4, 0.4);
    const m = aggregateMetrics([
      sampleMetrics(answer('{"x": 0.6, "y": 0.5, "width": 0.4, "height": 0.4}'), gt), // 0.6
      sampleMetrics('garbage', gt), // failure
    ]);
    expect(m.affordance.iou).toBeCloseTo(30, 9);
    expect(m.affordance.success_at_0_5).toBe(0.5);
    expect(m.affordance.parse_failure_rate).toBe(0.5);
  });
});

describe('referenceNumbers', () => {
  it('each Avg is the mean of its DFD, HD and RMSE (as printed, to 0.01)', () => {
    for (const row of Object.values(referenceNumbers)) {
      expect(Math.abs((row.dfd + row.hd + row.rmse) / 3 - row.avg)).toBeLessThan(0.006);
    }
    expect(referenceNumbers.vlaR1InDomain).toMatchObject({ iou: 36.51, avg: 91.74 });
    expect(referenceNumbers.vlaR1OutOfDomain).toMatchObject({ iou: 33.96, avg: 93.9 });
    expect(referenceNumbers.cotSftOnly).toMatchObject({ iou: 28.37, avg: 124.6 });
    expect(referenceNumbers.plainSft).toMatchObject({ iou: 23.74, avg: 128.38 });
  });
});
