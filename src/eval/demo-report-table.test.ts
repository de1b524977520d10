import { describe, expect, it } from 'vitest';
import type { EvalMetrics, SampleMetrics } from './metrics.js';
import {
  avgRatioTo,
  BASELINE_TARGETS,
  baselineMargins,
  demoMetricsSchema,
  formatGain,
  formatGainWithInterval,
  formatInterval,
  gainVerdict,
  formatPoints,
  formatRatio,
  headlineRows,
  iouPointsAbove,
  meetsTarget,
  relativeChange,
  relativeGains,
  renderHeadlineText,
  type DemoMetrics,
  type DemoSamples,
} from './demo-report-table.js';

/** Metrics of one evaluation with the given IoU and trajectory means (DFD, HD, RMSE = avg − 10, avg, avg + 10). */
function evalMetrics(iou: number | null, avg: number | null): EvalMetrics {
  return {
    affordance: { n: 4, iou, success_at_0_5: iou === null ? null : 0.25, parse_failure_rate: iou === null ? null : 0 },
    trajectory: {
      n: 4,
      dfd: avg === null ? null : avg - 10,
      hd: avg,
      rmse: avg === null ? null : avg + 10,
      avg,
      parse_failure_rate: avg === null ? null : 0.5,
      parsed_only: { dfd: null, hd: null, rmse: null, avg: null },
    },
  };
}

const SAMPLE_METRICS: DemoMetrics = {
  runs: {
    sft_nocot: { test: evalMetrics(10, 200), ood: evalMetrics(0, 300) },
    sft_cot: { test: evalMetrics(20, 150), ood: evalMetrics(8, 250) },
    grpo: { test: evalMetrics(25, 120), ood: evalMetrics(10, null) },
  },
  baseline: { test: evalMetrics(5, 250), ood: evalMetrics(4, 400) },
};

describe('relativeChange / formatGain', () => {
  it('is after / before − 1, null when undefined', () => {
    expect(relativeChange(20, 25)).toBe(0.25);
    expect(relativeChange(150, 120)).toBeCloseTo(-0.2, 12);
    expect(relativeChange(0, 10)).toBeNull();
    expect(relativeChange(null, 10)).toBeNull();
    expect(relativeChange(10, null)).toBeNull();
  });
  it('prints a signed percentage with a real minus sign', () => {
    expect(formatGain(0.25)).toBe('+25.0%');
    expect(formatGain(-0.2637)).toBe('−26.4%');
    expect(formatGain(0)).toBe('+0.0%');
    expect(formatGain(null)).toBe('—');
    expect(formatGain(Number.NaN)).toBe('—');
  });
});

describe('headlineRows', () => {
  it('starts with the mean predictor and puts the paper row under each of ours, in the ablation order', () => {
    const rows = headlineRows(SAMPLE_METRICS);
    expect(rows.map((r) => [r.label, r.source])).toEqual([
      ['mean predictor (image-blind)', 'ours, baseline'],
      ['plain SFT (no CoT)', 'ours'],
      ['plain SFT, Qwen2.5-VL-3B', 'paper, Table V'],
      ['CoT-SFT', 'ours'],
      ['CoT-SFT only, Qwen2.5-VL-3B', 'paper, Table V'],
      ['CoT-SFT + GRPO', 'ours'],
      ['VLA-R1-3B (CoT-SFT + GRPO)', 'paper, Table III'],
    ]);
    expect(rows.map((r) => r.kind)).toEqual(['baseline', 'ours', 'paper', 'ours', 'paper', 'ours', 'paper']);
    expect(rows[0]?.test).toEqual({ iou: 5, dfd: 240, hd: 250, rmse: 260, avg: 250 });
    expect(rows[0]?.ood).toEqual({ iou: 4, dfd: 390, hd: 400, rmse: 410, avg: 400 });
    expect(rows[5]?.test).toEqual({ iou: 25, dfd: 110, hd: 120, rmse: 130, avg: 120 });
    expect(rows[2]?.test).toEqual({ iou: 23.74, dfd: 149.38, hd: 135.72, rmse: 100.04, avg: 128.38 });
    expect(rows[2]?.ood).toBeNull();
    expect(rows[6]?.ood).toEqual({ iou: 33.96, dfd: 114.3, hd: 98.43, rmse: 68.97, avg: 93.9 });
  });
});

describe('relativeGains', () => {
  it('compares GRPO with CoT-SFT and CoT-SFT with plain SFT, beside the paper', () => {
    const [grpo, cot] = relativeGains(SAMPLE_METRICS);
    expect(grpo?.label).toBe('CoT-SFT + GRPO vs CoT-SFT');
    expect(grpo?.ours.test.iou).toBe(0.25);
    expect(grpo?.ours.test.avg).toBeCloseTo(-0.2, 12);
    expect(grpo?.ours.ood.avg).toBeNull();
    expect(grpo?.paper.iou).toBeCloseTo(36.51 / 28.37 - 1, 12);
    expect(formatGain(grpo?.paper.iou ?? null)).toBe('+28.7%');
    expect(formatGain(grpo?.paper.avg ?? null)).toBe('−26.4%');
    expect(cot?.label).toBe('CoT-SFT vs plain SFT (no CoT)');
    expect(cot?.ours.ood.iou).toBeNull();
    expect(cot?.ours.test.iou).toBe(1);
    expect(formatGain(cot?.paper.iou ?? null)).toBe('+19.5%');
    expect(formatGain(cot?.paper.avg ?? null)).toBe('−2.9%');
  });
});

/** Per-record metrics: boxes with the given IoUs (×100) then trajectories with the given Avgs (a failure where null). */
function samplesOf(ious: readonly number[], avgs: readonly (number | null)[]): Map<number, SampleMetrics> {
  const out = new Map<number, SampleMetrics>();
  ious.forEach((iou, i) => out.set(i, { kind: 'affordance', parsed: true, iou: iou / 100 }));
  avgs.forEach((avg, j) => {
    const a = avg ?? 1000;
    out.set(ious.length + j, { kind: 'trajectory', parsed: avg !== null, dfd: a, hd: a, rmse: a, avg: a });
  });
  return out;
}

describe('relativeGains with per-record metrics', () => {
  const cot = samplesOf([10, 20, 30, 40], [200, 100, 150, 250]);
  const samples: DemoSamples = {
    sft_nocot: { test: samplesOf([5, 10, 15, 20], [300, 100, 200, 400]), ood: new Map() },
    sft_cot: { test: cot, ood: cot },
    // test: every box 1.5× and every trajectory 0.8× CoT-SFT's; OOD: one trajectory fails to parse (Avg 1000)
    grpo: { test: samplesOf([15, 30, 45, 60], [160, 80, 120, 200]), ood: samplesOf([10, 20, 30, 40], [200, 100, 150, null]) },
  };
  const [grpo, cotVsPlain] = relativeGains(SAMPLE_METRICS, samples);

  it('pairs the records of the two runs: a change that is the same on every record has a single-valued interval', () => {
    expect(grpo?.ours.test.iouInterval?.low).toBeCloseTo(0.5, 12);
    expect(grpo?.ours.test.iouInterval?.high).toBeCloseTo(0.5, 12);
    expect(grpo?.ours.test.avgInterval?.low).toBeCloseTo(-0.2, 12);
    expect(grpo?.ours.test.avgInterval?.high).toBeCloseTo(-0.2, 12);
    expect(cotVsPlain?.ours.test.iouInterval?.low).toBeCloseTo(1, 12);
  });

  it('counts a failed answer as 1000, as the aggregate does, and gives no interval without records', () => {
    const ood = grpo!.ours.ood;
    expect(ood.iouInterval).toEqual({ low: 0, high: 0 });
    expect(ood.avgInterval!.low).toBeGreaterThanOrEqual(0);
    expect(ood.avgInterval!.high).toBeGreaterThan(1); // 250 → 1000 on one of four records: up to +300 % in a resample
    expect(cotVsPlain?.ours.ood.iouInterval).toBeNull();
    expect(relativeGains(SAMPLE_METRICS)[0]?.ours.test.iouInterval).toBeNull();
  });

  it('prints the intervals in the text headline, and none without per-record metrics', () => {
    const text = renderHeadlineText(SAMPLE_METRICS, samples);
    expect(text).toContain('+25.0% [+50.0, +50.0]');
    expect(text).toContain('paired bootstrap interval');
    expect(renderHeadlineText(SAMPLE_METRICS)).not.toMatch(/% \[/);
  });
});

describe('formatGainWithInterval / gainVerdict', () => {
  it('puts the interval in brackets, in percent with real minus signs', () => {
    expect(formatGainWithInterval(0.011, { low: -0.0794, high: 0.1031 })).toBe('+1.1% [−7.9, +10.3]');
    expect(formatGainWithInterval(-0.2, { low: -0.3, high: -0.1 })).toBe('−20.0% [−30.0, −10.0]');
    expect(formatGainWithInterval(0.011, null)).toBe('+1.1%');
    expect(formatGainWithInterval(null, { low: 0, high: 1 })).toBe('—');
    expect(formatInterval({ low: -0.0794, high: 0.1031 })).toBe('[−7.9, +10.3]');
  });
  it('calls a change better or worse only when its whole interval is on one side of 0', () => {
    expect(gainVerdict(0.2, { low: 0.05, high: 0.4 }, true)).toBe('better');
    expect(gainVerdict(0.2, { low: -0.05, high: 0.4 }, true)).toBe('noise');
    expect(gainVerdict(-0.2, { low: -0.3, high: -0.1 }, false)).toBe('better');
    expect(gainVerdict(-0.2, { low: -0.3, high: -0.1 }, true)).toBe('worse');
    expect(gainVerdict(0.2, { low: 0.1, high: 0.3 }, false)).toBe('worse');
    expect(gainVerdict(0.2, null, true)).toBe('better');
    expect(gainVerdict(-0.2, null, true)).toBe('worse');
    expect(gainVerdict(0, null, true)).toBeNull();
    expect(gainVerdict(null, { low: 0, high: 1 }, true)).toBeNull();
  });
});

describe('baselineMargins', () => {
  it('gives each run its IoU points above the mean box and its Avg as a ratio to the mean trajectory', () => {
    const margins = baselineMargins(SAMPLE_METRICS);
    expect(margins.map((m) => [m.run, m.label])).toEqual([
      ['sft_nocot', 'plain SFT (no CoT)'],
      ['sft_cot', 'CoT-SFT'],
      ['grpo', 'CoT-SFT + GRPO'],
    ]);
    expect(margins[0]?.margins).toEqual({ test: { iouPoints: 5, avgRatio: 0.8 }, ood: { iouPoints: -4, avgRatio: 0.75 } });
    expect(margins[1]?.margins).toEqual({ test: { iouPoints: 15, avgRatio: 0.6 }, ood: { iouPoints: 4, avgRatio: 0.625 } });
    expect(margins[2]?.margins).toEqual({ test: { iouPoints: 20, avgRatio: 0.48 }, ood: { iouPoints: 6, avgRatio: null } });
  });

  it('is null when either side is missing, and the ratio when the mean trajectory is perfect', () => {
    expect(iouPointsAbove(12.5, 30)).toBe(17.5);
    expect(iouPointsAbove(null, 30)).toBeNull();
    expect(iouPointsAbove(12.5, null)).toBeNull();
    expect(avgRatioTo(200, 150)).toBe(0.75);
    expect(avgRatioTo(0, 150)).toBeNull();
    expect(avgRatioTo(null, 150)).toBeNull();
    expect(avgRatioTo(200, Number.NaN)).toBeNull();
  });

  it('checks the targets inclusively: +10 IoU points, 0.8 × Avg', () => {
    expect(BASELINE_TARGETS).toEqual({ iouPoints: 10, avgRatio: 0.8 });
    expect([meetsTarget('iouPoints', 10), meetsTarget('iouPoints', 9.99), meetsTarget('iouPoints', null)]).toEqual([true, false, null]);
    expect([meetsTarget('avgRatio', 0.8), meetsTarget('avgRatio', 0.81), meetsTarget('avgRatio', Number.NaN)]).toEqual([true, false, null]);
  });

  it('prints signed points and ratios', () => {
    expect([formatPoints(17.5), formatPoints(-2.125), formatPoints(0), formatPoints(-0.001), formatPoints(null)]).toEqual(['+17.50', '−2.13', '+0.00', '+0.00', '—']);
    expect([formatRatio(0.75), formatRatio(1.005), formatRatio(null), formatRatio(Number.POSITIVE_INFINITY)]).toEqual(['0.75×', '1.00×', '—', '—']);
  });
});

describe('renderHeadlineText', () => {
  it('prints every row with aligned columns and the gains', () => {
    const text = renderHeadlineText(SAMPLE_METRICS);
    const lines = text.split('\n');
    const grpo = lines.find((l) => l.startsWith('CoT-SFT + GRPO ') && l.includes('ours'));
    expect(grpo?.split(/\s+│?\s*/).filter(Boolean).slice(-10)).toEqual(['25.00', '110.00', '120.00', '130.00', '120.00', '10.00', '—', '—', '—', '—']);
    const paper = lines.find((l) => l.startsWith('VLA-R1-3B'));
    expect(paper).toContain('36.51');
    expect(paper).toContain('93.90');
    const gain = lines.find((l) => l.startsWith('CoT-SFT + GRPO vs CoT-SFT'));
    expect(gain?.split(/\s+/).filter((c) => c !== '│').slice(-6)).toEqual(['+25.0%', '+28.7%', '−20.0%', '−26.4%', '+25.0%', '—']);
    const header = lines.find((l) => l.startsWith('method'));
    expect(header).toBeDefined();
    // Columns line up: the Avg column ends at the same place on every table row.
    const baseline = lines.find((l) => l.startsWith('mean predictor (image-blind)'));
    expect(baseline?.split(/\s+│?\s*/).filter(Boolean).slice(-11)).toEqual(['baseline', '5.00', '240.00', '250.00', '260.00', '250.00', '4.00', '390.00', '400.00', '410.00', '400.00']);
    expect(lines.findIndex((l) => l.startsWith('mean predictor'))).toBe(lines.indexOf(header ?? '') + 2);
    const rows = lines.filter((l) => l.includes(' ours ') || l.includes('paper, Table') || l.includes('ours, baseline'));
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((l) => l.indexOf('│'))).size).toBe(1);
  });

  it('prints the margins over the mean predictor and the targets', () => {
    const lines = renderHeadlineText(SAMPLE_METRICS).split('\n');
    const start = lines.findIndex((l) => l.startsWith('Margin over the mean predictor'));
    expect(start).toBeGreaterThan(0);
    const cellsOf = (prefix: string): string[] | undefined =>
      lines
        .slice(start)
        .find((l) => l.startsWith(prefix))
        ?.slice(prefix.length)
        .split(/\s+/)
        .filter((c) => c !== '' && c !== '│');
    expect(cellsOf('plain SFT (no CoT)')).toEqual(['+5.00', '0.80×', '−4.00', '0.75×']);
    expect(cellsOf('CoT-SFT ')).toEqual(['+15.00', '0.60×', '+4.00', '0.63×']);
    expect(cellsOf('CoT-SFT + GRPO')).toEqual(['+20.00', '0.48×', '+6.00', '—']);
    expect(cellsOf('target')).toEqual(['≥', '+10.00', '≤', '0.80×', '≥', '+10.00', '≤', '0.80×']);
  });
});

describe('demoMetricsSchema', () => {
  it('accepts the three runs and the baseline × two splits and rejects a missing split or baseline', () => {
    expect(demoMetricsSchema.parse(SAMPLE_METRICS)).toEqual(SAMPLE_METRICS);
    const broken = { ...SAMPLE_METRICS, runs: { ...SAMPLE_METRICS.runs, grpo: { test: SAMPLE_METRICS.runs.grpo.test } } };
    expect(demoMetricsSchema.safeParse(broken).success).toBe(false);
    expect(demoMetricsSchema.safeParse({ runs: SAMPLE_METRICS.runs }).success).toBe(false);
    expect(demoMetricsSchema.safeParse({ ...SAMPLE_METRICS, baseline: { test: SAMPLE_METRICS.baseline.test } }).success).toBe(false);
  });
});
