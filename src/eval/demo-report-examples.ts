/**
 * The example grid of the demo report: the first few affordance and trajectory records of each split, drawn with
 * `renderExample` (ground truth green, the GRPO model's answer red and dashed, its reasoning and the ground-truth
 * rationale in the panel), with the score of each run's answer on the same record beside it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { LoadedRecord } from '../data/records.js';
import { parseAnswer } from '../protocol/answer.js';
import type { TaskKind } from '../protocol/types.js';
import { DEMO_RUNS, RUN_LABELS, SPLIT_LABELS, type DemoRunName, type DemoSplit } from './demo-plan.js';
import { parseLogLines } from './demo-report-curves.js';
import { predictionLineSchema, scoredText, type PredictionLine } from './eval-record.js';
import { sampleMetrics, type SampleMetrics } from './metrics.js';

/** One answer of one run on an example record. */
export interface ExampleAnswer {
  readonly run: DemoRunName;
  /** The raw answer text ('' when the run has no answer for the record). */
  readonly text: string;
  /** Its score in words, e.g. `IoU 0.62` or `DFD 84.1` or `no answer parsed`. */
  readonly score: string;
}

/** One example of the grid. */
export interface DemoExample {
  readonly split: DemoSplit;
  readonly index: number;
  readonly kind: TaskKind;
  readonly instruction: string;
  /** The ground truth's rationale (`<think>` text). */
  readonly rationale: string;
  readonly answers: readonly ExampleAnswer[];
  /** The picture, when it could be drawn. */
  readonly png?: Uint8Array;
  /** Its file relative to the demo folder. */
  readonly pngFile?: string;
}

/**
 * A sample's score in words.
 *
 * @example
 * scoreText({ kind: 'affordance', parsed: true, iou: 0.625 }); // 'IoU 0.63'
 */
export function scoreText(sample: SampleMetrics): string {
  if (!sample.parsed) return `does not parse (${sample.failure ?? 'unknown'})`;
  return sample.kind === 'affordance' ? `IoU ${sample.iou.toFixed(2)}` : `DFD ${sample.dfd.toFixed(1)}`;
}

/**
 * Pick the first `perKind` affordance and the first `perKind` trajectory records, in file order.
 *
 * @example
 * pickExampleRecords(records, 2).map((r) => r.kind); // ['affordance', 'affordance', 'trajectory', 'trajectory']
 */
export function pickExampleRecords<T extends { readonly kind: TaskKind }>(records: readonly T[], perKind: number): T[] {
  return (['affordance', 'trajectory'] as const).flatMap((kind) => records.filter((r) => r.kind === kind).slice(0, perKind));
}

/** Read a `predictions.jsonl` into a map by record index (missing file: empty map). */
export async function readPredictions(file: string): Promise<Map<number, PredictionLine>> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return new Map();
  }
  return new Map(parseLogLines(text, predictionLineSchema).map((line) => [line.index, line]));
}

/** Inputs of {@link buildDemoExamples}. */
export interface DemoExamplesInput {
  /** The demo folder; pictures go to `assetsDir`. */
  readonly outDir: string;
  readonly assetsDir: string;
  readonly records: Readonly<Record<DemoSplit, readonly LoadedRecord[]>>;
  /** Predictions per run and split. */
  readonly predictions: Readonly<Record<DemoRunName, Readonly<Record<DemoSplit, ReadonlyMap<number, PredictionLine>>>>>;
  readonly perKind: number;
  /** Draw pictures (default true). */
  readonly render?: boolean;
}

/**
 * Choose the examples, score every run's answer on them and draw them (PNG files under `assetsDir/examples`).
 *
 * @example
 * const examples = await buildDemoExamples({ outDir, assetsDir, records, predictions, perKind: 2 });
 */
export async function buildDemoExamples(input: DemoExamplesInput): Promise<DemoExample[]> {
  const { renderExample } = await import('../data/render-example.js');
  const examplesDir = join(input.assetsDir, 'examples');
  if (input.render !== false) await mkdir(examplesDir, { recursive: true });
  const examples: DemoExample[] = [];
  for (const split of ['test', 'ood'] as const) {
    for (const record of pickExampleRecords(input.records[split], input.perKind)) {
      const answers: ExampleAnswer[] = DEMO_RUNS.map((run) => {
        const line = input.predictions[run][split].get(record.index);
        const text = line ? scoredText(line) : '';
        return { run, text, score: line ? scoreText(sampleMetrics(text, record.action)) : 'no answer' };
      });
      const parsedTruth = parseAnswer(record.answer, record.kind);
      const rationale = parsedTruth.ok ? (parsedTruth.think ?? '').trim() : '';
      const final = answers.find((a) => a.run === 'grpo');
      let png: Uint8Array | undefined;
      let pngFile: string | undefined;
      if (input.render !== false) {
        try {
          png = await renderExample(
            {
              image: record.imagePath,
              kind: record.kind,
              instruction: record.instruction,
              groundTruth: record.action,
              ...(final && final.text !== '' ? { prediction: final.text } : {}),
              rationale,
              title: `${SPLIT_LABELS[split]} #${record.index}: answer of ${RUN_LABELS.grpo}`,
              notes: [`score: ${final?.score ?? 'no answer'}`],
            },
            { panelWidth: 330, minImageHeight: 256, maxTextChars: 420 },
          );
          const file = join(examplesDir, `${split}-${String(record.index).padStart(4, '0')}.png`);
          await writeFile(file, png);
          pngFile = relative(input.outDir, file).split(sep).join('/');
        } catch {
          png = undefined;
          pngFile = undefined;
        }
      }
      examples.push({
        split,
        index: record.index,
        kind: record.kind,
        instruction: record.instruction,
        rationale,
        answers,
        ...(png ? { png } : {}),
        ...(pngFile ? { pngFile } : {}),
      });
    }
  }
  return examples;
}
