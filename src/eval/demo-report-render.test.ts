import { describe, expect, it } from 'vitest';
import { demoPlan } from './demo-plan.js';
import { pickExampleRecords, scoreText } from './demo-report-examples.js';
import { renderDemoHtml } from './demo-report-html.js';
import { renderDemoMarkdown } from './demo-report-markdown.js';
import { formatSeconds, type DemoReportModel } from './demo-report-model.js';
import type { DemoMetrics, DemoSamples } from './demo-report-table.js';
import type { EvalMetrics, SampleMetrics } from './metrics.js';

function metrics(iou: number, avg: number): EvalMetrics {
  return {
    affordance: { n: 2, iou, success_at_0_5: 0.5, parse_failure_rate: 0 },
    trajectory: { n: 2, dfd: avg + 1, hd: avg, rmse: avg - 1, avg, parse_failure_rate: 0.5, parsed_only: { dfd: 1, hd: 2, rmse: 3, avg: 2 } },
  };
}

const METRICS: DemoMetrics = {
  runs: {
    sft_nocot: { test: metrics(10, 300), ood: metrics(5, 400) },
    sft_cot: { test: metrics(20, 200), ood: metrics(8, 350) },
    grpo: { test: metrics(30, 150), ood: metrics(12, 300) },
  },
  baseline: { test: metrics(12, 250), ood: metrics(6, 500) },
};

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

const MODEL: DemoReportModel = {
  title: 'VLA-R1 demo <test>',
  createdAt: '2026-01-01T00:00:00.000Z',
  plan: demoPlan({ quick: true }),
  metrics: METRICS,
  model: { parameters: 45664, vocabulary: 386, sequence: 193 },
  stages: [
    { id: 'synth', title: 'synthesise', status: 'reused', seconds: 5 },
    { id: 'train:grpo', title: 'train GRPO', status: 'ran', seconds: 125 },
  ],
  plots: [{ file: 'report-assets/grpo-reward.png', png: PNG, caption: 'Mean reward' }],
  examples: [
    {
      split: 'ood',
      index: 3,
      kind: 'affordance',
      instruction: 'grasp the <b>jug</b> & lift it.',
      rationale: 'The jug is left.',
      answers: [
        { run: 'sft_nocot', text: '', score: 'no answer' },
        { run: 'sft_cot', text: '<think>x</think>', score: 'does not parse (no-output)' },
        { run: 'grpo', text: '<think>y</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.1, "height": 0.1}</output>', score: 'IoU 0.42' },
      ],
      png: PNG,
      pngFile: 'report-assets/examples/ood-0003.png',
    },
  ],
  evaluationReports: [{ run: 'grpo', split: 'ood', file: 'grpo/eval/ood/report.html' }],
};

describe('renderDemoMarkdown', () => {
  it('writes the Tables III/V layout with the baseline and paper rows, the gains, the margins, plots, examples and stages', () => {
    const md = renderDemoMarkdown(MODEL);
    const lines = md.split('\n');
    expect(lines[0]).toBe('# VLA-R1 demo <test>');
    expect(lines).toContain('| **CoT-SFT + GRPO** | ours | **30.00** | **151.00** | **150.00** | **149.00** | **150.00** | **12.00** | **301.00** | **300.00** | **299.00** | **300.00** |');
    expect(lines).toContain('| VLA-R1-3B (CoT-SFT + GRPO) | paper, Table III | 36.51 | 106.20 | 97.90 | 71.12 | 91.74 | 33.96 | 114.30 | 98.43 | 68.97 | 93.90 |');
    expect(lines).toContain('| plain SFT, Qwen2.5-VL-3B | paper, Table V | 23.74 | 149.38 | 135.72 | 100.04 | 128.38 | — | — | — | — | — |');
    expect(lines).toContain('| CoT-SFT + GRPO vs CoT-SFT | +50.0% | +28.7% | −25.0% | −26.4% | +50.0% | −14.3% |');
    const table = lines.indexOf('| Method | Source | Test IoU↑ | DFD↓ | HD↓ | RMSE↓ | Avg↓ | OOD IoU↑ | DFD↓ | HD↓ | RMSE↓ | Avg↓ |');
    expect(lines[table + 2]).toBe('| mean predictor (image-blind) | ours, baseline | 12.00 | 251.00 | 250.00 | 249.00 | 250.00 | 6.00 | 501.00 | 500.00 | 499.00 | 500.00 |');
    const margins = lines.indexOf('### Margin over the mean predictor');
    expect(margins).toBeGreaterThan(lines.indexOf('### Relative change'));
    expect(lines.slice(margins + 4, margins + 10)).toEqual([
      '| Run | IoU, test | Avg, test | IoU, OOD | Avg, OOD |',
      '|---|---:|---:|---:|---:|',
      '| plain SFT (no CoT) | −2.00 | 1.20× | −1.00 | 0.80× |',
      '| CoT-SFT | +8.00 | 0.80× | +2.00 | 0.70× |',
      '| CoT-SFT + GRPO | +18.00 | 0.60× | +6.00 | 0.60× |',
      '| target | ≥ +10.00 | ≤ 0.80× | ≥ +10.00 | ≤ 0.80× |',
    ]);
    expect(lines).toContain('![Mean reward](report-assets/grpo-reward.png)');
    expect(lines).toContain('![ood record 3](report-assets/examples/ood-0003.png)');
    expect(lines).toContain('- CoT-SFT + GRPO: IoU 0.42');
    expect(lines).toContain('| 2 | train GRPO | ran | 2m05s |');
    expect(md).toContain('- Model: 0.05 M parameters');
    expect(md.endsWith('\n')).toBe(true);
  });
});

/** The same records for every run and split: boxes scaled by `boxes`, trajectories by `paths`, against CoT-SFT. */
function scaled(boxes: number, paths: number): Map<number, SampleMetrics> {
  const out = new Map<number, SampleMetrics>();
  [0.1, 0.2, 0.3].forEach((iou, i) => out.set(i, { kind: 'affordance', parsed: true, iou: iou * boxes }));
  [100, 200, 300].forEach((avg, j) => out.set(3 + j, { kind: 'trajectory', parsed: true, dfd: avg * paths, hd: avg * paths, rmse: avg * paths, avg: avg * paths }));
  return out;
}

const SAMPLES: DemoSamples = {
  sft_nocot: { test: scaled(1, 1), ood: scaled(1, 1) },
  sft_cot: { test: scaled(1, 1), ood: scaled(1, 1) },
  grpo: { test: scaled(1.5, 0.75), ood: scaled(1, 1) },
};

describe('the relative gains with their intervals', () => {
  it('are in both reports when the per-record metrics are known, coloured only beyond the noise', () => {
    const model: DemoReportModel = { ...MODEL, samples: SAMPLES };
    const lines = renderDemoMarkdown(model).split('\n');
    expect(lines).toContain('| CoT-SFT + GRPO vs CoT-SFT | +50.0% [+50.0, +50.0] | +28.7% | −25.0% [−25.0, −25.0] | −26.4% | +50.0% [+0.0, +0.0] | −14.3% [+0.0, +0.0] |');
    expect(lines.some((l) => l.startsWith('In brackets: the 95 % paired bootstrap interval'))).toBe(true);
    const html = renderDemoHtml(model);
    const gains = html.match(/<tr><td class="l">CoT-SFT \+ GRPO vs CoT-SFT<\/td>(.*?)<\/tr>/)?.[1];
    expect(gains).toBe(
      '<td class="better sep">+50.0% <span class="ci">[+50.0, +50.0]</span></td><td class="better">+28.7%</td>' +
        '<td class="better sep">−25.0% <span class="ci">[−25.0, −25.0]</span></td><td class="better">−26.4%</td>' +
        '<td class="sep">+50.0% <span class="ci">[+0.0, +0.0]</span></td><td>−14.3% <span class="ci">[+0.0, +0.0]</span></td>',
    );
  });
});

describe('renderDemoHtml', () => {
  it('is self-contained, escapes text and embeds the pictures', () => {
    const html = renderDemoHtml(MODEL);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>VLA-R1 demo &lt;test&gt;</title>');
    expect(html).not.toContain('<b>jug</b>');
    expect(html).toContain('alt="out-of-domain #3: grasp the &lt;b&gt;jug&lt;/b&gt; &amp; lift it."');
    expect(html.match(/src="data:image\/png;base64,iVBORwECAw=="/g)?.length).toBe(2);
    expect(html).not.toMatch(/src="http|<script|<link /);
    expect(html.match(/<tr class="ours run-start">/g)?.length).toBe(3);
    expect(html.match(/<tr class="paper">/g)?.length).toBe(3);
    expect(html).toContain(
      '<tbody><tr class="baseline"><td class="l">mean predictor (image-blind)</td><td class="l">ours, baseline</td><td class="sep">12.00</td><td>251.00</td>',
    );
    const margins = html.slice(html.indexOf('<h3>Margin over the mean predictor</h3>'));
    const marginRows = margins.slice(0, margins.indexOf('</table>')).match(/<tr(?: class="target")?><td class="l">[^<]*<\/td>.*?<\/tr>/g);
    expect(marginRows).toEqual([
      '<tr><td class="l">plain SFT (no CoT)</td><td class="worse sep">−2.00</td><td class="worse">1.20×</td><td class="worse sep">−1.00</td><td class="better">0.80×</td></tr>',
      '<tr><td class="l">CoT-SFT</td><td class="sep">+8.00</td><td class="better">0.80×</td><td class="sep">+2.00</td><td class="better">0.70×</td></tr>',
      '<tr><td class="l">CoT-SFT + GRPO</td><td class="better sep">+18.00</td><td class="better">0.60×</td><td class="sep">+6.00</td><td class="better">0.60×</td></tr>',
      '<tr class="target"><td class="l">target</td><td class="sep">≥ +10.00</td><td>≤ 0.80×</td><td class="sep">≥ +10.00</td><td>≤ 0.80×</td></tr>',
    ]);
    const gains = html.match(/<tr><td class="l">CoT-SFT \+ GRPO vs CoT-SFT<\/td>(.*?)<\/tr>/)?.[1];
    expect(gains).toBe(
      '<td class="better sep">+50.0%</td><td class="better">+28.7%</td><td class="better sep">−25.0%</td><td class="better">−26.4%</td>' +
        '<td class="better sep">+50.0%</td><td class="better">−14.3%</td>',
    );
    expect(html).toContain('<a href="grpo/eval/ood/report.html">grpo ood</a>');
  });
});

describe('report helpers', () => {
  it('pickExampleRecords takes the first records of each kind, affordance first', () => {
    const records = [
      { kind: 'trajectory', i: 0 },
      { kind: 'affordance', i: 1 },
      { kind: 'trajectory', i: 2 },
      { kind: 'affordance', i: 3 },
      { kind: 'affordance', i: 4 },
    ] as const;
    expect(pickExampleRecords(records, 2).map((r) => r.i)).toEqual([1, 3, 0, 2]);
    expect(pickExampleRecords(records, 0)).toEqual([]);
  });
  it('scoreText names the metric or the failure', () => {
    expect(scoreText({ kind: 'affordance', parsed: true, iou: 0.625 })).toBe('IoU 0.63');
    expect(scoreText({ kind: 'trajectory', parsed: true, dfd: 84.14, hd: 1, rmse: 1, avg: 1 })).toBe('DFD 84.1');
    expect(scoreText({ kind: 'trajectory', parsed: false, failure: 'no-output', dfd: 1000, hd: 1000, rmse: 1000, avg: 1000 })).toBe('does not parse (no-output)');
  });
  it('formatSeconds', () => {
    expect([formatSeconds(0), formatSeconds(59.6), formatSeconds(65), formatSeconds(null)]).toEqual(['0s', '1m00s', '1m05s', '—']);
  });
});
