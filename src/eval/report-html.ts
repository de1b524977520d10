/**
 * The evaluation report as one self-contained HTML file (`report.html`): the Table III layout with the
 * paper's rows, details, per-category breakdown, inline SVG histograms of IoU and DFD, and the failure
 * examples embedded as PNG data URIs. No scripts, no external resources.
 */
import type { EvalMetrics } from './metrics.js';
import { formatMetric, formatRate, histogram, type ReportModel } from './report-model.js';

/**
 * Escape text for HTML element content and attribute values.
 *
 * @example
 * escapeHtml('<b>"x" & y</b>'); // '&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * A bar chart of counts as inline SVG.
 *
 * @example
 * svgHistogram([3, 1, 0, 2], '0', '1', 'IoU'); // '<svg …><rect …/>…</svg>'
 */
export function svgHistogram(counts: readonly number[], minLabel: string, maxLabel: string, caption: string): string {
  const width = 360;
  const height = 140;
  const pad = 24;
  const top = Math.max(1, ...counts);
  const barWidth = (width - 2 * pad) / Math.max(1, counts.length);
  const bars = counts
    .map((count, k) => {
      const h = ((height - 2 * pad) * count) / top;
      const x = pad + k * barWidth;
      return `<rect x="${x.toFixed(1)}" y="${(height - pad - h).toFixed(1)}" width="${Math.max(1, barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="#4a78c2"><title>${count}</title></rect>`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(caption)}">` +
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#333"/>${bars}` +
    `<text x="${pad}" y="${height - 6}" font-size="11">${escapeHtml(minLabel)}</text>` +
    `<text x="${width - pad}" y="${height - 6}" font-size="11" text-anchor="end">${escapeHtml(maxLabel)}</text>` +
    `<text x="${width / 2}" y="14" font-size="12" text-anchor="middle">${escapeHtml(caption)} (max bar ${top})</text></svg>`
  );
}

function td(text: string, bold = false): string {
  const content = escapeHtml(text);
  return `<td>${bold && text !== '—' && text !== '' ? `<b>${content}</b>` : content}</td>`;
}

function categoryRow(name: string, m: EvalMetrics): string {
  const a = m.affordance;
  const t = m.trajectory;
  return `<tr>${td(name)}${[a.n, a.iou, a.success_at_0_5, a.parse_failure_rate, t.n, t.dfd, t.hd, t.rmse, t.avg, t.parse_failure_rate]
    .map((v, k) => td(k === 0 || k === 4 ? String(v) : k === 2 || k === 3 || k === 9 ? formatRate(v) : formatMetric(v)))
    .join('')}</tr>`;
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#111}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}tr.ours{background:#eef4ff}caption{text-align:left;font-weight:bold;margin-bottom:.3em}
.note{color:#555;font-size:.9em}.example{border-top:1px solid #ddd;padding:1em 0}.example img{max-width:100%}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.6em;font-size:.85em}figure{display:inline-block;margin:0 1em 1em 0}`;

/**
 * Render the HTML report.
 *
 * @example
 * await writeFile('runs/eval/report.html', renderHtmlReport(model));
 */
export function renderHtmlReport(model: ReportModel): string {
  const m = model.metrics;
  const t = m.trajectory;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(model.title)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<h1>${escapeHtml(model.title)}</h1><ul>`);
  parts.push(`<li>policy: <code>${escapeHtml(model.policyName)}</code></li>`);
  if (model.dataLabel) parts.push(`<li>data: ${escapeHtml(model.dataLabel)}</li>`);
  parts.push(`<li>records: ${model.counts.records} (affordance ${m.affordance.n}, trajectory ${t.n}); failed requests: ${model.counts.requestFailures}</li>`);
  parts.push(`<li>coordinates: ${escapeHtml(model.coordinates)}</li><li>written: ${escapeHtml(model.createdAt)}</li></ul>`);

  parts.push(`<h2>Results in the layout of the paper's Table III</h2>`);
  parts.push(
    `<p class="note">IoU ×100 (higher is better); DFD, HD, RMSE and their mean Avg on the [0, 1000) scale (lower is better). ` +
      `Answers that do not parse count as IoU 0 and as 1000 for each distance. The paper's rows are Qwen2.5-VL-3B models on ` +
      `ShareRobot (in-domain) and UMD / VAIT (out-of-domain): a yardstick, not the same test set.</p>`,
  );
  parts.push('<table><thead><tr><th>Method</th><th>Source</th><th>IoU↑</th><th>DFD↓</th><th>HD↓</th><th>RMSE↓</th><th>Avg↓</th></tr></thead><tbody>');
  for (const row of model.table) {
    const cells = [row.iou, row.dfd, row.hd, row.rmse, row.avg].map((v) => td(formatMetric(v), row.ours)).join('');
    parts.push(`<tr${row.ours ? ' class="ours"' : ''}>${td(row.label, row.ours)}${td(row.source)}${cells}</tr>`);
  }
  parts.push('</tbody></table>');

  parts.push('<h2>Details</h2><table><thead><tr><th></th><th>n</th><th>IoU</th><th>success@0.5</th><th>parse failures</th><th>DFD</th><th>HD</th><th>RMSE</th><th>Avg</th></tr></thead><tbody>');
  parts.push(`<tr>${td('affordance')}${td(String(m.affordance.n))}${td(formatMetric(m.affordance.iou))}${td(formatRate(m.affordance.success_at_0_5))}${td(formatRate(m.affordance.parse_failure_rate))}${td('')}${td('')}${td('')}${td('')}</tr>`);
  parts.push(`<tr>${td('trajectory')}${td(String(t.n))}${td('')}${td('')}${td(formatRate(t.parse_failure_rate))}${td(formatMetric(t.dfd))}${td(formatMetric(t.hd))}${td(formatMetric(t.rmse))}${td(formatMetric(t.avg))}</tr>`);
  const p = t.parsed_only;
  parts.push(`<tr>${td('trajectory, parsed answers only')}${td(String(t.n - Math.round((t.parse_failure_rate ?? 0) * t.n)))}${td('')}${td('')}${td('')}${td(formatMetric(p.dfd))}${td(formatMetric(p.hd))}${td(formatMetric(p.rmse))}${td(formatMetric(p.avg))}</tr>`);
  parts.push('</tbody></table>');

  parts.push('<h2>By category</h2><table><thead><tr><th>category</th><th>aff. n</th><th>IoU</th><th>success@0.5</th><th>aff. parse failures</th><th>traj. n</th><th>DFD</th><th>HD</th><th>RMSE</th><th>Avg</th><th>traj. parse failures</th></tr></thead><tbody>');
  for (const [name, metrics] of Object.entries(model.byCategory)) parts.push(categoryRow(name, metrics));
  parts.push('</tbody></table>');

  parts.push('<h2>Distributions</h2>');
  if (model.ious.length > 0) parts.push(`<figure>${svgHistogram(histogram(model.ious, 20, 0, 1), 'IoU 0', '1', `affordance IoU, ${model.ious.length} answers`)}</figure>`);
  if (model.dfds.length > 0) {
    const max = Math.max(100, Math.ceil(Math.max(...model.dfds) / 100) * 100);
    parts.push(`<figure>${svgHistogram(histogram(model.dfds, 20, 0, max), 'DFD 0', String(max), `trajectory DFD, ${model.dfds.length} parsed answers`)}</figure>`);
  }

  parts.push('<h2>Failure examples</h2>');
  if (model.examples.length === 0) parts.push('<p>None: every answer parsed and scored well.</p>');
  for (const example of model.examples) {
    const id = example.id !== undefined ? ` (id ${String(example.id)})` : '';
    parts.push(`<div class="example"><h3>#${example.index}${escapeHtml(id)}: ${escapeHtml(example.kind)}, ${escapeHtml(example.category)}: ${escapeHtml(example.reason)}</h3>`);
    parts.push(`<p>Instruction: ${escapeHtml(example.instruction)}</p>`);
    if (example.png) parts.push(`<img alt="record ${example.index}" src="data:image/png;base64,${Buffer.from(example.png).toString('base64')}">`);
    parts.push(`<pre>${escapeHtml(example.prediction === '' ? '(no answer)' : example.prediction)}</pre></div>`);
  }
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}
