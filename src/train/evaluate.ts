/**
 * Greedy evaluation of the model on examples, with the paper's metrics.
 */
import type { EvalMetrics, SampleMetrics } from '../eval/metrics.js';
import { aggregateMetrics, sampleMetrics } from '../eval/metrics.js';
import type { Generator } from '../model/generate.js';
import { patchify } from '../model/image.js';
import type { ModelConfig } from '../model/config.js';
import type { Example } from './examples.js';

/** Predictions and metrics of one evaluation. */
export interface ExampleEvaluation {
  readonly metrics: EvalMetrics;
  readonly predictions: { index: number; text: string; metrics: SampleMetrics }[];
  /** Generated tokens per second. */
  readonly tokensPerSecond: number;
}

/**
 * Generate greedily for every example and score the answers.
 *
 * @example
 * const { metrics } = await evaluateExamples(generator, config, testExamples.slice(0, 64));
 */
export async function evaluateExamples(
  generator: Generator,
  c: ModelConfig,
  examples: readonly Example[],
  batchSize = 64,
): Promise<ExampleEvaluation> {
  const inputs = examples.map((ex) => ({ patches: patchify(ex.rgb, c), prompt: ex.prompt, kind: ex.kind }));
  const start = performance.now();
  const outs = await generator.generate(inputs, { temperature: 0, batchSize });
  const seconds = (performance.now() - start) / 1000;
  const tokens = outs.reduce((n, o) => n + o.tokens.length, 0);
  const predictions = outs.map((o, i) => {
    const ex = examples[i] as Example;
    return { index: ex.index, text: o.text, metrics: sampleMetrics(o.text, ex.action) };
  });
  return { metrics: aggregateMetrics(predictions.map((p) => p.metrics)), predictions, tokensPerSecond: tokens / Math.max(seconds, 1e-9) };
}
