import { describe, expect, it } from 'vitest';
import type { EvalMetrics } from './metrics.js';
import { demoMetricsSchema, formatGain, headlineRows, relativeChange, relativeGains, renderHeadlineText, type DemoMetrics } from './demo-report-table.js';

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
  it('puts the paper row under each of ours, in the ablation order', () => {
    const rows = headlineRows(SAMPLE_METRICS);
    expect(rows.map((r) => [r.label, r.source])).toEqual([
      ['plain SFT (no CoT)', 'ours'],
      ['plain SFT, Qwen2.5-VL-3B', 'paper, Table V'],
      ['CoT-SFT', 'ours'],
      ['CoT-SFT only, Qwen2.5-VL-3B', 'paper, Table V'],
      ['CoT-SFT + GRPO', 'ours'],
      ['VLA-R1-3B (CoT-SFT + GRPO)', 'paper, Table III'],
    ]);
    expect(rows[4]?.test).toEqual({ iou: 25, dfd: 110, hd: 120, rmse: 130, avg: 120 });
    expect(rows[1]?.test).toEqual({ iou: 23.74, dfd: 149.38, hd: 135.72, rmse: 100.04, avg: 128.38 });
    expect(rows[1]?.ood).toBeNull();
    expect(rows[5]?.ood).toEqual({ iou: 33.96, dfd: 114.3, hd: 98.43, rmse: 68.97, avg: 93.9 });
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
    const rows = lines.filter((l) => l.includes(' ours ') || l.includes('paper, Table'));
    expect(new Set(rows.map((l) => l.indexOf('│'))).size).toBe(1);
  });
});

describe('demoMetricsSchema', () => {
  it('accepts the three runs × two splits and rejects a missing split', () => {
    expect(demoMetricsSchema.parse(SAMPLE_METRICS)).toEqual(SAMPLE_METRICS);
    const broken = { runs: { ...SAMPLE_METRICS.runs, grpo: { test: SAMPLE_METRICS.runs.grpo.test } } };
    expect(demoMetricsSchema.safeParse(broken).success).toBe(false);
  });
});
