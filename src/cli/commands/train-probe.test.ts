import { type Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../test/helpers/parse-command.js';
import { probeOptionsFromFlags, registerTrainProbe } from './train-probe.js';

/** Parse `vla-r1 train probe …` without running the action; returns the parsed flags. */
function parse(args: string[]): Record<string, unknown> {
  const register = (program: Command): void => registerTrainProbe(program.command('train'));
  return parseCommand<Record<string, unknown>>(register, ['train', 'probe'], args);
}

type Flags = Parameters<typeof probeOptionsFromFlags>[0];

describe('vla-r1 train probe', () => {
  it('maps flags onto probe options', () => {
    const flags = parse([
      '--init', 'runs/sft', '--data', 'd/train.json', '--prompts', '32', '--group-size', '4', '--temperature', '0.7',
      '--reasoning-temperature', '0.5', '--answer-decoding', 'greedy', '--lambda-angle', '0', '--lambda-length', '0.2', '--seed', '3',
      '--gradients',
    ]);
    expect(probeOptionsFromFlags(flags as unknown as Flags)).toEqual({
      prompts: 32,
      groupSize: 4,
      temperature: 0.7,
      reasoningTemperature: 0.5,
      answerDecoding: 'greedy',
      lambdaAngle: 0,
      lambdaLength: 0.2,
      seed: 3,
      gradients: true,
    });
    expect(probeOptionsFromFlags(parse(['--init', 'c', '--data', 'd']) as unknown as Flags)).toEqual({});
  });

  it.each([
    [['--group-size', '1'], /at least 2/],
    [['--answer-decoding', 'beam'], /sample or greedy/],
    [['--temperature', '0'], /positive number/],
    [['--lambda-angle', '-1'], /non-negative number/],
    [['--prompts', '0'], /positive integer/],
  ])('rejects %j', (extra, message) => {
    expect(() => parse(['--init', 'c', '--data', 'd', ...extra])).toThrow(CommanderError);
    expect(() => parse(['--init', 'c', '--data', 'd', ...extra])).toThrow(message);
  });

  it('needs a checkpoint and a data file', () => {
    expect(() => parse(['--data', 'd'])).toThrow(/--init/);
    expect(() => parse(['--init', 'c'])).toThrow(/--data/);
  });
});
