/**
 * The evaluation report as Markdown (`report.md`): headline table in the paper's Table III layout, details,
 * per-category breakdown, and failure examples (pictures linked as files beside the report).
 */
import type { EvalMetrics } from './metrics.js';
import { formatMetric, formatRate, type ReportModel, type TableRow } from './report-model.js';

function cell(text: string, bold: boolean): string {
  return bold && text !== '—' ? `**${text}**` : text;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function tableRowText(row: TableRow): string {
  const values = [row.iou, row.dfd, row.hd, row.rmse, row.avg].map((v) => cell(formatMetric(v), row.ours));
  return `| ${cell(escapeCell(row.label), row.ours)} | ${escapeCell(row.source)} | ${values.join(' | ')} |`;
}

function categoryRow(name: string, m: EvalMetrics): string {
  const a = m.affordance;
  const t = m.trajectory;
  return `| ${escapeCell(name)} | ${a.n} | ${formatMetric(a.iou)} | ${formatRate(a.success_at_0_5)} | ${formatRate(a.parse_failure_rate)} | ${t.n} | ${formatMetric(t.dfd)} | ${formatMetric(t.hd)} | ${formatMetric(t.rmse)} | ${formatMetric(t.avg)} | ${formatRate(t.parse_failure_rate)} |`;
}

/** Fence text for a code block, picking a fence longer than any backtick run inside. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}

/**
 * Render the Markdown report.
 *
 * @example
 * await writeFile('runs/eval/report.md', renderMarkdownReport(model));
 */
export function renderMarkdownReport(model: ReportModel): string {
  const m = model.metrics;
  const out: string[] = [];
  out.push(`# ${model.title}`, '');
  out.push(`- policy: \`${model.policyName}\``);
  if (model.dataLabel) out.push(`- data: ${model.dataLabel}`);
  out.push(`- records: ${model.counts.records} (affordance ${m.affordance.n}, trajectory ${m.trajectory.n}); failed requests: ${model.counts.requestFailures}`);
  out.push(`- coordinates: ${model.coordinates}`);
  out.push(`- written: ${model.createdAt}`, '');
  out.push('## Results in the layout of the paper\'s Table III', '');
  out.push('IoU ×100 (higher is better); DFD, HD, RMSE and their mean Avg on the [0, 1000) scale (lower is better).');
  out.push('Answers that do not parse count as IoU 0 and as 1000 for each distance. The paper\'s rows are Qwen2.5-VL-3B');
  out.push('models on ShareRobot (in-domain) and UMD / VAIT (out-of-domain): a yardstick, not the same test set.', '');
  out.push('| Method | Source | IoU↑ | DFD↓ | HD↓ | RMSE↓ | Avg↓ |', '|---|---|---:|---:|---:|---:|---:|');
  for (const row of model.table) out.push(tableRowText(row));
  out.push('', '## Details', '');
  out.push('| | n | IoU | success@0.5 | parse failures | DFD | HD | RMSE | Avg |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(`| affordance | ${m.affordance.n} | ${formatMetric(m.affordance.iou)} | ${formatRate(m.affordance.success_at_0_5)} | ${formatRate(m.affordance.parse_failure_rate)} | | | | |`);
  const t = m.trajectory;
  out.push(`| trajectory | ${t.n} | | | ${formatRate(t.parse_failure_rate)} | ${formatMetric(t.dfd)} | ${formatMetric(t.hd)} | ${formatMetric(t.rmse)} | ${formatMetric(t.avg)} |`);
  const p = t.parsed_only;
  out.push(`| trajectory, parsed answers only | ${t.n - Math.round((t.parse_failure_rate ?? 0) * t.n)} | | | | ${formatMetric(p.dfd)} | ${formatMetric(p.hd)} | ${formatMetric(p.rmse)} | ${formatMetric(p.avg)} |`);
  out.push('', '## By category', '');
  out.push('| category | aff. n | IoU | success@0.5 | aff. parse failures | traj. n | DFD | HD | RMSE | Avg | traj. parse failures |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, metrics] of Object.entries(model.byCategory)) out.push(categoryRow(name, metrics));
  out.push('', '## Failure examples', '');
  if (model.examples.length === 0) out.push('None: every answer parsed and scored well.');
  for (const example of model.examples) {
    const id = example.id !== undefined ? ` (id ${String(example.id)})` : '';
    out.push(`### #${example.index}${id}: ${example.kind}, ${escapeCell(example.category)}: ${escapeCell(example.reason)}`, '');
    out.push(`Instruction: ${escapeCell(example.instruction)}`, '');
    if (example.pngFile) out.push(`![record ${example.index}](${example.pngFile})`, '');
    out.push(fenced(example.prediction === '' ? '(no answer)' : example.prediction), '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
