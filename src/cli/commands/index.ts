import type { Command } from 'commander';
import { registerServe } from './serve.js';
import { registerReward } from './reward.js';
import { registerRewardExamples } from './reward-examples.js';
import { registerData } from './data.js';
import { registerTrain } from './train.js';
import { registerEval } from './eval.js';
import { registerDemo } from './demo.js';

/**
 * Register every subcommand on `program`. One line per command file in this folder.
 */
export function registerCommands(program: Command): void {
  registerData(program);
  registerServe(program);
  registerReward(program);
  registerRewardExamples(program);
  registerTrain(program);
  registerEval(program);
  registerDemo(program);
}
