/**
 * Training curves for the demo report, read from the runs' `metrics.jsonl` logs: the SFT loss of the grounding base
 * and of both SFT runs,
 * and the GRPO mean reward (with its format and task parts) and KL to the reference per step. Lines of other
 * kinds (evaluations) and unreadable lines are skipped.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** One point of a curve: (step, value); value null when the log has none for that step. */
export type CurvePoint = readonly [number, number | null];

/** The curves of the demo. */
export interface DemoCurves {
  readonly sftLoss: { readonly base: readonly CurvePoint[]; readonly sft_nocot: readonly CurvePoint[]; readonly sft_cot: readonly CurvePoint[] };
  readonly grpo: {
    readonly reward: readonly CurvePoint[];
    readonly format: readonly CurvePoint[];
    readonly task: readonly CurvePoint[];
    readonly kl: readonly CurvePoint[];
    /** Within-group correlation of the reward with the evaluation metric, boxes and trajectories. */
    readonly agreementAffordance: readonly CurvePoint[];
    readonly agreementTrajectory: readonly CurvePoint[];
  };
}

const maybeNumber = z.number().nullable().optional();

const sftLine = z.looseObject({ step: z.number(), loss: z.number() });
const grpoLine = z.looseObject({
  step: z.number(),
  reward: maybeNumber,
  format: maybeNumber,
  task: maybeNumber,
  kl: maybeNumber,
  agreementAffordance: maybeNumber,
  agreementTrajectory: maybeNumber,
});

/**
 * The JSON objects of a JSONL text that match `schema` (others skipped), in file order.
 *
 * @example
 * parseLogLines('{"step":1,"loss":2}\n{"step":1,"eval":{}}\n', sftLine); // [{ step: 1, loss: 2 }]
 */
export function parseLogLines<T>(text: string, schema: z.ZodType<T>): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The SFT loss curve of a `metrics.jsonl` text (one point per logged step).
 *
 * @example
 * sftLossCurve('{"step":10,"loss":3.2}\n'); // [[10, 3.2]]
 */
export function sftLossCurve(text: string): CurvePoint[] {
  return parseLogLines(text, sftLine).map((l) => [l.step, l.loss] as const);
}

/**
 * The GRPO curves of a `metrics.jsonl` text.
 *
 * @example
 * grpoCurves('{"step":1,"reward":0.5,"format":1,"task":0.44,"kl":0.001}\n').kl; // [[1, 0.001]]
 */
export function grpoCurves(text: string): DemoCurves['grpo'] {
  const lines = parseLogLines(text, grpoLine).filter((l) => l.reward !== undefined);
  type Series = 'reward' | 'format' | 'task' | 'kl' | 'agreementAffordance' | 'agreementTrajectory';
  const pick = (key: Series): CurvePoint[] => lines.map((l) => [l.step, l[key] ?? null] as const);
  return {
    reward: pick('reward'),
    format: pick('format'),
    task: pick('task'),
    kl: pick('kl'),
    agreementAffordance: pick('agreementAffordance'),
    agreementTrajectory: pick('agreementTrajectory'),
  };
}

/**
 * Read the curves from the logs of the base and the three runs (a missing log gives empty curves). The SFT runs'
 * steps are shifted by `baseSteps`, so that their curves continue the base's.
 *
 * @example
 * const curves = await readDemoCurves({ base: 'runs/demo/base/metrics.jsonl', sft_nocot: '…', sft_cot: '…', grpo: '…' }, 400);
 */
export async function readDemoCurves(logs: { base: string; sft_nocot: string; sft_cot: string; grpo: string }, baseSteps = 0): Promise<DemoCurves> {
  const [base, nocot, cot, grpo] = await Promise.all([readText(logs.base), readText(logs.sft_nocot), readText(logs.sft_cot), readText(logs.grpo)]);
  const shifted = (curve: CurvePoint[]): CurvePoint[] => curve.map(([step, value]) => [step + baseSteps, value] as const);
  return {
    sftLoss: { base: sftLossCurve(base), sft_nocot: shifted(sftLossCurve(nocot)), sft_cot: shifted(sftLossCurve(cot)) },
    grpo: grpoCurves(grpo),
  };
}
