import { type Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { GrpoOptionsSchema } from '../../train/grpo-options.js';
import { parseCommand } from '../../../test/helpers/parse-command.js';
import { grpoOptionsFromFlags, registerTrainGrpo } from './train-grpo.js';

/** Parse `vla-r1 train grpo …` without running the action; returns the parsed flags. */
function parse(args: string[]): Record<string, unknown> {
  const register = (program: Command): void => registerTrainGrpo(program.command('train'));
  return parseCommand<Record<string, unknown>>(register, ['train', 'grpo'], args);
}

describe('vla-r1 train grpo', () => {
  it('maps flags onto trainer options that the schema accepts', () => {
    const flags = parse([
      '--init', 'runs/sft', '--data', 'd', '--out', 'o', '--steps', '12', '--group-size', '4', '--prompts-per-step', '6',
      '--temperature', '0.8', '--reasoning-temperature', '0.5', '--answer-decoding', 'greedy', '--lambda-angle', '0', '--lambda-length', '0.05', '--lr', '3e-4', '--kl-coef', '0', '--clip-low', '0.2', '--clip-high', '0.28', '--mu', '2', '--micro-batch', '64',
      '--no-std-scaling', '--loss-agg', 'seq-mean', '--filter-zero-spread', '--seed', '7',
    ]);
    const options = grpoOptionsFromFlags(flags as unknown as Parameters<typeof grpoOptionsFromFlags>[0]);
    expect(options).toEqual({
      seed: 7,
      steps: 12,
      groupSize: 4,
      promptsPerStep: 6,
      temperature: 0.8,
      reasoningTemperature: 0.5,
      answerDecoding: 'greedy',
      lambdaAngle: 0,
      lambdaLength: 0.05,
      learningRate: 3e-4,
      klCoef: 0,
      clipLow: 0.2,
      clipHigh: 0.28,
      mu: 2,
      microBatch: 64,
      stdScaling: false,
      lossAggregation: 'seq-mean',
      filterZeroSpread: true,
    });
    expect(GrpoOptionsSchema.parse(options)).toMatchObject({ groupSize: 4, stdScaling: false, evalSamples: 64 });
  });

  it('leaves unset flags to the defaults (or to a resumed run)', () => {
    const flags = parse(['--data', 'd', '--out', 'o', '--resume']);
    expect(grpoOptionsFromFlags(flags as unknown as Parameters<typeof grpoOptionsFromFlags>[0])).toEqual({});
  });

  it.each([
    [['--group-size', '1'], /at least 2/],
    [['--loss-agg', 'sum'], /token-mean or seq-mean/],
    [['--answer-decoding', 'mode'], /sample or greedy/],
    [['--lambda-angle', '-0.1'], /number ≥ 0/],
    [['--temperature', '0'], /number > 0/],
    [['--top-p', '1.5'], /≤ 1/],
    [['--kl-coef', '-1'], /number ≥ 0/],
    [['--steps', '0'], /positive integer/],
  ])('rejects %j', (extra, message) => {
    expect(() => parse(['--data', 'd', '--out', 'o', ...extra])).toThrow(CommanderError);
    expect(() => parse(['--data', 'd', '--out', 'o', ...extra])).toThrow(message);
  });
});
