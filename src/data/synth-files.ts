/**
 * Making the files of synthetic samples (PNG written to disk, record returned): the unit of work shared by the
 * in-process path and the worker threads of {@link synthesizeDataset}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VlaR1Record } from './records.js';
import { sceneLabelGrid, type SceneLabels } from './scene/label-grid.js';
import { composeSample, renderSamplePng, type SampleMeta } from './synth-sample.js';
import type { SplitName } from './synth-splits.js';

/** What every worker is told once. */
export interface WorkerSetup {
  readonly out: string;
  readonly seed: number;
  readonly size: number;
}

/** One sample to make. */
export interface SampleJob {
  readonly split: SplitName;
  readonly index: number;
}

/** What comes back for one sample. */
export interface SampleResult {
  readonly split: SplitName;
  readonly index: number;
  readonly record: VlaR1Record;
  readonly meta: SampleMeta;
  /** Dense labels of the image ({@link LABEL_GRID} cells per side). */
  readonly labels: SceneLabels;
}

/** Cells per side of the label grid written with every image. */
export const LABEL_GRID = 16;

/**
 * Make samples: compose, render and write each PNG under `setup.out`, return the records.
 *
 * @example
 * const [r] = await makeSampleFiles({ out: 'data/synth', seed: 1, size: 128 }, [{ split: 'train', index: 0 }]);
 */
export async function makeSampleFiles(setup: WorkerSetup, jobs: readonly SampleJob[]): Promise<SampleResult[]> {
  const results: SampleResult[] = [];
  const made = new Set<string>();
  for (const job of jobs) {
    const sample = composeSample({ seed: setup.seed, split: job.split, index: job.index, size: setup.size });
    const png = await renderSamplePng(sample);
    const file = join(setup.out, sample.image);
    const dir = dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, png);
    results.push({ split: job.split, index: job.index, record: sample.record, meta: sample.meta, labels: sceneLabelGrid(sample.scene, LABEL_GRID) });
  }
  return results;
}
