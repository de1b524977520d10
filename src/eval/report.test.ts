import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtmlReport, svgHistogram } from './report-html.js';
import { renderMarkdownReport } from './report-markdown.js';
import { formatMetric, formatRate, histogram, tableRows, type ReportModel } from './report-model.js';
import { pickFailures } from './report.js';
import type { PredictionLine } from './eval-record.js';
import type { EvalMetrics, SampleMetrics } from './metrics.js';

const metrics: EvalMetrics = {
  affordance: { n: 2, iou: 40, success_at_0_5: 0.5, parse_failure_rate: 0.5 },
  trajectory: { n: 0, dfd: null, hd: null, rmse: null, avg: null, parse_failure_rate: null, parsed_only: { dfd: null, hd: null, rmse: null, avg: null } },
};

const model: ReportModel = {
  title: 'Eval <of> "x"',
  policyName: 'openai:a|b',
  coordinates: 'normalized',
  createdAt: '2026-01-01T00:00:00Z',
  metrics,
  byCategory: { 'mug|cup': metrics },
  counts: { records: 2, requestFailures: 0 },
  table: tableRows('openai:a|b', metrics),
  ious: [0.8, 0],
  dfds: [],
  examples: [{ index: 1, kind: 'affordance', category: 'mug|cup', instruction: 'pick <script>alert(1)</script> | it', prediction: 'has ``` fences', reason: 'answer does not parse (no-output)' }],
};

describe('report rendering', () => {
  it('formats numbers and rates', () => {
    expect([formatMetric(36.5149), formatMetric(null), formatMetric(Number.NaN), formatRate(0.1234), formatRate(null)]).toEqual(['36.51', '—', '—', '12.3%', '—']);
    expect(histogram([0, 0.05, 0.5, 0.99, 1, 2, -1], 10, 0, 1)).toEqual([3, 0, 0, 0, 0, 1, 0, 0, 0, 3]);
  });

  it('escapes HTML and draws no scripts', () => {
    expect(escapeHtml(`<b>"x" & 'y'</b>`)).toBe('&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;');
    const html = renderHtmlReport(model);
    expect(html).not.toContain('<script>');
    expect(html).toContain('pick &lt;script&gt;alert(1)&lt;/script&gt; | it');
    expect(html).toContain('<title>Eval &lt;of&gt; &quot;x&quot;</title>');
    expect(html).toContain('<tr class="ours"><td><b>openai:a|b</b></td><td>this evaluation</td><td><b>40.00</b></td><td>—</td>');
    expect(svgHistogram([1, 3], '0', '1', 'IoU')).toContain('<rect x="24.0" y="85.3" width="154.0" height="30.7" fill="#4a78c2"><title>1</title></rect>');
  });

  it('escapes table pipes and fences in Markdown', () => {
    const md = renderMarkdownReport(model);
    expect(md).toContain('| **openai:a\\|b** | this evaluation | **40.00** | — | — | — | — |');
    expect(md).toContain('| mug\\|cup | 2 | 40.00 | 50.0% | 50.0% | 0 | — | — | — | — | — |');
    expect(md).toContain('````\nhas ``` fences\n````');
  });
});

describe('pickFailures', () => {
  const line = (index: number, kind: 'affordance' | 'trajectory', ok = true): PredictionLine => ({ index, kind, instruction: `i${index}`, prediction: 'p', ok, latency_ms: 1, metrics: {} });
  it('shows request failures, then parse failures, then the worst scores, half per kind', () => {
    const lines = [line(0, 'affordance'), line(1, 'affordance'), line(2, 'affordance', false), line(3, 'affordance'), line(4, 'trajectory'), line(5, 'trajectory'), line(6, 'trajectory')];
    const samples = new Map<number, SampleMetrics>([
      [0, { kind: 'affordance', parsed: true, iou: 0.9 }],
      [1, { kind: 'affordance', parsed: true, iou: 0.1 }],
      [2, { kind: 'affordance', parsed: false, failure: 'no-output', iou: 0 }],
      [3, { kind: 'affordance', parsed: false, failure: 'bad-json', iou: 0 }],
      [4, { kind: 'trajectory', parsed: true, dfd: 50, hd: 50, rmse: 50, avg: 50 }],
      [5, { kind: 'trajectory', parsed: true, dfd: 300, hd: 300, rmse: 300, avg: 300 }],
      [6, { kind: 'trajectory', parsed: true, dfd: 150, hd: 150, rmse: 150, avg: 150 }],
    ]);
    expect(pickFailures(lines, samples, 4).map((c) => [c.line.index, c.reason])).toEqual([
      [2, 'request failed: unknown error'],
      [3, 'answer does not parse (bad-json)'],
      [5, 'DFD 300.0'],
      [6, 'DFD 150.0'],
    ]);
    expect(pickFailures(lines, samples, 6).map((c) => c.line.index)).toEqual([2, 3, 1, 5, 6]);
    expect(pickFailures(lines, samples, 1).map((c) => c.line.index)).toEqual([2]);
  });
});
