/**
 * What the demo report shows, independent of its format (Markdown or HTML).
 */
import type { DemoPlan } from './demo-plan.js';
import type { DemoExample } from './demo-report-examples.js';
import type { DemoMetrics, DemoSamples } from './demo-report-table.js';

/** How one stage of the demo went. */
export interface StageTiming {
  readonly id: string;
  readonly title: string;
  /** `ran` in this invocation, or `reused` from an earlier one. */
  readonly status: 'ran' | 'reused';
  /** Wall seconds of the stage when it ran (in this or an earlier invocation), when known. */
  readonly seconds: number | null;
}

/** A chart of the report. */
export interface ReportPlot {
  /** Path relative to the demo folder. */
  readonly file: string;
  readonly png: Uint8Array;
  readonly caption: string;
}

/** Everything the demo report shows. */
export interface DemoReportModel {
  readonly title: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly plan: DemoPlan;
  readonly metrics: DemoMetrics;
  /** Each evaluation's per-record metrics, for the intervals of the relative gains (none: no intervals). */
  readonly samples?: DemoSamples;
  /** Model size and vocabulary of the trained checkpoints, when they could be read. */
  readonly model?: { readonly parameters: number; readonly vocabulary: number; readonly sequence: number };
  readonly stages: readonly StageTiming[];
  readonly plots: readonly ReportPlot[];
  readonly examples: readonly DemoExample[];
  /** Per-evaluation reports, relative to the demo folder: `{run, split, file}`. */
  readonly evaluationReports: readonly { readonly run: string; readonly split: string; readonly file: string }[];
}

/**
 * Seconds as `1m05s` / `42s` / `—`.
 *
 * @example
 * formatSeconds(65); // '1m05s'
 */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The lines describing the setup of the demo: data, model, training budgets, wall time.
 *
 * @example
 * setupSummary(model)[0]; // 'Data: 48 training, 8 in-domain test and 8 out-of-domain scenes (64 px, seed 1).'
 */
export function setupSummary(model: DemoReportModel): string[] {
  const { plan } = model;
  const lines = [
    `Data: ${plan.data.train} training, ${plan.data.test} in-domain test and ${plan.data.ood} out-of-domain scenes (${plan.data.size} px, seed ${plan.seed}).`,
  ];
  const m = model.model;
  const layers = plan.sft.nLayers ?? 4;
  const shape = `d_model ${String(plan.sft.dModel ?? 128)}, ${layers} layer${layers === 1 ? '' : 's'}, ${String(plan.sft.imageSize ?? 64)} px input`;
  lines.push(
    m
      ? `Model: ${(m.parameters / 1e6).toFixed(2)} M parameters (${shape}), vocabulary ${m.vocabulary}, sequence ${m.sequence} tokens.`
      : `Model: ${shape}.`,
  );
  lines.push(
    (plan.baseSteps > 0 ? `Grounding base: ${plan.baseSteps} steps of plain SFT, from which both SFT runs start; ` : '') +
      `SFT: ${String(plan.sft.steps ?? 400)} steps × ${String(plan.sft.batchSize ?? 16)} examples, peak learning rate ${String(plan.sft.learningRate ?? 2e-3)}; ` +
      `GRPO: ${String(plan.grpo.steps ?? 40)} steps × ${String(plan.grpo.promptsPerStep ?? 8)} prompts × ${String(plan.grpo.groupSize ?? 5)} answers, ` +
      `learning rate ${String(plan.grpo.learningRate ?? 2e-4)}, KL coefficient ${String(plan.grpo.klCoef ?? 0.01)}.`,
  );
  const total = model.stages.reduce((sum, s) => sum + (s.seconds ?? 0), 0);
  lines.push(`Wall time of the stages: ${formatSeconds(total)}${plan.quick ? ' (--quick: a smoke test, the numbers mean nothing)' : ''}.`);
  return lines;
}
