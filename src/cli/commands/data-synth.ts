/**
 * `vla-r1 data synth`: generate the embedded procedural tabletop dataset (train / test / ood splits in the
 * VLA-R1 record format, PNG images), and optionally a contact sheet of examples.
 *
 * The generator modules (canvas) are imported inside the action to keep CLI start-up fast.
 *
 * @module
 */
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { nonNegativeInteger, positiveInteger } from '../flag-parsers.js';

interface SynthFlags {
  out?: string;
  seed: number;
  train: number;
  test: number;
  ood: number;
  size: number;
  workers?: number;
  contactSheet?: string;
}

/**
 * Register `synth` under the `data` command.
 *
 * @example
 * registerDataSynth(program.command('data'));
 * // vla-r1 data synth --out data/synth --train 4000 --test 200 --ood 200
 */
export function registerDataSynth(data: Command): void {
  data
    .command('synth')
    .description('generate the procedural tabletop dataset (3-D scenes, affordance and trajectory tasks, four-step rationales)')
    .option('--out <dir>', 'output folder: train.json, test.json, ood.json, manifest.json and images/')
    .option('--seed <n>', 'random seed (same seed, same files)', nonNegativeInteger, 1)
    .option('--train <n>', 'training samples', nonNegativeInteger, 4000)
    .option('--test <n>', 'in-domain test samples', nonNegativeInteger, 200)
    .option('--ood <n>', 'out-of-domain samples (held-out categories, colours, layout, phrasings)', nonNegativeInteger, 200)
    .option('--size <px>', 'image size in pixels (square)', positiveInteger, 128)
    .option('--workers <n>', 'worker threads (default: up to 2; 1 = in-process)', positiveInteger)
    .option('--contact-sheet <file>', 'also write a PNG grid of 16 examples with their ground truth drawn')
    .addHelpText(
      'after',
      `
Splits: train and test share one distribution; ood holds out the categories jug, knife and pear, the colours
purple, pink and teal, a crowded layout and a set of phrasings (one shift per sample, round-robin; see
docs/DATA.md and manifest.json). Boxes are written in the VLA-R1 convention: centre (x, y), normalised to [0, 1].`,
    )
    .action(async (flags: SynthFlags) => {
      if (flags.out === undefined && flags.contactSheet === undefined) throw new UserError('data synth: give --out DIR (and/or --contact-sheet FILE)');
      if (flags.size < 32 || flags.size > 1024) throw new UserError(`--size: expected 32 to 1024 pixels, got ${flags.size}`);
      if (flags.seed > 0xffffffff) throw new UserError(`--seed: expected at most 4294967295, got ${flags.seed}`);
      if (flags.out !== undefined) {
        const { synthesizeDataset } = await import('../../data/synth.js');
        const result = await synthesizeDataset({
          out: flags.out,
          seed: flags.seed,
          train: flags.train,
          test: flags.test,
          ood: flags.ood,
          size: flags.size,
          ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
        });
        const total = result.counts.train + result.counts.test + result.counts.ood;
        process.stdout.write(
          `${result.dir}: wrote ${result.counts.train} train, ${result.counts.test} test, ${result.counts.ood} ood samples ` +
            `(${total} images, ${result.seconds.toFixed(1)} s, ${result.samplesPerSecond.toFixed(0)} samples/s, ${result.workers} worker${result.workers === 1 ? '' : 's'})\n`,
        );
      }
      if (flags.contactSheet !== undefined) {
        const { renderContactSheet } = await import('../../data/synth-contact-sheet.js');
        const { writeFileAtomic } = await import('../../data/atomic-write.js');
        await writeFileAtomic(flags.contactSheet, renderContactSheet({ seed: flags.seed, size: flags.size }));
        process.stdout.write(`${flags.contactSheet}: wrote a contact sheet of 16 examples\n`);
      }
    });
}
