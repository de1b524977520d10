/**
 * Worker thread of {@link synthesizeDataset}: makes the samples it is sent (by split and index), writes their
 * PNGs and posts back the records. Every sample depends on (seed, split, index) alone, so the files are the same
 * whichever worker makes which sample.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { makeSampleFiles, type SampleJob, type WorkerSetup } from './synth-files.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (port) {
  port.on('message', (jobs: readonly SampleJob[]) => {
    makeSampleFiles(setup, jobs).then(
      (results) => port.postMessage({ ok: true, results }),
      (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
