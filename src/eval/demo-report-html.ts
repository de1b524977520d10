/**
 * The demo report as one self-contained HTML file (`report.html`): the headline table in the layout of the
 * paper's Tables III and V with the image-blind mean predictor first and the paper's rows beside ours, the
 * relative gains, the margins over the mean predictor, the details, the training
 * curves (PNG data URIs) and the example grid. No scripts, no external resources.
 */
import { DEMO_RUNS, DEMO_SPLITS, RUN_LABELS, SPLIT_LABELS } from './demo-plan.js';
import { formatSeconds, setupSummary, type DemoReportModel } from './demo-report-model.js';
import {
  baselineMargins,
  formatGain,
  formatInterval,
  formatPoints,
  formatRatio,
  gainVerdict,
  headlineRows,
  INTERVAL_NOTE,
  meetsTarget,
  relativeGains,
  TARGET_TEXTS,
  type BaselineMargin,
  type HeadlineCells,
} from './demo-report-table.js';
import type { Interval } from './paired-bootstrap.js';
import { escapeHtml } from './report-html.js';
import { formatMetric, formatRate } from './report-model.js';

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;max-width:1180px;margin:1.5em auto;padding:0 1em;color:#1a1a1a;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.3em}h2{margin-top:1.6em;border-bottom:2px solid #e3e3e3;padding-bottom:.2em}
ul.setup{color:#333;padding-left:1.2em}ul.setup li{margin:.15em 0}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.88em}
th,td{border:1px solid #d4d4d4;padding:3px 7px;text-align:right;white-space:nowrap}
th{background:#f3f3f3}th.group{text-align:center}td.l,th.l{text-align:left}
tr.ours td{background:#eaf2ff;font-weight:600}tr.paper td{color:#555;font-style:italic}tr.baseline td{background:#f4f4f4}tr.target td{color:#555}
tr.run-start td{border-top:2px solid #9a9a9a}
td.sep,th.sep{border-left:2px solid #9a9a9a}
.better{color:#0a7a32}.worse{color:#b3261e}.ci{color:#666;font-size:.85em;white-space:nowrap}
.note{color:#555;font-size:.9em;max-width:70em}
.plots{display:flex;flex-wrap:wrap;gap:12px}.plots figure{margin:0}.plots img{border:1px solid #ddd;width:560px;max-width:100%}
figcaption{font-size:.85em;color:#444;margin-top:.25em;max-width:560px}
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px}
.grid figure{margin:0;border:1px solid #ddd;padding:6px;background:#fafafa}.grid img{width:100%;display:block}
.grid ul{margin:.3em 0 0;padding-left:1.2em;font-size:.85em}
details{font-size:.8em}pre{white-space:pre-wrap;word-break:break-word;background:#f3f3f3;padding:.4em;margin:.2em 0}
`;

function td(text: string, className = ''): string {
  return `<td${className ? ` class="${className}"` : ''}>${escapeHtml(text)}</td>`;
}

function metricCells(values: HeadlineCells | null): string {
  return (['iou', 'dfd', 'hd', 'rmse', 'avg'] as const).map((k, i) => td(formatMetric(values ? values[k] : null), i === 0 ? 'sep' : '')).join('');
}

/** A relative change, green or red when it is beyond the noise of the records (or has no interval), with its interval. */
function gainCell(value: number | null, higherIsBetter: boolean, separator = false, interval: Interval | null = null): string {
  const verdict = gainVerdict(value, interval, higherIsBetter);
  const tone = verdict === 'better' || verdict === 'worse' ? verdict : '';
  const className = [tone, separator ? 'sep' : ''].filter(Boolean).join(' ');
  if (interval === null || value === null || !Number.isFinite(value)) return td(formatGain(value), className);
  return `<td${className ? ` class="${className}"` : ''}>${escapeHtml(formatGain(value))} <span class="ci">${escapeHtml(formatInterval(interval))}</span></td>`;
}

/** A table from its header rows and body rows (each a whole `<tr>…</tr>`). */
function table(head: readonly string[], body: readonly string[]): string {
  return ['<table><thead>', ...head, '</thead><tbody>', ...body, '</tbody></table>'].join('');
}

function headlineTable(model: DemoReportModel): string {
  const head = [
    '<tr><th class="l" rowspan="2">Method</th><th class="l" rowspan="2">Source</th><th class="group sep" colspan="5">In-domain test</th><th class="group sep" colspan="5">Out-of-domain</th></tr>',
    `<tr>${['IoU↑', 'DFD↓', 'HD↓', 'RMSE↓', 'Avg↓', 'IoU↑', 'DFD↓', 'HD↓', 'RMSE↓', 'Avg↓'].map((h, i) => `<th${i % 5 === 0 ? ' class="sep"' : ''}>${h}</th>`).join('')}</tr>`,
  ];
  const body = headlineRows(model.metrics).map((row) => {
    const classes = row.kind === 'ours' ? 'ours run-start' : row.kind;
    return `<tr class="${classes}">${td(row.label, 'l')}${td(row.source, 'l')}${metricCells(row.test)}${metricCells(row.ood)}</tr>`;
  });
  return table(head, body);
}

function gainsTable(model: DemoReportModel): string {
  const head = [
    '<tr><th class="l" rowspan="2">Comparison</th><th class="group sep" colspan="2">IoU (in-domain)</th><th class="group sep" colspan="2">Avg (in-domain)</th><th class="group sep" colspan="2">Out-of-domain, ours</th></tr>',
    '<tr><th class="sep">ours</th><th>paper</th><th class="sep">ours</th><th>paper</th><th class="sep">IoU</th><th>Avg</th></tr>',
  ];
  const body = relativeGains(model.metrics, model.samples).map(({ label, ours: { test, ood }, paper }) =>
      `<tr>${td(label, 'l')}${gainCell(test.iou, true, true, test.iouInterval)}${gainCell(paper.iou, true)}` +
      `${gainCell(test.avg, false, true, test.avgInterval)}${gainCell(paper.avg, false)}` +
      `${gainCell(ood.iou, true, true, ood.iouInterval)}${gainCell(ood.avg, false, false, ood.avgInterval)}</tr>`,
  );
  return table(head, body);
}

/** Green when the margin meets its target, red when the run is worse than the mean predictor. */
function marginCell(key: keyof BaselineMargin, value: number | null, separator = false): string {
  const worse = value !== null && (key === 'iouPoints' ? value < 0 : value > 1);
  const met = meetsTarget(key, value);
  const tone = met === true ? 'better' : worse ? 'worse' : '';
  return td(key === 'iouPoints' ? formatPoints(value) : formatRatio(value), [tone, separator ? 'sep' : ''].filter(Boolean).join(' '));
}

function marginsTable(model: DemoReportModel): string {
  const head = [
    '<tr><th class="l" rowspan="2">Run</th><th class="group sep" colspan="2">In-domain test</th><th class="group sep" colspan="2">Out-of-domain</th></tr>',
    '<tr><th class="sep">IoU points</th><th>Avg ratio</th><th class="sep">IoU points</th><th>Avg ratio</th></tr>',
  ];
  const body = baselineMargins(model.metrics).map(({ label, margins: { test, ood } }) =>
    `<tr>${td(label, 'l')}${marginCell('iouPoints', test.iouPoints, true)}${marginCell('avgRatio', test.avgRatio)}` +
    `${marginCell('iouPoints', ood.iouPoints, true)}${marginCell('avgRatio', ood.avgRatio)}</tr>`,
  );
  body.push(
    `<tr class="target">${td('target', 'l')}${td(TARGET_TEXTS.iouPoints, 'sep')}${td(TARGET_TEXTS.avgRatio)}${td(TARGET_TEXTS.iouPoints, 'sep')}${td(TARGET_TEXTS.avgRatio)}</tr>`,
  );
  return table(head, body);
}

function detailsTable(model: DemoReportModel): string {
  const head = [
    '<tr><th class="l">Run</th><th class="l">Split</th><th class="sep">aff. n</th><th>IoU</th><th>success@0.5</th><th>parse failures</th>' +
      '<th class="sep">traj. n</th><th>DFD</th><th>Avg</th><th>parse failures</th><th>Avg, parsed only</th></tr>',
  ];
  const body = DEMO_RUNS.flatMap((run) =>
    DEMO_SPLITS.map((split, k) => {
      const { affordance: a, trajectory: t } = model.metrics.runs[run][split];
      return (
        `<tr${k === 0 ? ' class="run-start"' : ''}>${td(RUN_LABELS[run], 'l')}${td(SPLIT_LABELS[split], 'l')}${td(String(a.n), 'sep')}${td(formatMetric(a.iou))}` +
        `${td(formatRate(a.success_at_0_5))}${td(formatRate(a.parse_failure_rate))}${td(String(t.n), 'sep')}${td(formatMetric(t.dfd))}` +
        `${td(formatMetric(t.avg))}${td(formatRate(t.parse_failure_rate))}${td(formatMetric(t.parsed_only.avg))}</tr>`
      );
    }),
  );
  return table(head, body);
}

function dataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

/**
 * Render `report.html`.
 *
 * @example
 * await writeFile('runs/demo/report.html', renderDemoHtml(model));
 */
export function renderDemoHtml(model: DemoReportModel): string {
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(model.title)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<h1>${escapeHtml(model.title)}</h1><ul class="setup">`);
  for (const line of setupSummary(model)) parts.push(`<li>${escapeHtml(line)}</li>`);
  parts.push(`<li>Written ${escapeHtml(model.createdAt)}.</li></ul>`);

  parts.push('<h2>Results in the layout of the paper\'s Tables III and V</h2>');
  parts.push(
    '<p class="note">IoU ×100 (higher is better); DFD, HD, RMSE and their mean Avg on the [0, 1000) scale (lower is better). ' +
      'Answers that do not parse count as IoU 0 and as 1000 for each distance. The first row is the image-blind mean predictor (the ' +
      'training split\'s mean box or mean trajectory for every record). Blue rows are ours; the italic rows below each are the ' +
      'paper\'s Qwen2.5-VL-3B models on ShareRobot (in-domain) and UMD / VAIT (out-of-domain), with no out-of-domain numbers for the ' +
      'ablations: a yardstick, not the same test set or model size.</p>',
  );
  parts.push(headlineTable(model));
  parts.push(
    '<h3>Relative change</h3><p class="note">' +
      (model.samples
        ? `Green is an improvement (IoU up, Avg down) and red a loss, each beyond the noise of the records; black is within it. ${escapeHtml(INTERVAL_NOTE)} `
        : 'Green is an improvement (IoU up, Avg down). ') +
      'The paper reports +29 % IoU and −26 % Avg for GRPO over CoT-SFT.</p>',
  );
  parts.push(gainsTable(model));
  parts.push(
    '<h3>Margin over the mean predictor</h3><p class="note">IoU points above the mean box and Avg as a ratio to the mean trajectory\'s, the units ' +
      'of the targets (last row). Green meets the target, red is worse than the mean predictor.</p>',
  );
  parts.push(marginsTable(model));
  parts.push('<h3>Details</h3>');
  parts.push(detailsTable(model));

  parts.push('<h2>Training curves</h2><div class="plots">');
  for (const plot of model.plots) {
    parts.push(`<figure><img alt="${escapeHtml(plot.caption)}" src="${dataUri(plot.png)}"><figcaption>${escapeHtml(plot.caption)}</figcaption></figure>`);
  }
  parts.push('</div>');

  parts.push('<h2>Examples</h2>');
  parts.push('<p class="note">Ground truth in green, the answer of CoT-SFT + GRPO in red (dashed), with its reasoning and the ground-truth rationale; the score of each run on the same record is listed under each picture.</p>');
  parts.push('<div class="grid">');
  for (const example of model.examples) {
    parts.push('<figure>');
    if (example.png) parts.push(`<img alt="${escapeHtml(`${SPLIT_LABELS[example.split]} #${example.index}: ${example.instruction}`)}" src="${dataUri(example.png)}">`);
    else parts.push(`<p><b>${escapeHtml(`${SPLIT_LABELS[example.split]} #${example.index}`)}</b>: ${escapeHtml(example.instruction)}</p>`);
    parts.push(`<ul>${example.answers.map((a) => `<li>${escapeHtml(`${RUN_LABELS[a.run]}: ${a.score}`)}</li>`).join('')}</ul>`);
    parts.push(
      `<details><summary>answers as written</summary>${example.answers
        .map((a) => `<b>${escapeHtml(RUN_LABELS[a.run])}</b><pre>${escapeHtml(a.text === '' ? '(no answer)' : a.text)}</pre>`)
        .join('')}</details>`,
    );
    parts.push('</figure>');
  }
  parts.push('</div>');

  parts.push('<h2>Stages</h2><table><thead><tr><th>#</th><th class="l">Stage</th><th class="l">Status</th><th>Time</th></tr></thead><tbody>');
  model.stages.forEach((s, i) => parts.push(`<tr>${td(String(i + 1))}${td(s.title, 'l')}${td(s.status, 'l')}${td(formatSeconds(s.seconds))}</tr>`));
  parts.push('</tbody></table>');
  if (model.evaluationReports.length > 0) {
    parts.push(
      `<p class="note">Per-evaluation reports (failure examples, per-category tables): ${model.evaluationReports
        .map((r) => `<a href="${escapeHtml(r.file)}">${escapeHtml(`${r.run} ${r.split}`)}</a>`)
        .join(', ')}.</p>`,
    );
  }
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}
