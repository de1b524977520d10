/**
 * `vla-r1 data`: datasets in the VLA-R1 record format.
 *
 * - `data convert --from sharerobot|vla-r1 --to vla-r1|sharerobot|verl-parquet|jsonl IN OUT`
 * - `data validate FILE`: every problem as `FILE: record N: field: message`; exit 1 if any.
 * - `data stats FILE [--json]`: counts per kind, box sizes, trajectory lengths, instruction vocabulary.
 * - `data show FILE --index N --out x.png [--prediction TEXT]`: the example drawn, rationale beside it.
 * - `data cot …`: the CoT data engine (registered from `data-cot.ts`).
 * - `data synth …`: the procedural tabletop dataset (registered from `data-synth.ts`).
 *
 * Heavy modules (sharp, canvas, parquet) are imported inside the actions to keep start-up fast.
 *
 * @module
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { SHAREROBOT_CONVENTION } from '../../data/sharerobot-convention.js';
import { registerDataCot } from './data-cot.js';
import { registerDataSynth } from './data-synth.js';
import { nonNegativeInteger, positiveInteger } from '../flag-parsers.js';

interface ConvertFlags {
  from: 'sharerobot' | 'vla-r1';
  to: 'vla-r1' | 'sharerobot' | 'verl-parquet' | 'jsonl';
  imageRoot?: string;
  imageTemplate?: string;
  think: 'template' | 'empty';
  dataSource: string;
  absoluteImages?: boolean;
}

function registerConvert(data: Command): void {
  data
    .command('convert')
    .description('convert between ShareRobot annotations, VLA-R1 records and verl rows')
    .argument('<in>', 'input file (JSON array or JSON Lines)')
    .argument('<out>', 'output file (VLA-R1/ShareRobot: JSON Lines for .jsonl, else a JSON array)')
    .addOption(new Option('--from <format>', 'input format').choices(['sharerobot', 'vla-r1']).makeOptionMandatory())
    .addOption(
      new Option('--to <format>', 'output format (jsonl = verl rows as JSON Lines)').choices(['vla-r1', 'sharerobot', 'verl-parquet', 'jsonl']).makeOptionMandatory(),
    )
    .option('--image-root <dir>', 'ShareRobot side: folder the item ids (image paths) are relative to (default: the ShareRobot file\'s folder)')
    .option('--image-template <template>', 'ShareRobot input: image path from {id} and {original_dataset}, e.g. "{id}.jpg"')
    .addOption(new Option('--think <mode>', 'ShareRobot input: fill <think> with a short templated rationale or leave it empty').choices(['template', 'empty']).default('template'))
    .option('--data-source <name>', 'verl output: the data_source column', 'custom/vla_r1')
    .option('--absolute-images', 'write absolute image paths (verl resolves relative paths against its working directory)')
    .addHelpText(
      'after',
      `
Coordinate conventions (read and written):
  ${SHAREROBOT_CONVENTION}

verl rows are written exactly as the official sharegpt_to_parquet.py writes them:
  {data_source, prompt: [{role: "user", content: <human turn, "\\n<image>" kept>}], images: [{image: <path>}],
   reward_model: {style: "rule", ground_truth: <gpt turn>}}

Examples:
  vla-r1 data convert --from sharerobot --to vla-r1 affordance.json train.json
  vla-r1 data convert --from vla-r1 --to verl-parquet --absolute-images train.json train.parquet
  vla-r1 data convert --from vla-r1 --to sharerobot train.json back.json`,
    )
    .action(async (input: string, output: string, flags: ConvertFlags) => {
      const { convertDataset } = await import('../../data/convert.js');
      const summary = await convertDataset({
        from: flags.from,
        to: flags.to,
        input,
        output,
        think: flags.think,
        dataSource: flags.dataSource,
        absoluteImages: flags.absoluteImages === true,
        ...(flags.imageRoot !== undefined ? { imageRoot: flags.imageRoot } : {}),
        ...(flags.imageTemplate !== undefined ? { imageTemplate: flags.imageTemplate } : {}),
      });
      const clipped = summary.clipped > 0 ? `, ${summary.clipped} labels clipped to the image` : '';
      process.stderr.write(
        `${output}: wrote ${summary.records} records (${summary.kinds.affordance} affordance, ${summary.kinds.trajectory} trajectory) as ${flags.to}${clipped}\n`,
      );
    });
}

function registerValidate(data: Command): void {
  data
    .command('validate')
    .description('check every record: schema, official prompt, <think> + answer of the right kind, coordinates in [0, 1], image decodes, duplicates')
    .argument('<file>', 'VLA-R1 dataset (JSON array or JSON Lines)')
    .option('--no-decode', 'only check that images exist and have a valid header (faster)')
    .addHelpText('after', '\nPrints each problem as "FILE: record N: field: message" (N counts from 0) and exits 1 if there is any.')
    .action(async (file: string, flags: { decode: boolean }) => {
      const { validateDataset, formatValidationProblem } = await import('../../data/validate.js');
      let report;
      try {
        report = await validateDataset(file, { decodeImages: flags.decode });
      } catch (error: unknown) {
        if (!(error instanceof UserError)) throw error;
        process.stdout.write(`${error.message}\n`);
        process.exitCode = 1;
        return;
      }
      for (const problem of report.problems) process.stdout.write(`${formatValidationProblem(file, problem)}\n`);
      const counts = `${report.kinds.affordance} affordance, ${report.kinds.trajectory} trajectory, ${report.images} images`;
      if (report.records === 0) {
        process.stdout.write(`${file}: no records\n`);
        process.exitCode = 1;
      } else if (report.problems.length > 0) {
        process.stderr.write(`${file}: ${report.problems.length} problems in ${report.records - report.valid} of ${report.records} records\n`);
        process.exitCode = 1;
      } else {
        process.stdout.write(`${file}: ${report.records} records OK (${counts})\n`);
      }
    });
}

function registerStats(data: Command): void {
  data
    .command('stats')
    .description('counts per kind, box sizes, trajectory lengths, instruction vocabulary')
    .argument('<file>', 'VLA-R1 dataset (JSON array or JSON Lines)')
    .option('--json', 'print JSON instead of tables')
    .option('--top <n>', 'how many top instruction words to list', positiveInteger, 20)
    .action(async (file: string, flags: { json?: boolean; top: number }) => {
      const { readRecords } = await import('../../data/records.js');
      const { datasetStats, formatStats } = await import('../../data/stats.js');
      const stats = datasetStats(await readRecords(file), flags.top);
      process.stdout.write(flags.json === true ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(file, stats));
    });
}

function registerShow(data: Command): void {
  data
    .command('show')
    .description('draw one example: the image with its box or trajectory, the rationale beside it')
    .argument('<file>', 'VLA-R1 dataset (JSON array or JSON Lines)')
    .requiredOption('--index <n>', 'record number (from 0)', nonNegativeInteger)
    .requiredOption('--out <png>', 'output PNG file')
    .option('--prediction <text>', 'a predicted answer to draw as well (red, dashed)')
    .action(async (file: string, flags: { index: number; out: string; prediction?: string }) => {
      const { readRecords } = await import('../../data/records.js');
      const { renderExample } = await import('../../data/render-example.js');
      const { writeFileAtomic } = await import('../../data/atomic-write.js');
      const { parseAnswer } = await import('../../protocol/answer.js');
      const records = await readRecords(file);
      const record = records[flags.index];
      if (record === undefined) throw new UserError(`${file}: --index ${flags.index} is out of range (the file has ${records.length} records, numbered from 0)`);
      const parsed = parseAnswer(record.answer, record.kind);
      const rationale = parsed.ok ? parsed.think : undefined;
      const png = await renderExample({
        image: record.imagePath,
        kind: record.kind,
        instruction: record.instruction,
        groundTruth: record.action,
        title: `${file} #${record.index}`,
        ...(rationale !== undefined ? { rationale } : {}),
        ...(flags.prediction !== undefined ? { prediction: flags.prediction } : {}),
      });
      await writeFileAtomic(flags.out, png);
      process.stderr.write(`${flags.out}: wrote record ${record.index} (${record.kind})\n`);
    });
}

/**
 * Register `vla-r1 data` and its subcommands on `program`.
 *
 * @example
 * registerData(new Command('vla-r1'));
 */
export function registerData(program: Command): void {
  const data = program.command('data').description('datasets: synth, convert, validate, stats, show, cot');
  registerConvert(data);
  registerValidate(data);
  registerStats(data);
  registerShow(data);
  registerDataCot(data);
  registerDataSynth(data);
}
