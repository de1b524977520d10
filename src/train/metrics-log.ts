/**
 * The training log: one JSON object per line (`metrics.jsonl`), each with at least `step`.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../data/atomic-write.js';

/** Append-only JSONL log. */
export class MetricsLog {
  constructor(readonly file: string) {}

  /** Append one entry. */
  async write(entry: { step: number } & Record<string, unknown>): Promise<void> {
    await appendFile(this.file, `${JSON.stringify(entry)}\n`);
  }

  /**
   * Keep only entries with `step ≤ lastStep` (after resuming from a checkpoint older than the log's end),
   * or start an empty log when `lastStep` is 0.
   */
  async truncateAfter(lastStep: number): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      text = '';
    }
    const kept = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .filter((line) => {
        try {
          const step = (JSON.parse(line) as { step?: unknown }).step;
          return typeof step === 'number' && step <= lastStep;
        } catch {
          return false;
        }
      });
    await writeFileAtomic(this.file, kept.map((l) => `${l}\n`).join(''));
  }
}
