/**
 * The demo report as Markdown (`report.md`): the headline table in the layout of the paper's Tables III and V
 * (the image-blind mean predictor first), the relative gains, the margins over the mean predictor, the details of every evaluation, the training curves and the example grid (pictures
 * linked as files beside the report), and the stage timings.
 */
import { DEMO_RUNS, DEMO_SPLITS, RUN_LABELS, SPLIT_LABELS } from './demo-plan.js';
import { formatSeconds, setupSummary, type DemoReportModel } from './demo-report-model.js';
import {
  baselineMargins,
  formatGain,
  formatGainWithInterval,
  formatPoints,
  formatRatio,
  headlineRows,
  INTERVAL_NOTE,
  relativeGains,
  TARGET_TEXTS,
  type HeadlineCells,
} from './demo-report-table.js';
import { formatMetric, formatRate } from './report-model.js';

function cells(values: HeadlineCells | null, bold: boolean): string[] {
  return (['iou', 'dfd', 'hd', 'rmse', 'avg'] as const).map((k) => {
    const text = formatMetric(values ? values[k] : null);
    return bold && text !== '—' ? `**${text}**` : text;
  });
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * Render `report.md`.
 *
 * @example
 * await writeFile('runs/demo/report.md', renderDemoMarkdown(model));
 */
export function renderDemoMarkdown(model: DemoReportModel): string {
  const out: string[] = [`# ${model.title}`, ''];
  for (const line of setupSummary(model)) out.push(`- ${line}`);
  out.push(`- Written: ${model.createdAt}`, '');

  out.push('## Results (layout of the paper\'s Tables III and V)', '');
  out.push('IoU ×100 (higher is better); DFD, HD, RMSE and their mean Avg on the [0, 1000) scale (lower is better).');
  out.push('Answers that do not parse count as IoU 0 and as 1000 for each distance. The paper\'s rows are Qwen2.5-VL-3B on ShareRobot');
  out.push('(in-domain) and UMD / VAIT (out-of-domain), with no out-of-domain numbers for the ablations: a yardstick, not the same test set.');
  out.push('The mean predictor (image-blind) answers every record with the training split\'s mean box or mean trajectory.', '');
  out.push('| Method | Source | Test IoU↑ | DFD↓ | HD↓ | RMSE↓ | Avg↓ | OOD IoU↑ | DFD↓ | HD↓ | RMSE↓ | Avg↓ |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of headlineRows(model.metrics)) {
    const ours = row.kind === 'ours';
    const label = ours ? `**${row.label}**` : row.label;
    out.push(`| ${label} | ${row.source} | ${[...cells(row.test, ours), ...cells(row.ood, ours)].join(' | ')} |`);
  }

  out.push('', '### Relative change', '');
  out.push('IoU up and Avg down are improvements. The paper reports +29 % IoU and −26 % Avg for GRPO over CoT-SFT.');
  if (model.samples) out.push(INTERVAL_NOTE);
  out.push('', '| Comparison | IoU, test | IoU, paper | Avg, test | Avg, paper | IoU, OOD | Avg, OOD |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const g of relativeGains(model.metrics, model.samples)) {
    const { test, ood } = g.ours;
    out.push(
      `| ${g.label} | ${formatGainWithInterval(test.iou, test.iouInterval)} | ${formatGain(g.paper.iou)} | ${formatGainWithInterval(test.avg, test.avgInterval)} | ` +
        `${formatGain(g.paper.avg)} | ${formatGainWithInterval(ood.iou, ood.iouInterval)} | ${formatGainWithInterval(ood.avg, ood.avgInterval)} |`,
    );
  }


  out.push('', '### Margin over the mean predictor', '');
  out.push('IoU points above the mean box (higher is better) and Avg as a ratio to the mean trajectory\'s (lower is better), the units of the targets.', '');
  out.push('| Run | IoU, test | Avg, test | IoU, OOD | Avg, OOD |', '|---|---:|---:|---:|---:|');
  for (const m of baselineMargins(model.metrics)) {
    const { test, ood } = m.margins;
    out.push(`| ${m.label} | ${formatPoints(test.iouPoints)} | ${formatRatio(test.avgRatio)} | ${formatPoints(ood.iouPoints)} | ${formatRatio(ood.avgRatio)} |`);
  }
  out.push(`| target | ${TARGET_TEXTS.iouPoints} | ${TARGET_TEXTS.avgRatio} | ${TARGET_TEXTS.iouPoints} | ${TARGET_TEXTS.avgRatio} |`);

  out.push('', '## Details', '');
  out.push('| Run | Split | aff. n | IoU | success@0.5 | aff. parse failures | traj. n | Avg | traj. parse failures | Avg, parsed only |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of DEMO_RUNS) {
    for (const split of DEMO_SPLITS) {
      const m = model.metrics.runs[run][split];
      const a = m.affordance;
      const t = m.trajectory;
      out.push(
        `| ${RUN_LABELS[run]} | ${SPLIT_LABELS[split]} | ${a.n} | ${formatMetric(a.iou)} | ${formatRate(a.success_at_0_5)} | ${formatRate(a.parse_failure_rate)} | ` +
          `${t.n} | ${formatMetric(t.avg)} | ${formatRate(t.parse_failure_rate)} | ${formatMetric(t.parsed_only.avg)} |`,
      );
    }
  }

  out.push('', '## Training curves', '');
  for (const plot of model.plots) out.push(`![${plot.caption}](${plot.file})`, '', plot.caption, '');

  out.push('## Examples', '');
  out.push('Ground truth in green, the answer of CoT-SFT + GRPO in red (dashed); the scores of all three runs on the same record are listed.', '');
  for (const example of model.examples) {
    out.push(`### ${SPLIT_LABELS[example.split]} #${example.index} (${example.kind}): ${escapeCell(example.instruction)}`, '');
    if (example.pngFile) out.push(`![${example.split} record ${example.index}](${example.pngFile})`, '');
    for (const answer of example.answers) out.push(`- ${RUN_LABELS[answer.run]}: ${answer.score}`);
    if (example.rationale !== '') out.push('', `Ground-truth rationale: ${escapeCell(example.rationale)}`);
    out.push('');
  }

  out.push('## Stages', '', '| # | Stage | Status | Time |', '|---:|---|---|---:|');
  model.stages.forEach((s, i) => out.push(`| ${i + 1} | ${escapeCell(s.title)} | ${s.status} | ${formatSeconds(s.seconds)} |`));
  if (model.evaluationReports.length > 0) {
    out.push('', 'Per-evaluation reports (failure examples, per-category tables): ');
    out.push(model.evaluationReports.map((r) => `[${r.run} ${r.split}](${r.file})`).join(', '));
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
