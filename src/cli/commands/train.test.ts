import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { SftOptionsSchema } from '../../train/sft-options.js';
import { parseCommand } from '../../../test/helpers/parse-command.js';
import { registerTrain, sftOptionsFromFlags, type SftFlags } from './train.js';

/** Parse `vla-r1 train sft …` without running the action; returns the parsed flags. */
function parse(args: string[]): SftFlags {
  return parseCommand<SftFlags>(registerTrain, ['train', 'sft'], args);
}

describe('vla-r1 train sft', () => {
  it('maps flags onto trainer options that the schema accepts', () => {
    const flags = parse([
      '--data', 'd', '--out', 'o', '--no-cot', '--rationale-vocabulary', '--max-steps', '400', '--lr', '1e-3',
      '--d-model', '32', '--no-pointer-prior', '--coordinate-weight', '2', '--seed', '3', '--init', 'runs/base',
    ]);
    expect(flags.init).toBe('runs/base');
    const options = sftOptionsFromFlags(flags);
    expect(options).toEqual({ seed: 3, cot: false, steps: 400, learningRate: 1e-3, dModel: 32, pointerPrior: false, coordinateWeight: 2, rationaleVocabulary: true });
    expect(SftOptionsSchema.parse(options)).toMatchObject({ cot: false, rationaleVocabulary: true, batchSize: 16 });
  });

  it('turns answer positions on and off', () => {
    expect(sftOptionsFromFlags(parse(['--data', 'd', '--out', 'o', '--answer-positions']))).toMatchObject({ answerPositions: true });
    expect(sftOptionsFromFlags(parse(['--data', 'd', '--out', 'o', '--no-answer-positions']))).toMatchObject({ answerPositions: false });
  });

  it('leaves unset flags to the defaults: CoT, no rationale-vocabulary override', () => {
    const options = sftOptionsFromFlags(parse(['--data', 'd', '--out', 'o']));
    expect(options).toEqual({ seed: 0, cot: true });
    expect(SftOptionsSchema.parse(options).rationaleVocabulary).toBeUndefined();
  });

  it.each([
    [['--max-steps', '0'], /positive integer/],
    [['--lr', '-1'], /positive number/],
  ])('rejects %j', (extra, message) => {
    expect(() => parse(['--data', 'd', '--out', 'o', ...extra])).toThrow(CommanderError);
    expect(() => parse(['--data', 'd', '--out', 'o', ...extra])).toThrow(message);
  });
});
